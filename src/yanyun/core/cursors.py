"""Where each durable consumer stands in the outbox, and what it could not take.

The runner (`yanyun.core.bus`) moves a consumer's cursor in the same
transaction as the handler's effects; a row lock (``FOR UPDATE SKIP LOCKED``)
lets one process read a consumer at a time. An event a handler keeps failing
on is parked here for an operator.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from yanyun.core.events import EventId, OutboxEvent
from yanyun.core.tables import Base


class EventCursor(Base):
    """How far one named durable consumer has read the outbox."""

    __tablename__ = "event_cursor"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_id: Mapped[int] = mapped_column(EventId, default=0)
    updated_at: Mapped[datetime | None]


class EventDeadLetter(Base):
    """An event a consumer failed on: retried, then parked here for an operator to look at."""

    __tablename__ = "event_dead_letter"

    consumer: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_id: Mapped[int] = mapped_column(EventId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    parked: Mapped[bool] = mapped_column(default=False)
    last_error: Mapped[str] = mapped_column(Text, default="")
    first_failed_at: Mapped[datetime]
    last_failed_at: Mapped[datetime]


def lock_cursor(session: Session, name: str) -> EventCursor | None:
    """The consumer's cursor, locked for this transaction; None while another process has it."""
    from yanyun.core.db import insert_ignoring_conflicts

    locked = select(EventCursor).where(EventCursor.name == name).with_for_update(skip_locked=True)
    cursor = session.scalars(locked).first()
    if cursor is not None:
        return cursor
    if session.scalar(select(EventCursor.name).where(EventCursor.name == name)) is not None:
        return None
    insert_ignoring_conflicts(session, EventCursor, [{"name": name, "last_id": 0}], key="name")
    return session.scalars(locked).first()


def record_failure(
    session: Session, consumer: str, row: OutboxEvent, now: datetime, error: str, *, park: bool
) -> EventDeadLetter:
    failure = session.get(EventDeadLetter, (consumer, row.id))
    if failure is None:
        failure = EventDeadLetter(
            consumer=consumer, event_id=row.id, kind=row.kind, attempts=0, parked=False,
            last_error="", first_failed_at=now, last_failed_at=now,
        )
        session.add(failure)
    failure.attempts += 1
    failure.last_error = error[:4000]
    failure.last_failed_at = now
    failure.parked = failure.parked or park
    session.flush()
    return failure


def set_cursor(session: Session, name: str, position: int) -> None:
    """Start a consumer after `position` (a new deployment that should not replay history)."""
    cursor = session.get(EventCursor, name)
    if cursor is None:
        session.add(EventCursor(name=name, last_id=position))
    else:
        cursor.last_id = position
