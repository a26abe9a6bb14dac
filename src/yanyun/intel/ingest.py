"""Ingest validation: every row checked, bad rows kept with a reason, nothing silently lost.

Batches arrive as JSON rows, Arrow IPC, CSV or Parquet; all become one Arrow
table and pass the same vectorised checks. A row is refused for one reason
(the first that applies, in the order of REASONS); an absurd speed between two
sightings of one plate is a flag on the later sighting, not a refusal, since
a misread plate or a clock drift still deserves a look.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

from yanyun.intel.plates import EBIKE_PREFIX, PLATE_PATTERN
from yanyun.intel.pool import FLAG_ABSURD_SPEED

VEHICLE_KINDS = ("car", "ebike", "truck", "bus", "motorcycle")
INPUT_COLUMNS = ("plate", "camera", "seen_at", "kind")

REASONS: dict[str, tuple[str, str]] = {
    "missing_field": ("缺少号牌、点位或时间", "plate, camera or time is missing"),
    "malformed_plate": ("号牌格式不正确", "the plate is malformed"),
    "bad_time": (
        "时间无法解析（需ISO 8601带时区）",
        "the time cannot be parsed (ISO 8601 with zone)",
    ),
    "bad_kind": ("车辆类型未知", "unknown vehicle kind"),
    "unknown_camera": ("点位编号不存在", "unknown camera"),
    "future_time": ("时间晚于当前时间", "the time is in the future"),
    "before_camera": ("时间早于该点位建成", "the time is before the camera was installed"),
    "duplicate": ("批次内重复记录", "duplicate of an earlier row in the batch"),
}


@dataclass(frozen=True)
class CameraBook:
    """The camera registry as arrays, for vectorised checks (built once, cached)."""

    codes: pa.Array
    installed_ms: np.ndarray
    lng: np.ndarray
    lat: np.ndarray


@dataclass
class Checked:
    accepted: pa.Table  # pool schema minus batch_id
    rejects: pa.Table  # row, reason, plate, camera, seen_at, kind (as text)
    flagged: int
    rows: int


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


def _column(table: pa.Table, name: str) -> pa.ChunkedArray:
    if name in table.schema.names:
        return table.column(name)
    return pa.chunked_array([pa.nulls(table.num_rows, pa.string())])


def _times_ms(column: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """Epoch ms of each row and a mask of rows whose time could not be read."""
    t = column.type
    if pa.types.is_timestamp(t):
        if t.tz is None:  # a zone-less timestamp is ambiguous: refuse, do not guess
            n = len(column)
            return np.zeros(n, np.int64), np.ones(n, bool)
        ms = pc.cast(column, pa.timestamp("ms", tz="UTC")).cast(pa.int64())
        valid = pc.is_valid(ms).to_numpy(zero_copy_only=False)
        return pc.fill_null(ms, 0).to_numpy(zero_copy_only=False).astype(np.int64), ~valid
    if pa.types.is_integer(t):
        valid = pc.is_valid(column).to_numpy(zero_copy_only=False)
        values = pc.fill_null(column, 0).to_numpy(zero_copy_only=False).astype(np.int64)
        return values, ~valid
    texts = column.cast(pa.string()).to_pylist()
    ms = np.zeros(len(texts), np.int64)
    bad = np.zeros(len(texts), bool)
    for i, text in enumerate(texts):
        if text is None:
            bad[i] = True
            continue
        try:
            value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        except ValueError:
            bad[i] = True
            continue
        if value.tzinfo is None:
            bad[i] = True
            continue
        ms[i] = int(value.astimezone(UTC).timestamp() * 1000)
    return ms, bad


def check(
    table: pa.Table,
    *,
    cameras: CameraBook,
    now_ms: int,
    future_tolerance_ms: int,
    max_speed_kmh: float,
) -> Checked:
    n = table.num_rows
    plate = _column(table, "plate").cast(pa.string())
    if pc.any(pc.match_substring_regex(plate, r"[\s·•\-.a-z]")).as_py():
        plate = pc.ascii_upper(pc.replace_substring_regex(plate, r"[\s·•\-.]", ""))
    camera = pc.utf8_trim_whitespace(_column(table, "camera").cast(pa.string()))
    kind = _column(table, "kind").cast(pa.string())
    seen_ms, bad_time = _times_ms(_column(table, "seen_at"))

    missing = (
        pc.is_null(plate).to_numpy(zero_copy_only=False)
        | pc.is_null(camera).to_numpy(zero_copy_only=False)
        | (pc.is_null(_column(table, "seen_at")).to_numpy(zero_copy_only=False))
        | (pc.fill_null(pc.equal(plate, ""), True).to_numpy(zero_copy_only=False))
    )
    malformed = ~pc.fill_null(pc.match_substring_regex(plate, PLATE_PATTERN), False).to_numpy(
        zero_copy_only=False
    )
    inferred = pc.if_else(pc.starts_with(pc.fill_null(plate, ""), EBIKE_PREFIX), "ebike", "car")
    kind = pc.coalesce(pc.utf8_lower(kind), inferred)
    bad_kind = ~pc.is_in(kind, value_set=pa.array(VEHICLE_KINDS)).to_numpy(zero_copy_only=False)
    cam_idx = pc.index_in(camera, value_set=cameras.codes)
    unknown = pc.is_null(cam_idx).to_numpy(zero_copy_only=False)
    cam_np = pc.fill_null(cam_idx, 0).to_numpy(zero_copy_only=False).astype(np.int64)
    future = seen_ms > now_ms + future_tolerance_ms
    before = (~unknown) & (seen_ms < cameras.installed_ms[cam_np]) if n else np.zeros(0, bool)

    reason = np.full(n, "", dtype=object)
    for mask, code in (
        (missing, "missing_field"),
        (malformed, "malformed_plate"),
        (bad_time, "bad_time"),
        (bad_kind, "bad_kind"),
        (unknown, "unknown_camera"),
        (future, "future_time"),
        (before, "before_camera"),
    ):
        reason[(reason == "") & mask] = code

    ok = reason == ""
    # One sort by the pool's order (plate, time, camera) serves three ends: duplicates
    # are neighbours, speeds are between neighbours, and the pool needs no re-sort.
    cleaned = pa.table(
        {
            "plate": plate,
            "kind": kind,
            "camera": camera,
            "seen_ms": pa.array(seen_ms),
            "cam": pa.array(cam_np),
            "row": pa.array(np.arange(n, dtype=np.int64)),
        }
    )
    good = cleaned.filter(pa.array(ok))
    good = good.take(
        pc.sort_indices(
            good,
            sort_keys=[
                ("plate", "ascending"),
                ("seen_ms", "ascending"),
                ("camera", "ascending"),
                ("row", "ascending"),
            ],
        )
    )
    m = good.num_rows
    dup = np.zeros(m, bool)
    if m > 1:
        same_plate = _same_as_previous(good.column("plate"))
        s = good.column("seen_ms").to_numpy()
        c = good.column("cam").to_numpy()
        dup[1:] = same_plate & (s[1:] == s[:-1]) & (c[1:] == c[:-1])
        reason[good.column("row").to_numpy()[dup]] = "duplicate"
        ok = reason == ""
    accepted = good.filter(pa.array(~dup))
    flags = _speed_flags(accepted, cameras, max_speed_kmh)
    flagged = int((flags != 0).sum())
    accepted_table = pa.table(
        {
            "plate": accepted.column("plate"),
            "kind": accepted.column("kind"),
            "camera": accepted.column("camera"),
            "seen_at": accepted.column("seen_ms").cast(pa.timestamp("ms", tz="UTC")),
            "flags": pa.array(flags, pa.int8()),
        }
    )
    bad = ~ok
    raw_seen = _column(table, "seen_at").filter(pa.array(bad)).cast(pa.string())
    rejects = pa.table(
        {
            "row": pa.array(np.flatnonzero(bad).astype(np.int32)),
            "reason": pa.array(reason[bad].tolist(), pa.string()),
            "plate": _column(table, "plate").cast(pa.string()).filter(pa.array(bad)),
            "camera": _column(table, "camera").cast(pa.string()).filter(pa.array(bad)),
            "seen_at": raw_seen,
            "kind": _column(table, "kind").cast(pa.string()).filter(pa.array(bad)),
        }
    )
    return Checked(accepted=accepted_table, rejects=rejects, flagged=flagged, rows=n)


def _same_as_previous(column: pa.ChunkedArray) -> np.ndarray:
    """For rows 1..n-1: is the value equal to the row before (vectorised in Arrow)?"""
    values = column.combine_chunks()
    n = len(values)
    return pc.equal(values.slice(1, n - 1), values.slice(0, n - 1)).to_numpy(
        zero_copy_only=False
    )


def _speed_flags(accepted: pa.Table, cameras: CameraBook, max_speed_kmh: float) -> np.ndarray:
    """Flag a sighting reached from the plate's previous one faster than `max_speed_kmh`.

    `accepted` is sorted by plate then time.
    """
    n = accepted.num_rows
    flags = np.zeros(n, np.int8)
    if n < 2:
        return flags
    same = _same_as_previous(accepted.column("plate"))
    ms = accepted.column("seen_ms").to_numpy()
    cam = accepted.column("cam").to_numpy()
    km = _haversine_km(
        cameras.lng[cam[:-1]], cameras.lat[cam[:-1]], cameras.lng[cam[1:]], cameras.lat[cam[1:]]
    )
    hours = (ms[1:] - ms[:-1]) / 3_600_000
    with np.errstate(divide="ignore", invalid="ignore"):
        speed = np.where(
            hours > 0, km / np.where(hours > 0, hours, 1), np.where(km > 0.1, math.inf, 0)
        )
    flags[1:][same & (speed > max_speed_kmh)] = FLAG_ABSURD_SPEED
    return flags


def _haversine_km(
    lng1: np.ndarray, lat1: np.ndarray, lng2: np.ndarray, lat2: np.ndarray
) -> np.ndarray:
    lng1, lat1, lng2, lat2 = (np.radians(a) for a in (lng1, lat1, lng2, lat2))
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lng2 - lng1) / 2) ** 2
    )
    return 6371.0088 * 2 * np.arcsin(np.sqrt(a))
