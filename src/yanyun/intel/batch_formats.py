"""The formats a batch arrives in (JSON rows, Arrow IPC, CSV, Parquet), each read as one table."""

from __future__ import annotations

import io
from datetime import datetime

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

INPUT_COLUMNS = ("plate", "camera", "seen_at", "kind")


class UnreadableBatch(ValueError):
    """The body is not a table at all (wrong format, broken file)."""


def read_arrow_ipc(data: bytes) -> pa.Table:
    try:
        return ipc.open_stream(io.BytesIO(data)).read_all()
    except pa.ArrowInvalid:
        try:
            return ipc.open_file(io.BytesIO(data)).read_all()
        except pa.ArrowInvalid as exc:
            raise UnreadableBatch(str(exc)) from exc


def read_csv(data: bytes) -> pa.Table:
    try:
        return pacsv.read_csv(
            io.BytesIO(data),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in INPUT_COLUMNS}, strings_can_be_null=True
            ),
        )
    except pa.ArrowInvalid as exc:
        raise UnreadableBatch(str(exc)) from exc


def read_parquet(data: bytes) -> pa.Table:
    try:
        return pq.read_table(io.BytesIO(data))
    except (pa.ArrowInvalid, OSError) as exc:
        raise UnreadableBatch(str(exc)) from exc


def rows_to_table(rows: list[dict[str, object]]) -> pa.Table:
    return pa.table(
        {c: pa.array([_text(r.get(c)) for r in rows], pa.string()) for c in INPUT_COLUMNS}
    )


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)
