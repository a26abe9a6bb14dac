"""Incidents from any file: CSV or Parquet, with the column names given by the caller.

Rows without a usable time or coordinates are counted by reason in
`EventSet.dropped` and reported by the CLI, never silently lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from yanyun.stats.grid import EventSet, build_events


@dataclass(frozen=True)
class Columns:
    time: str = "occurred_at"
    lng: str = "lon"
    lat: str = "lat"
    category: str | None = "primary_type"
    # the hour of day in its own column (0-23), the date then read from `time` (Toronto's
    # OCC_DATE + OCC_HOUR); None when `time` holds the whole moment
    hour: str | None = None


def read_table(path: Path, columns: Columns, since: str | None = None) -> pa.Table:
    wanted = [
        c for c in (columns.time, columns.hour, columns.lng, columns.lat, columns.category) if c
    ]
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        import pyarrow.parquet as pq

        names = pq.ParquetFile(path).schema_arrow.names
        _check(wanted, names, path)
        table = pq.read_table(path, columns=wanted)
        return _since(table, columns, since)
    if suffix in (".csv", ".txt", ".gz"):
        from pyarrow import csv

        with csv.open_csv(path) as reader:
            _check(wanted, reader.schema.names, path)
        options = csv.ConvertOptions(include_columns=wanted, strings_can_be_null=True)
        table = csv.read_csv(path, convert_options=options)
        return _since(table, columns, since)
    raise ValueError(f"unsupported file type {suffix!r}: use .csv or .parquet")


def _since(table: pa.Table, columns: Columns, since: str | None) -> pa.Table:
    col = table.column(columns.time)
    if since is None or not pa.types.is_timestamp(col.type):
        return table
    bound = pa.scalar(np.datetime64(since, "s"), type=pa.timestamp("s")).cast(col.type)
    # keep rows without a time: they are counted as dropped, not filtered away
    keep = pc.or_kleene(pc.greater_equal(col, bound), pc.is_null(col))
    return table.filter(keep)


def _check(wanted: list[str], names: list[str], path: Path) -> None:
    missing = [c for c in wanted if c not in names]
    if missing:
        raise ValueError(
            f"{path.name}: no column {', '.join(missing)}; columns are {', '.join(names)}"
        )


def _times(col: pa.ChunkedArray) -> np.ndarray:
    if pa.types.is_date(col.type):
        col = col.cast(pa.timestamp("s"))
    if pa.types.is_timestamp(col.type):
        if col.type.tz is not None:  # keep the wall clock of the data's own zone
            col = pc.local_timestamp(col)
        return col.cast(pa.timestamp("s")).to_numpy(zero_copy_only=False)
    text = pc.cast(col, pa.string())
    try:  # ISO 8601 text: Arrow parses it in C
        return pc.cast(text, pa.timestamp("s")).to_numpy(zero_copy_only=False)
    except pa.ArrowInvalid:
        pass  # some rows do not parse: find them one by one, and count them as dropped
    parsed = np.array(
        [np.datetime64(v.replace(" ", "T")[:19]) if v else np.datetime64("NaT") for v in
         _safe_strings(text)],
        dtype="datetime64[s]",
    )
    return parsed


def _safe_strings(col: pa.ChunkedArray) -> list[str | None]:
    out = []
    for v in col.to_pylist():
        try:
            if v:
                np.datetime64(v.replace(" ", "T")[:19])
            out.append(v)
        except ValueError:
            out.append(None)
    return out


def with_hour(times: np.ndarray, hour_col: pa.ChunkedArray) -> np.ndarray:
    """The day of each time with the hour of its row from a separate column; a missing or
    out-of-range hour (not 0-23) makes the time unusable (NaT, counted as dropped)."""
    hours = pc.cast(hour_col, pa.float64(), safe=False) if not pa.types.is_string(
        hour_col.type
    ) else _hours_of_text(hour_col)
    h = np.asarray(hours.to_numpy(zero_copy_only=False), dtype=float)
    ok = np.isfinite(h) & (h >= 0) & (h < 24) & (np.floor(h) == h)
    day = times.astype("datetime64[D]").astype("datetime64[s]")
    out = day + (np.where(ok, h, 0).astype(np.int64) * 3600).astype("timedelta64[s]")
    out[~ok] = np.datetime64("NaT")
    return out


def _hours_of_text(col: pa.ChunkedArray) -> pa.Array:
    values = []
    for v in col.to_pylist():
        try:
            values.append(float(v) if v is not None and v.strip() else None)
        except ValueError:
            values.append(None)
    return pa.array(values, type=pa.float64())


def load_events(
    path: Path, columns: Columns = Columns(), *, cell_m: float = 150.0, since: str | None = None
) -> EventSet:
    table = read_table(Path(path), columns, since)
    times = _times(table.column(columns.time))
    if columns.hour:
        times = with_hour(times, table.column(columns.hour))
    lng = pc.cast(table.column(columns.lng), pa.float64()).to_numpy(zero_copy_only=False)
    lat = pc.cast(table.column(columns.lat), pa.float64()).to_numpy(zero_copy_only=False)
    cats = None
    if columns.category:
        cats = pc.cast(table.column(columns.category), pa.string()).fill_null("").to_numpy(
            zero_copy_only=False
        )
    return build_events(times, lng, lat, cats, cell_m=cell_m)
