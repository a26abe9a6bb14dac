"""Builders for duty tests: a few stations staffed inside the test's transaction."""

from __future__ import annotations

from sqlalchemy import select

from tests.bus import consumers_from_now, drain
from yanyun.command.crewing import CONSUMER, crew_changes
from yanyun.core import events
from yanyun.core.bus import Delivery
from yanyun.core.cursors import EventCursor
from yanyun.duty.models import RosterEntry, Shift
from yanyun.geo.models import Station
from yanyun.sim.staffing import staff_city

SEED = 7


def station_codes(session, n: int = 3) -> list[str]:
    return list(session.scalars(select(Station.code).order_by(Station.code).limit(n)))


def staff(runtime, session, clock, n: int = 3) -> list[str]:
    """Staff the first n stations and crew their units, as the demo does for all."""
    consumers_from_now(session, clock, CONSUMER)
    codes = station_codes(session, n)
    staff_city(session=session, clock=clock, seed=SEED, stations=codes)
    apply_crewing(runtime, session)
    return codes


def apply_crewing(runtime, session) -> int:
    """Let command read duty's crew announcements; how many unit crews they carried."""
    session.commit()
    cursor = session.get(EventCursor, CONSUMER)
    named = 0
    for row in events.events_after(session, after_id=cursor.last_id if cursor else 0,
                                   kinds=("duty.crews_changed", "duty.unit_crewed",
                                          "duty.unit_uncrewed")):
        named += len(crew_changes(Delivery(session, runtime.clock, runtime, events.parse(row))))
    drain(runtime, CONSUMER)
    return named


def current_entries(session, unit_id, now) -> list[RosterEntry]:
    """Roster entries crewing the unit in the shift on at this instant."""
    return list(
        session.scalars(
            select(RosterEntry)
            .join(Shift, Shift.id == RosterEntry.shift_id)
            .where(RosterEntry.unit_id == unit_id, Shift.starts_at <= now, Shift.ends_at > now)
        )
    )
