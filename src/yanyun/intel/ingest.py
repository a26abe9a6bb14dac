"""Ingest validation: every row checked, bad rows kept with a reason, nothing silently lost.

Batches arrive as JSON rows, Arrow IPC, CSV or Parquet; all become one Arrow
table and pass the same vectorised checks. A row is refused for one reason
(the first that applies, in the order of REASONS); an absurd speed between two
sightings of one plate is a flag on the later sighting, not a refusal, since
a misread plate or a clock drift still deserves a look.

Modules: `batch_formats` (reading a batch), `sighting_times` (its times),
`pool_order` (sorting rows as the pool keeps them), `sighting_keys` (what
makes two rows one sighting), `speeds` (absurd speeds) and `recent` (what
earlier batches saw); this module holds the rules and re-exports the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from yanyun.intel.arrow_columns import column_or_nulls, encode, filled, per_row, valid_mask
from yanyun.intel.batch_formats import (
    INPUT_COLUMNS,
    UnreadableBatch,
    read_arrow_ipc,
    read_csv,
    read_parquet,
    rows_to_table,
)
from yanyun.intel.camera_book import CameraBook
from yanyun.intel.plates import EBIKE_PREFIX, PLATE_PATTERN
from yanyun.intel.pool_order import byte_ranks, pool_order
from yanyun.intel.recent import HOUR_MS, RecentSightings, Seen
from yanyun.intel.sighting_keys import sighting_keys, string_hashes
from yanyun.intel.sighting_times import times_as_text, times_ms
from yanyun.intel.speeds import absurd_speed_flags

__all__ = [
    "HOUR_MS",
    "INPUT_COLUMNS",
    "REASONS",
    "REASON_CODES",
    "VEHICLE_KINDS",
    "Checked",
    "RecentSightings",
    "Seen",
    "UnreadableBatch",
    "check",
    "read_arrow_ipc",
    "read_csv",
    "read_parquet",
    "rows_to_table",
]

VEHICLE_KINDS = ("car", "ebike", "truck", "bus", "motorcycle")

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
    "resent": ("该记录已在先前批次入库", "already received in an earlier batch"),
}
REASON_CODES = ("", *REASONS)  # reason code 0: accepted


@dataclass
class Checked:
    accepted: pa.Table  # pool schema minus batch_id
    rejects: pa.Table  # row, reason, plate, camera, seen_at, kind (as text)
    flagged: int
    rows: int
    seen: Seen | None = None  # what the accepted rows add to RecentSightings


@dataclass
class _Decoded:
    """A batch's columns read once: per row, an index into its distinct plates and cameras."""

    raw_plate: pa.Array
    plates: pa.Array  # distinct plates, normalised
    plate_id: np.ndarray  # per row: index into `plates`, -1 if null
    plate_ok: np.ndarray  # per distinct plate: well formed
    plate_empty: np.ndarray  # per distinct plate: empty once normalised
    raw_camera: pa.Array
    camera_word: np.ndarray  # per row: index into its distinct camera codes, -1 if null
    cam: np.ndarray  # per row: index into the registry, -1 if unknown
    raw_seen: pa.Array
    seen_ms: np.ndarray
    bad_time: np.ndarray
    kind_code: np.ndarray  # per row: index into VEHICLE_KINDS, -1 if unknown


@dataclass
class _Kept:
    """The rows still accepted after duplicates, in the pool's order, as arrays per row."""

    order: np.ndarray  # row numbers
    plate: np.ndarray  # index into the distinct plates
    ms: np.ndarray
    cam: np.ndarray
    same_plate: np.ndarray  # row i-1 is the same plate
    first: np.ndarray  # where each plate's rows start
    keys: np.ndarray
    plate_hash: np.ndarray  # per distinct plate


def check(
    table: pa.Table,
    *,
    cameras: CameraBook,
    now_ms: int,
    future_tolerance_ms: int,
    max_speed_kmh: float,
    recent: RecentSightings | None = None,
) -> Checked:
    """Check every row of a batch, vectorised; sort the accepted ones in the pool's order.

    `recent` (the sightings accepted by earlier batches within its window)
    turns a row sent again into `resent` and flags an absurd speed against a
    plate's sighting in an earlier batch. It is only read: the caller adds
    `Checked.seen` to it once the batch is durable.
    """
    decoded = _decode(table, cameras)
    reason = _refusals(
        decoded, cameras=cameras, now_ms=now_ms, future_tolerance_ms=future_tolerance_ms
    )
    kept = _in_pool_order(decoded, reason, cameras=cameras, recent=recent)
    flags = _flags(kept, cameras=cameras, recent=recent, max_speed_kmh=max_speed_kmh)
    seen = _seen(kept, cameras)
    return Checked(
        accepted=_accepted_table(decoded, kept, flags, cameras),
        rejects=_rejects_table(table, decoded, reason),
        flagged=int((flags != 0).sum()),
        rows=table.num_rows,
        seen=seen,
    )


