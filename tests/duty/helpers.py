"""Builders for duty tests: a few stations staffed inside the test's transaction."""

from __future__ import annotations

from sqlalchemy import select

from yanyun.command.crewing import CONSUMER
from yanyun.core import events
from yanyun.core.consumers import EventCursor
from yanyun.geo.models import Station
from yanyun.sim.staffing import staff_city

SEED = 7


def station_codes(session, n: int = 3) -> list[str]:
    return list(session.scalars(select(Station.code).order_by(Station.code).limit(n)))


def staff(session, clock, n: int = 3) -> list[str]:
    """Staff the first n stations and crew their units, as the demo does for all."""
    # The crewing consumer starts after everything already in the outbox:
    # ids of earlier tests' rolled-back transactions are holes it would wait on,
    # so it starts on a fresh marker (PostgreSQL sequences skip rolled-back ids).
    events.emit(session, clock=clock, kind="test.marker", resource_type="t", resource_id="m")
    session.flush()
    cursor = session.get(EventCursor, CONSUMER) or EventCursor(name=CONSUMER, last_id=0)
    cursor.last_id = events.latest_event_id(session)
    session.add(cursor)
    session.flush()
    codes = station_codes(session, n)
    staff_city(session=session, clock=clock, seed=SEED, stations=codes)
    session.flush()
    return codes
