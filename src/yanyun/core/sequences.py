"""Numbers handed out per day and per kind (a case's AJ20261205-0001, a warning's FZ...-000001).

Counting yesterday's rows and adding one hands the same number to two
transactions that run at once (a unique key then turns one of them into an
error). The day's row is locked instead, so numbers are handed out one at a
time and never twice, on SQLite's single writer and on PostgreSQL alike.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Integer, String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from yanyun.core.tables import Base


class DaySequence(Base):
    """The last number of a kind handed out on a day."""

    __tablename__ = "day_sequence"
    __audited__ = False

    kind: Mapped[str] = mapped_column(String(24), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


def next_of_day(session: Session, kind: str, day: date, count: int = 1) -> int:
    """The next number of `kind` on `day` (1, 2, ...), held until the caller commits.

    With ``count`` > 1 a block is taken and its first number returned (a bulk
    load numbers its rows without a locked round trip each).
    """
    stmt = select(DaySequence).where(DaySequence.kind == kind, DaySequence.day == day)
    row = session.scalars(stmt.with_for_update()).first()
    if row is None:
        try:
            with session.begin_nested():
                session.add(DaySequence(kind=kind, day=day, last=0))
        except IntegrityError:
            pass  # another transaction created the day's row first
        row = session.scalars(stmt.with_for_update()).one()
    row.last += count
    return row.last - count + 1