def _decode(table: pa.Table, cameras: CameraBook) -> _Decoded:
    """Normalise plates, find cameras in the registry, read times and kinds, once per value."""
    raw_plate = column_or_nulls(table, "plate").cast(pa.string())
    row_word, words = encode(raw_plate)
    if pc.any(pc.match_substring_regex(words, r"[\s·•\-.a-z]")).as_py():
        words = pc.ascii_upper(pc.replace_substring_regex(words, r"[\s·•\-.]", ""))
        word_plate, plates = encode(words)  # spellings that normalise alike become one plate
    else:
        word_plate, plates = np.arange(len(words), dtype=np.int64), words
    plate_id = per_row(word_plate, row_word, -1)
    plate_ok = filled(pc.match_substring_regex(plates, PLATE_PATTERN), False).astype(bool)
    plate_empty = filled(pc.equal(plates, ""), True).astype(bool)

    raw_camera = column_or_nulls(table, "camera").cast(pa.string())
    row_cam_word, cam_words = encode(pc.utf8_trim_whitespace(raw_camera))
    cam_of_word = filled(pc.index_in(cam_words, value_set=cameras.codes), -1).astype(np.int64)
    cam = per_row(cam_of_word, row_cam_word, -1)

    raw_seen = column_or_nulls(table, "seen_at")
    seen_ms, bad_time = times_ms(raw_seen)

    kind_code = _kinds(column_or_nulls(table, "kind").cast(pa.string()), plates, plate_id)
    return _Decoded(
        raw_plate=raw_plate,
        plates=plates,
        plate_id=plate_id,
        plate_ok=plate_ok,
        plate_empty=plate_empty,
        raw_camera=raw_camera,
        camera_word=row_cam_word,
        cam=cam,
        raw_seen=raw_seen,
        seen_ms=seen_ms,
        bad_time=bad_time,
        kind_code=kind_code,
    )


def _refusals(
    d: _Decoded, *, cameras: CameraBook, now_ms: int, future_tolerance_ms: int
) -> np.ndarray:
    """Per row, the code of the first reason in REASONS that refuses it (0: none yet)."""
    missing = (
        (d.plate_id < 0)
        | (d.camera_word < 0)
        | ~valid_mask(d.raw_seen)
        | per_row(d.plate_empty, d.plate_id, True)
    )
    unknown = d.cam < 0
    safe_cam = np.maximum(d.cam, 0)
    reason = np.zeros(len(d.plate_id), np.int8)
    for mask, code in (
        (missing, "missing_field"),
        (~per_row(d.plate_ok, d.plate_id, False), "malformed_plate"),
        (d.bad_time, "bad_time"),
        (d.kind_code < 0, "bad_kind"),
        (unknown, "unknown_camera"),
        (d.seen_ms > now_ms + future_tolerance_ms, "future_time"),
        (~unknown & (d.seen_ms < cameras.installed_ms[safe_cam]), "before_camera"),
    ):
        reason[(reason == 0) & mask] = REASON_CODES.index(code)
    return reason


