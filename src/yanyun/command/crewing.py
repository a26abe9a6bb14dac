"""Command's side of crewing: a unit is available only while someone on duty crews it.

Duty announces crews (`duty.crews_changed`: one event per station listing
the units crewed and uncrewed); this handler applies them to units. A unit
losing its crew while available goes out of service; one crewed again while
out of service comes back. A unit busy on an incident keeps its status: its
crew finishes the job.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.command.models import Unit
from yanyun.core import events
from yanyun.core.bus import Delivery
from yanyun.core.clock import Clock
from yanyun.events.command import UnitChanged
from yanyun.events.duty import CrewsChanged, UnitCrewedLegacy

CONSUMER = "command.crewing"


def crew_changes(delivery: Delivery) -> list[tuple[str, list[str]]]:
    """(unit id, crew) for every unit an event names; an empty crew means uncrewed."""
    event = delivery.event
    if isinstance(event, CrewsChanged):
        crewed = [(c.unit_id, list(c.crew)) for c in event.crewed]
        return crewed + [(unit_id, []) for unit_id in event.uncrewed]
    # What duty announced one unit at a time before batching, still read so none
    # left in an outbox at upgrade is lost.
    unit_id = event.unit_id or delivery.envelope.resource_id
    crew = list(event.crew) if delivery.envelope.kind == "duty.unit_crewed" else []
    return [(unit_id, crew)]


def apply_crew(session: Session, unit: Unit, crew: list[str], clock: Clock) -> None:
    """Set a unit's crew and the status that follows from it, announcing a change."""
    unit.crew = crew
    status = unit.status
    if crew and unit.status == "out_of_service":
        unit.status = "available"
    elif not crew and unit.status == "available":
        unit.status = "out_of_service"
    if unit.status != status:
        events.publish(
            session,
            UnitChanged(status=unit.status, lng=unit.lng, lat=unit.lat, crew=list(unit.crew)),
            clock=clock,
            kind=f"unit.{unit.status}",
            resource_id=unit.id,
            org_path=unit.org_path,
        )


def on_crews(delivery: Delivery) -> None:
    """Apply one station's crew changes (its units loaded in one query)."""
    changes = crew_changes(delivery)
    ids = [unit_id for unit_id, _ in changes]
    units = {u.id: u for u in delivery.session.scalars(select(Unit).where(Unit.id.in_(ids)))}
    for unit_id, crew in changes:
        unit = units.get(unit_id)
        if unit is not None:
            apply_crew(delivery.session, unit, crew, delivery.clock)


SUBSCRIPTION_EVENTS = (CrewsChanged, UnitCrewedLegacy)
