"""Units' position history: telemetry in the data pool, read for a unit's track with a purpose.

A unit's latest fix lives in the database (``unit.lng/lat/position_at``) and
its earlier fixes are history, not records: they are taken from the
``units.moved`` events (one per station per batch, the outbox is the truth)
by a durable consumer, gathered in memory and appended to the pool's
``unit_tracks`` dataset (Parquet, partitioned by day, sorted by unit and
time) once a minute or every ``TRACK_ROWS`` rows, not millions of audit
rows. A finished day's minute files are rewritten into one file sorted by
unit and time (the pool's own crash-safe compaction), and days older than
``track_kept_days`` are deleted (:func:`track_upkeep`). A crash loses at
most the fixes gathered since the last append (the consumer has moved past
them).

Where an officer was is personal: the track is read only with a case or
dispatch of the reader's own live work and a purpose, and the read is
audited (:func:`yanyun.core.audit.record_personal_read`).
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime

import pyarrow as pa
from sqlalchemy.orm import Session

from yanyun.auth.service import Actor
from yanyun.command import units
from yanyun.core import audit
from yanyun.core.bus import Delivery
from yanyun.core.clock import Clock, as_utc
from yanyun.core.db import Provider, Runtime
from yanyun.intel.pool import Dataset, DatasetSpec
from yanyun.intel.pool.key_index import KeyIndex

TRACK_SCHEMA = pa.schema(
    [
        pa.field("unit_id", pa.string(), nullable=False),
        pa.field("at", pa.timestamp("ms", tz="UTC"), nullable=False),
        pa.field("lng", pa.float64(), nullable=False),
        pa.field("lat", pa.float64(), nullable=False),
    ]
)

TRACKS = DatasetSpec(
    name="unit_tracks",
    schema=TRACK_SCHEMA,
    time_column="at",
    sort_by=("unit_id", "at"),
    key="unit_id",
    personal=True,
    source="警力单元定位 (units' AVL fixes, from the units.moved events)",
    description_zh="警力轨迹：警力单元、时间、经纬度",
    description_en="Unit tracks: unit, time, longitude, latitude",
)

#: Append to the pool when this many fixes are gathered (or after ``flush_every_s``).
TRACK_ROWS = 200_000


@dataclass
class TrackSpool:
    """Fixes gathered since the last append to the pool (one per process)."""

    dataset: Dataset
    flush_every_s: float = 60.0
    rows: list[tuple[str, datetime, float, float]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    last_flush: float = field(default_factory=time.monotonic)
    appended: int = 0
    # Row groups by unit and time over the pool's files (each footer read once): a unit's
    # hour is a few row groups, not a scan of every file of the day.
    index: KeyIndex = field(init=False)

    def __post_init__(self) -> None:
        self.index = KeyIndex(self.dataset)

    def add(self, fixes: list[tuple[str, datetime, float, float]]) -> None:
        with self.lock:
            self.rows.extend(fixes)

    def due(self) -> bool:
        return len(self.rows) >= TRACK_ROWS or (
            bool(self.rows) and time.monotonic() - self.last_flush >= self.flush_every_s
        )

    def flush(self) -> int:
        """Append what is gathered to the pool as one batch; how many fixes."""
        with self.lock:
            rows, self.rows = self.rows, []
            self.last_flush = time.monotonic()
        if not rows:
            return 0
        ids, ats, lngs, lats = zip(*rows, strict=True)
        table = pa.table(
            {"unit_id": list(ids), "at": [as_utc(a) for a in ats], "lng": list(lngs),
             "lat": list(lats)},
            schema=TRACK_SCHEMA,
        )
        try:
            self.dataset.append(table, batch_id=uuid.uuid4().hex)
        except BaseException:
            with self.lock:  # kept for the next try
                self.rows[:0] = rows
            raise
        self.appended += len(rows)
        return len(rows)

    def pending(self, unit_id: str, since: datetime, until: datetime) -> list[dict]:
        with self.lock:
            return [
                {"at": as_utc(a), "lng": x, "lat": y}
                for u, a, x, y in self.rows
                if u == unit_id and since <= as_utc(a) < until
            ]


TRACK_SPOOL: Provider[TrackSpool] = Provider(
    "field.track_spool",
    lambda runtime: TrackSpool(
        Dataset(runtime.settings.lake_path, TRACKS),
        flush_every_s=runtime.settings.field.track_flush_s,
    ),
)


def keep_moves(delivery: Delivery) -> None:
    """A batch of fixes (one station's) joins the history; appended to the pool when due."""
    spool = delivery.runtime.provide(TRACK_SPOOL)
    spool.add([(p.id, p.at, p.lng, p.lat) for p in delivery.event.positions])
    if spool.due():
        spool.flush()


def flush_tracks(runtime: Runtime) -> str:
    """Append the gathered fixes even when no more arrive (the periodic job)."""
    return f"{runtime.provide(TRACK_SPOOL).flush()} fixes appended to unit_tracks"


#: Batch ids of appended fixes are remembered this long (the spool never sends one again).
LEDGER_KEPT_MS = 2 * 86_400_000


def track_upkeep(runtime: Runtime) -> str:
    """Compact finished days of tracks, delete the days past retention (the periodic job)."""
    settings = runtime.settings.field
    dataset = runtime.provide(TRACK_SPOOL).dataset
    now_ms = _ms(runtime.clock.now())
    compacted = dataset.compact_finished_days(
        now_ms - int(settings.track_compact_after_h * 3_600_000)
    )
    forgotten = 0
    if settings.track_kept_days:
        forgotten = dataset.forget_days_before(now_ms - settings.track_kept_days * 86_400_000)
    dataset.prune_ledger(now_ms - LEDGER_KEPT_MS)
    return f"{len(compacted)} days compacted, {forgotten} fixes past retention deleted"


def _ms(moment: datetime) -> int:
    return int(as_utc(moment).timestamp() * 1000)


def unit_track(
    *,
    session: Session,
    runtime: Runtime,
    clock: Clock,
    actor: Actor,
    unit_id: str,
    since: datetime,
    until: datetime,
    purpose: str | None,
    case_number: str | None,
    limit: int,
) -> list[dict]:
    """The unit's fixes in [since, until), oldest first; the read is bound to work and audited."""
    unit = units.get_unit(session=session, actor=actor, unit_id=unit_id)
    audit.record_personal_read(
        session, clock=clock, resource_type="unit_track", resource_id=unit.id,
        purpose=purpose, case_number=case_number,
        detail={"since": as_utc(since).isoformat(), "until": as_utc(until).isoformat()},
    )
    spool = runtime.provide(TRACK_SPOOL)
    table, _ = spool.index.lookup([unit.id], _ms(since), _ms(until))
    points = [{"at": r["at"], "lng": r["lng"], "lat": r["lat"]} for r in table.to_pylist()]
    points += spool.pending(unit.id, as_utc(since), as_utc(until))
    points.sort(key=lambda p: p["at"])
    return points[:limit]
