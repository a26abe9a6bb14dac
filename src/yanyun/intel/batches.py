"""Taking a batch of sightings: check it, make its accepted rows durable, quarantine the rest.

The pool's own writes are durable when they return (fsync), so an answer that
says "accepted" is true whatever the database transaction does afterwards, and
the batch ledger in the pool's manifest recognises a re-sent batch even if the
database row was lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy.orm import Session

from yanyun.auth.service import Actor
from yanyun.core.clock import Clock
from yanyun.core.errors import Invalid
from yanyun.intel import ingest as checks
from yanyun.intel import watchlist
from yanyun.intel.camera_book import CameraBook
from yanyun.intel.cameras import camera_book
from yanyun.intel.lake import Pool
from yanyun.intel.models import IngestBatch
from yanyun.intel.pool import SIGHTINGS, AppendResult
from yanyun.intel.quarantine import quarantine_rejects
from yanyun.intel.settings import IntelSettings


@dataclass(frozen=True)
class IngestResult:
    """What a batch came to: its counts, and the first refused rows with their reasons."""

    batch_id: str
    rows: int
    accepted: int
    rejected: int
    flagged: int
    duplicate_batch: bool
    rejects: list[dict[str, Any]]
    rejects_truncated: bool


def _check_batch_id(batch_id: str | None) -> str:
    batch_id = (batch_id or "").strip()
    if not batch_id or len(batch_id) > 64 or not all(c.isalnum() or c in "-_.:" for c in batch_id):
        raise Invalid(
            "batch_id",
            "批次编号必填，1-64位字母、数字或 -_.:",
            "batch_id is required: 1-64 letters, digits or -_.:",
        )
    return batch_id


def _check_shape(table: pa.Table, settings: IntelSettings) -> None:
    """Refuse a batch too large or without the columns every row needs."""
    if table.num_rows > settings.max_batch_rows:
        raise Invalid(
            "rows",
            f"单批最多{settings.max_batch_rows}行",
            f"a batch holds at most {settings.max_batch_rows} rows",
        )
    missing = [c for c in ("plate", "camera", "seen_at") if c not in table.schema.names]
    if missing:
        raise Invalid(
            "columns", f"缺少列：{', '.join(missing)}", f"missing columns: {', '.join(missing)}"
        )


def ingest(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    pool: Pool,
    settings: IntelSettings,
    table: pa.Table,
    batch_id: str | None,
    source: str,
    max_rejects: int = 10_000,
) -> IngestResult:
    """Validate a batch; durable accepted rows in the pool, refused rows in quarantine."""
    batch_id = _check_batch_id(batch_id)
    _check_shape(table, settings)
    with pool.ingest_lock:
        known = pool.sightings.manifest().batches.get(batch_id)
        if known is not None:
            _ledger(session, clock, actor, batch_id, source, known)
            return _already_received(batch_id, known)
        now = clock.now()
        now_ms = int(now.timestamp() * 1000)
        checked, recent = _check_rows(
            session=session, pool=pool, settings=settings, table=table, now_ms=now_ms
        )
        rejected = checked.rejects.num_rows
        if rejected:
            quarantine_rejects(
                pool=pool, rejects=checked.rejects, batch_id=batch_id, now=now, now_ms=now_ms
            )
        result = _append_accepted(
            pool=pool, checked=checked, recent=recent, batch_id=batch_id, source=source, now=now
        )
    if not result.duplicate:
        # Watched plates (布控) are raised with the batch's answer, in its transaction.
        watchlist.check_batch(session=session, clock=clock, accepted=checked.accepted)
    _ledger(session, clock, actor, batch_id, source, result.recorded)
    return IngestResult(
        batch_id=batch_id,
        rows=checked.rows,
        accepted=checked.accepted.num_rows,
        rejected=rejected,
        flagged=checked.flagged,
        duplicate_batch=result.duplicate,
        rejects=_reject_items(checked.rejects, max_rejects),
        rejects_truncated=rejected > max_rejects,
    )


def _already_received(batch_id: str, known: dict[str, Any]) -> IngestResult:
    """The answer to a re-sent batch: the counts the ledger recorded, nothing added."""
    return IngestResult(
        batch_id,
        known.get("rows_in", known["rows"]),
        known["rows"],
        known.get("rejected", 0),
        known.get("flagged", 0),
        True,
        [],
        False,
    )


def _check_rows(
    *, session: Session, pool: Pool, settings: IntelSettings, table: pa.Table, now_ms: int
) -> tuple[checks.Checked, checks.RecentSightings]:
    """Check every row against the registry and the sightings of recent batches."""
    book = camera_book(session=session, pool=pool)
    recent = recent_sightings(pool=pool, cameras=book, settings=settings, now_ms=now_ms)
    checked = checks.check(
        table,
        cameras=book,
        now_ms=now_ms,
        future_tolerance_ms=settings.future_tolerance_s * 1000,
        max_speed_kmh=settings.max_speed_kmh,
        recent=recent,
    )
    return checked, recent


def _append_accepted(
    *,
    pool: Pool,
    checked: checks.Checked,
    recent: checks.RecentSightings,
    batch_id: str,
    source: str,
    now: datetime,
) -> AppendResult:
    """Make the accepted rows durable with the batch's counts in the ledger, then remember them."""
    accepted = checked.accepted.append_column(
        "batch_id", pa.repeat(batch_id, checked.accepted.num_rows)
    )
    record = {
        "rows_in": checked.rows,
        "rejected": checked.rejects.num_rows,
        "flagged": checked.flagged,
        "source": source,
        "at": now.isoformat(),
    }
    result = pool.sightings.append(
        accepted,
        batch_id=batch_id,
        record=record,
        presorted=True,
        received_ms=int(now.timestamp() * 1000),
    )
    if not result.duplicate and checked.seen is not None:
        recent.add(checked.seen)  # durable now: later batches are checked against it
        pool.recent_batches.add(batch_id)
    return result


