"""The outbox: every state change writes its event in the same transaction.

Live fan-out, notifications and exports read committed rows from here, so
nothing is announced that was not committed. Event ids are the cursor a
client resumes from after a reconnect.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from yanyun.core.clock import Clock
from yanyun.core.db import Base

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets a bigint.
EventId = BigInteger().with_variant(Integer(), "sqlite")


class OutboxEvent(Base):
    """A committed fact about a change, in commit order, scoped to an org path."""

    __tablename__ = "outbox_event"
    __audited__ = False

    id: Mapped[int] = mapped_column(EventId, primary_key=True, autoincrement=True)
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(64), index=True)
    resource_type: Mapped[str] = mapped_column(String(64))
    resource_id: Mapped[str] = mapped_column(String(64))
    # Materialised org path ("4304/430405/430405-S03"): a subscriber scoped to
    # a unit sees events whose path starts with its own.
    org_path: Mapped[str] = mapped_column(String(255), default="", index=True)
    actor: Mapped[str | None] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


def emit(
    session: Session,
    *,
    clock: Clock,
    kind: str,
    resource_type: str,
    resource_id: str,
    org_path: str = "",
    actor: str | None = None,
    payload: dict[str, Any] | None = None,
) -> OutboxEvent:
    """Add an event to the caller's transaction; it exists only if that commits."""
    row = OutboxEvent(
        at=clock.now(),
        kind=kind,
        resource_type=resource_type,
        resource_id=resource_id,
        org_path=org_path,
        actor=actor if actor is not None else session.info.get("actor_id"),
        payload=payload or {},
    )
    session.add(row)
    return row


def visible_to(org_path: str, scope_path: str) -> bool:
    """Whether an event at `org_path` may be shown to a user scoped to `scope_path`.

    City-wide events (empty path) are visible to everyone; an empty scope sees all.

    >>> visible_to("4304/430405/430405-S03", "4304/430405")
    True
    >>> visible_to("4304/430406", "4304/430405")
    False
    >>> visible_to("4304/430405-S1", "4304/430405")
    False
    """
    if not scope_path or not org_path:
        return True
    return org_path == scope_path or org_path.startswith(scope_path + "/")


def events_after(session: Session, *, after_id: int, limit: int = 500) -> list[OutboxEvent]:
    """Committed events with an id above the cursor, oldest first."""
    stmt = (
        select(OutboxEvent).where(OutboxEvent.id > after_id).order_by(OutboxEvent.id).limit(limit)
    )
    return list(session.scalars(stmt))


def latest_event_id(session: Session) -> int:
    """The highest committed event id, 0 when there is none."""
    from sqlalchemy import func

    return session.scalar(select(func.coalesce(func.max(OutboxEvent.id), 0))) or 0


@dataclass
class GapTracker:
    """Delivers events in id order without skipping ones still committing.

    On PostgreSQL ids come from a sequence, so a transaction that took id 7 may
    commit after one that took id 8. A reader that jumped to 8 would lose 7.
    The tracker holds back everything after a gap until the gap fills or is
    older than `grace` (then its transaction rolled back and the id is void).
    """

    cursor: int = 0
    grace: timedelta = timedelta(seconds=5)
    _gap_seen_at: dict[int, datetime] | None = None

    def accept(self, rows: list[OutboxEvent], now: datetime) -> list[OutboxEvent]:
        """Return the rows that may be delivered now and advance the cursor."""
        if self._gap_seen_at is None:
            self._gap_seen_at = {}
        out: list[OutboxEvent] = []
        expected = self.cursor + 1
        for row in rows:
            while row.id > expected:
                first_seen = self._gap_seen_at.setdefault(expected, now)
                if now - first_seen < self.grace:
                    self.cursor = expected - 1
                    return out
                self._gap_seen_at.pop(expected, None)
                expected += 1
            out.append(row)
            self._gap_seen_at.pop(row.id, None)
            expected = row.id + 1
        self.cursor = expected - 1
        return out
