"""A centre's file of warnings as rows: CSV (UTF-8 or GBK), XLSX or JSON."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from charset_normalizer import from_bytes

from yanyun.core.errors import Invalid


def _text(data: bytes) -> str:
    """The file's text: UTF-8 when it decodes so, else the encoding detected (GBK and kin)."""
    try:
        return data.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        best = from_bytes(data).best()
    if best is None:
        raise Invalid("file", "无法识别文件编码（请用UTF-8或GBK）",
                      "cannot tell the file's encoding (use UTF-8 or GBK)")
    return str(best)


def _table(header: list[str], rows: list[list[str]]) -> list[dict[str, Any]]:
    names = [h.strip() for h in header]
    return [dict(zip(names, row, strict=False)) for row in rows if any(c for c in row)]


def _xlsx(data: bytes) -> list[dict[str, Any]]:
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
    except Exception:
        raise Invalid("file", "无法读取Excel文件", "the Excel file cannot be read") from None
    values = [["" if v is None else str(v).strip() for v in row]
              for row in sheet.iter_rows(values_only=True)]
    values = [row for row in values if any(row)]
    if not values:
        raise Invalid("file", "文件为空", "the file is empty")
    return _table(values[0], values[1:])


def read_rows(data: bytes) -> list[dict[str, Any]]:
    """The rows of a warning file, each a dict of its columns; row 1 is the first data row.

    >>> read_rows("预警编号,姓名\\nA1,张三\\n".encode("gbk"))
    [{'预警编号': 'A1', '姓名': '张三'}]
    """
    if not data.strip():
        raise Invalid("file", "文件为空", "the file is empty")
    if data[:4] == b"PK\x03\x04":
        return _xlsx(data)
    text = _text(data)
    if text.lstrip()[:1] in ("[", "{"):
        try:
            parsed = json.loads(text)
        except ValueError:
            raise Invalid("file", "JSON格式不正确", "the JSON is malformed") from None
        rows = parsed.get("warnings") if isinstance(parsed, dict) else parsed
        if not isinstance(rows, list):
            raise Invalid("file", "JSON须为预警列表", "the JSON must be a list of warnings")
        return [r if isinstance(r, dict) else {} for r in rows]
    values = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
    values = [row for row in values if any(row)]
    if len(values) < 2:
        raise Invalid("file", "文件没有数据行", "the file has no rows")
    return _table(values[0], values[1:])
