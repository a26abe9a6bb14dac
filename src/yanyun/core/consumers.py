"""Durable readers of the outbox: how one context reacts to another's events.

Contexts never write each other's tables. A context that must react to
another's change (a unit crewed by duty, an incident breach becoming a
supervised task) names a consumer, and `consume` hands it each committed event
once, in id order, inside the caller's transaction; the consumer's cursor is
stored in the same transaction, so a crash either keeps both the effects and
the cursor or neither.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from yanyun.core.clock import Clock, as_utc
from yanyun.core.db import Base
from yanyun.core.events import EventId, OutboxEvent

# A missing id younger than this may still be committing (PostgreSQL sequences
# hand out ids before commit); older, its transaction rolled back.
GAP_GRACE = timedelta(seconds=5)

Handler = Callable[[Session, OutboxEvent], None]


class EventCursor(Base):
    """How far one named consumer has read the outbox."""

    __tablename__ = "event_cursor"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_id: Mapped[int] = mapped_column(EventId, default=0)
    updated_at: Mapped[datetime | None]


def _cursor(session: Session, name: str) -> EventCursor:
    cursor = session.get(EventCursor, name, with_for_update=True)
    if cursor is None:
        cursor = EventCursor(name=name, last_id=0)
        session.add(cursor)
        session.flush()
    return cursor


def consume(
    session: Session,
    *,
    clock: Clock,
    name: str,
    kinds: Iterable[str],
    handle: Handler,
    limit: int = 500,
) -> int:
    """Hand the events of the given kinds (exact, or prefixes ending in ".") to `handle`.

    Returns how many events were handled. Events of other kinds advance the
    cursor silently. Reading stops before an id that is missing and may still
    be committing, so no event is ever skipped.
    """
    wanted = tuple(kinds)
    cursor = _cursor(session, name)
    rows = list(
        session.scalars(
            select(OutboxEvent)
            .where(OutboxEvent.id > cursor.last_id)
            .order_by(OutboxEvent.id)
            .limit(limit)
        )
    )
    now = as_utc(clock.now())
    # SQLite has one writer at a time and numbers rows in commit order, so a
    # missing id there was rolled back and will never appear.
    may_be_committing = session.get_bind().dialect.name != "sqlite"
    handled = 0
    expected = cursor.last_id + 1
    for row in rows:
        if row.id > expected and may_be_committing and now - as_utc(row.at) < GAP_GRACE:
            break
        if row.kind in wanted or any(w.endswith(".") and row.kind.startswith(w) for w in wanted):
            handle(session, row)
            handled += 1
        cursor.last_id = row.id
        expected = row.id + 1
    cursor.updated_at = now
    return handled