def _in_pool_order(
    d: _Decoded, reason: np.ndarray, *, cameras: CameraBook, recent: RecentSightings | None
) -> _Kept:
    """Sort the rows not refused yet; refuse duplicates and re-sent rows (marked in `reason`).

    One sort in the pool's order (plate, time, camera) serves three ends:
    duplicates are neighbours, speeds are between neighbours, and the pool
    needs no sort of its own. Plates are ranked once per distinct plate.
    """
    good = np.flatnonzero(reason == 0)
    order = good[
        pool_order(
            byte_ranks(d.plates)[d.plate_id[good]], d.seen_ms[good], cameras.rank[d.cam[good]]
        )
    ]
    p, s, c = d.plate_id[order], d.seen_ms[order], d.cam[order]
    same_plate = np.zeros(len(order), bool)
    same_plate[1:] = p[1:] == p[:-1]
    dup = np.zeros(len(order), bool)
    dup[1:] = same_plate[1:] & (s[1:] == s[:-1]) & (c[1:] == c[:-1])
    reason[order[dup]] = REASON_CODES.index("duplicate")
    plate_hash = string_hashes(d.plates)
    keys = sighting_keys(plate_hash[p], cameras.code_hash[c], s)
    if recent is not None:
        resent = ~dup & recent.contains(keys, s)
        reason[order[resent]] = REASON_CODES.index("resent")
        dup |= resent
    keep = ~dup
    order, p, s, c, same_plate, keys = (
        order[keep],
        p[keep],
        s[keep],
        c[keep],
        same_plate[keep],
        keys[keep],
    )
    same_plate[1:] = p[1:] == p[:-1]  # the refused rows are gone: neighbours anew
    same_plate[:1] = False
    first = np.flatnonzero(~same_plate)
    return _Kept(order, p, s, c, same_plate, first, keys, plate_hash)


def _flags(
    kept: _Kept, *, cameras: CameraBook, recent: RecentSightings | None, max_speed_kmh: float
) -> np.ndarray:
    """Absurd speeds within the batch, and from each plate's sighting in an earlier batch."""
    c, first = kept.cam, kept.first
    flags = absurd_speed_flags(
        kept.same_plate, kept.ms, cameras.lng[c], cameras.lat[c], max_speed_kmh
    )
    if recent is not None and len(first):
        flags[first] |= recent.speed_flags(
            kept.plate_hash[kept.plate[first]],
            kept.ms[first],
            cameras.lng[c[first]],
            cameras.lat[c[first]],
            max_speed_kmh,
        )
    return flags


def _seen(kept: _Kept, cameras: CameraBook) -> Seen:
    """What the accepted rows add to RecentSightings: their keys, each plate's last sighting."""
    first, p, s, c = kept.first, kept.plate, kept.ms, kept.cam
    last = np.append(first[1:] - 1, len(p) - 1) if len(first) else first
    return Seen(
        keys=kept.keys,
        ms=s,
        plate_hash=kept.plate_hash[p[last]],
        last_ms=s[last],
        last_lng=cameras.lng[c[last]],
        last_lat=cameras.lat[c[last]],
    )


def _accepted_table(d: _Decoded, kept: _Kept, flags: np.ndarray, cameras: CameraBook) -> pa.Table:
    """The accepted rows in the pool's schema (without the batch id), in the pool's order."""
    return pa.table(
        {
            "plate": d.plates.take(pa.array(kept.plate)),
            "kind": pa.array(VEHICLE_KINDS, pa.string()).take(pa.array(d.kind_code[kept.order])),
            "camera": cameras.codes.take(pa.array(kept.cam)),
            "seen_at": pa.array(kept.ms, pa.timestamp("ms", tz="UTC")),
            "flags": pa.array(flags, pa.int8()),
        }
    )


def _rejects_table(table: pa.Table, d: _Decoded, reason: np.ndarray) -> pa.Table:
    """The refused rows as they were sent (as text), each with its row number and reason."""
    bad = np.flatnonzero(reason != 0)
    taken = pa.array(bad)
    return pa.table(
        {
            "row": pa.array(bad.astype(np.int32)),
            "reason": pa.array(REASON_CODES, pa.string()).take(pa.array(reason[bad])),
            "plate": d.raw_plate.take(taken),
            "camera": d.raw_camera.take(taken),
            "seen_at": times_as_text(d.raw_seen.take(taken)),
            "kind": column_or_nulls(table, "kind").cast(pa.string()).take(taken),
        }
    )


def _kinds(raw: pa.Array, plates: pa.Array, plate_of_row: np.ndarray) -> np.ndarray:
    """Index into VEHICLE_KINDS per row; -1 for an unknown kind; inferred from the plate if none."""
    row_word, words = encode(raw)
    known = pa.array(VEHICLE_KINDS, pa.string())
    of_word = filled(pc.index_in(pc.utf8_lower(words), value_set=known), -1).astype(np.int64)
    ebike = filled(pc.starts_with(plates, EBIKE_PREFIX), False).astype(bool)
    inferred = np.where(ebike, VEHICLE_KINDS.index("ebike"), VEHICLE_KINDS.index("car"))
    return np.where(
        row_word >= 0, per_row(of_word, row_word, -1), per_row(inferred, plate_of_row, 0)
    )
