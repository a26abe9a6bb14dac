"""Arrow columns as numpy arrays: nulls filled, a code per distinct value, the bytes of strings.

The checks run once per distinct value (a day has ~10 rows per plate) and
spread the answer back to the rows.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def column_or_nulls(table: pa.Table, name: str) -> pa.Array:
    """A column as one array; all nulls (as text) if the batch lacks it."""
    if name in table.schema.names:
        return table.column(name).combine_chunks()
    return pa.nulls(table.num_rows, pa.string())


def valid_mask(values: pa.Array) -> np.ndarray:
    """True where a value is not null."""
    return pc.is_valid(values).to_numpy(zero_copy_only=False)


def filled(values: pa.Array, fill: object = 0) -> np.ndarray:
    """The values as numpy, nulls replaced by `fill`."""
    return pc.fill_null(values, fill).to_numpy(zero_copy_only=False)


def per_row(per_value: np.ndarray, codes: np.ndarray, null: object) -> np.ndarray:
    """Spread a value per distinct value back to the rows; `null` where the code is -1."""
    if not len(per_value):
        return np.full(len(codes), null, dtype=per_value.dtype)
    return np.where(codes >= 0, per_value[np.maximum(codes, 0)], null)


def encode(values: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """Dictionary-encode: a code per row (-1 for null) and the distinct values.

    The checks then run once per distinct value (a day has ~10 rows per plate).
    """
    encoded = pc.dictionary_encode(values)
    return filled(encoded.indices, -1).astype(np.int64), encoded.dictionary


def utf8_buffers(values: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start and length of each string in the data buffer, and the buffer as bytes."""
    values = pc.fill_null(values.cast(pa.string()), "")
    n = len(values)
    offsets = np.frombuffer(values.buffers()[1], np.int32, count=n + 1, offset=values.offset * 4)
    buffer = values.buffers()[2]
    data = np.frombuffer(buffer, np.uint8) if buffer is not None else np.zeros(0, np.uint8)
    if not len(data):
        data = np.zeros(1, np.uint8)
    return offsets[:-1].astype(np.int64), np.diff(offsets), data
