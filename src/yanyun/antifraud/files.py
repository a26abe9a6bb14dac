"""A centre's file of warnings as rows: CSV (UTF-8 or GBK), XLSX or JSON."""

from __future__ import annotations

import json
from typing import Any

from yanyun.core.errors import Invalid
from yanyun.core.sheets import decode_text, read_sheet


def _json_rows(text: str) -> list[dict[str, Any]]:
    try:
        parsed = json.loads(text)
    except ValueError:
        raise Invalid("file", "JSON格式不正确", "the JSON is malformed") from None
    rows = parsed.get("warnings") if isinstance(parsed, dict) else parsed
    if not isinstance(rows, list):
        raise Invalid("file", "JSON须为预警列表", "the JSON must be a list of warnings")
    return [r if isinstance(r, dict) else {} for r in rows]


def read_rows(data: bytes) -> list[dict[str, Any]]:
    """The rows of a warning file, each a dict of its columns; row 1 is the first data row.

    >>> read_rows("预警编号,姓名\\nA1,张三\\n".encode("gbk"))
    [{'预警编号': 'A1', '姓名': '张三'}]
    """
    if not data.strip():
        raise Invalid("file", "文件为空", "the file is empty")
    if data[:4] != b"PK\x03\x04":
        text = decode_text(data)
        if text.lstrip()[:1] in ("[", "{"):
            return _json_rows(text)
    sheet = read_sheet(data)
    if not sheet.rows:
        raise Invalid("file", "文件没有数据行", "the file has no rows")
    names = [h.strip() for h in sheet.header]
    return [dict(zip(names, row, strict=False)) for row in sheet.rows]
