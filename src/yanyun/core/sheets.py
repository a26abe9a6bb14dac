"""Tables people hand in as files: a CSV in whatever encoding it came (UTF-8, GBK, ...) or an
XLSX workbook, read into a header and rows of text, and the upload read with a bound."""

from __future__ import annotations

import csv
import io
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from charset_normalizer import from_bytes
from fastapi import Request

from yanyun.core.errors import Invalid, TooLarge

MAX_UPLOAD_BYTES = 50_000_000


@dataclass(frozen=True)
class Sheet:
    header: list[str]
    rows: list[list[str]]


def decode_text(data: bytes) -> str:
    """A file's text: UTF-8 when it decodes so, then GB18030 (GBK's superset, what Chinese
    office software writes), then whatever charset-normalizer detects."""
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding).lstrip("\ufeff")
        except UnicodeDecodeError:
            continue
    best = from_bytes(data).best()
    if best is None:
        raise Invalid("file", "无法识别文件编码（请用UTF-8或GBK）",
                      "cannot tell the file's encoding (use UTF-8 or GBK)")
    return str(best).lstrip("\ufeff")


def read_sheet(data: bytes) -> Sheet:
    """The rows of a CSV (any encoding charset-normalizer recognises) or an XLSX workbook."""
    if data[:4] == b"PK\x03\x04":
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
        except Exception:
            raise Invalid("file", "无法读取Excel文件", "the Excel file cannot be read") from None
        values = [["" if v is None else str(v).strip() for v in row]
                  for row in sheet.iter_rows(values_only=True)]
    else:
        values = [[cell.strip() for cell in row]
                  for row in csv.reader(io.StringIO(decode_text(data)))]
    values = [row for row in values if any(row)]
    if not values:
        raise Invalid("file", "文件为空", "the file is empty")
    return Sheet(header=values[0], rows=values[1:])


def body_up_to(max_bytes: int) -> Callable[[Request], Awaitable[bytes]]:
    """A route dependency: the raw body as sent, refused (413) as soon as it passes
    `max_bytes`, never read to the end."""

    async def body(request: Request) -> bytes:
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > max_bytes:
                mb = max_bytes // 1_000_000
                raise TooLarge("file", f"内容超过{mb}MB", f"the body is over {mb} MB")
            chunks.append(chunk)
        return b"".join(chunks)

    return body


#: An uploaded table (an import file): at most 50 MB.
upload = body_up_to(MAX_UPLOAD_BYTES)