def _reject_items(rejects: pa.Table, max_rejects: int) -> list[dict[str, Any]]:
    """The first `max_rejects` refused rows as the sender sees them, with the reason's message."""
    return [
        {
            "row": r["row"],
            "reason": r["reason"],
            "message": {
                "zh-CN": checks.REASONS[r["reason"]][0],
                "en": checks.REASONS[r["reason"]][1],
            },
            "plate": r["plate"],
            "camera": r["camera"],
            "seen_at": r["seen_at"],
        }
        for r in rejects.slice(0, max_rejects).to_pylist()
    ]


def recent_sightings(
    *, pool: Pool, cameras: CameraBook, settings: IntelSettings, now_ms: int
) -> checks.RecentSightings:
    """The writer's memory of recent sightings, rebuilt from the pool when it cannot be trusted.

    Built on the first ingest after the pool is opened, and again whenever the
    manifest names a batch this process did not write (another process, the
    demo builder, a CLI load): reading the window's rows back is the only way
    to be sure. Compactions do not count: they move rows, never add them.
    """
    window_ms = settings.recent_window_h * 3_600_000
    batches = set(pool.sightings.manifest().batches)
    recent = pool.recent
    if recent is None or recent.window_ms != window_ms or batches - pool.recent_batches:
        recent = checks.RecentSightings(window_ms)
        recent.advance(now_ms)
        for entry in pool.sightings.files(start_ms=recent.horizon_ms):
            rows = pq.read_table(
                pool.sightings.root / entry.path,
                columns=["plate", "camera", "seen_at"],
                filters=[
                    ("seen_at", ">=", pa.scalar(recent.horizon_ms, pa.timestamp("ms", "UTC")))
                ],
            )
            recent.add_rows(rows, cameras)
        pool.recent = recent
    recent.advance(now_ms)
    pool.recent_batches = batches
    return recent


def _ledger(
    session: Session, clock: Clock, actor: Actor, batch_id: str, source: str, known: dict
) -> None:
    if session.get(IngestBatch, batch_id) is not None:
        return
    session.add(
        IngestBatch(
            batch_id=batch_id,
            dataset=SIGHTINGS.name,
            source=known.get("source", source),
            received_at=clock.now(),
            rows=known.get("rows_in", known["rows"]),
            accepted=known["rows"],
            rejected=known.get("rejected", 0),
            flagged=known.get("flagged", 0),
            received_by=actor.username,
        )
    )
    session.flush()
