"""Command's side of crewing: a unit is available only while someone on duty crews it.

Duty announces crews (`duty.crews_changed`: one event per station listing
the units crewed and uncrewed); this consumer applies them to units. A unit
losing its crew while available goes out of service; one crewed again while
out of service comes back. A unit busy on an incident keeps its status: its
crew finishes the job.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.command.models import Unit
from yanyun.core import events
from yanyun.core.clock import Clock
from yanyun.core.consumers import EventCursor, consume
from yanyun.core.events import OutboxEvent

CONSUMER = "command.crewing"
# `duty.crews_changed` carries a station's changes at once; the one-unit kinds
# are what duty announced before, still read so none left in an outbox is lost.
KINDS = ("duty.crews_changed", "duty.unit_crewed", "duty.unit_uncrewed")


def _changes(event: OutboxEvent) -> list[tuple[str, list[str]]]:
    """(unit id, crew) for every unit an event names; an empty crew means uncrewed."""
    payload = event.payload or {}
    if event.kind == "duty.crews_changed":
        crewed = [(c["unit_id"], list(c.get("crew") or [])) for c in payload.get("crewed", [])]
        return crewed + [(unit_id, []) for unit_id in payload.get("uncrewed", [])]
    unit_id = payload.get("unit_id") or event.resource_id
    crew = list(payload.get("crew") or []) if event.kind == "duty.unit_crewed" else []
    return [(unit_id, crew)]


def _apply(session: Session, unit: Unit, crew: list[str], clock: Clock) -> None:
    unit.crew = crew
    status = unit.status
    if crew and unit.status == "out_of_service":
        unit.status = "available"
    elif not crew and unit.status == "available":
        unit.status = "out_of_service"
    if unit.status != status:
        events.emit(
            session,
            clock=clock,
            kind=f"unit.{unit.status}",
            resource_type="unit",
            resource_id=unit.id,
            org_path=unit.org_path,
            payload={
                "status": unit.status,
                "lng": unit.lng,
                "lat": unit.lat,
                "crew": list(unit.crew),
            },
        )


def apply_crewing(session: Session, *, clock: Clock, max_batches: int = 50) -> int:
    """Apply every crew change duty has announced since last time; returns how many units."""
    total = 0
    # One query for the units of every station (or unit) the pending events
    # name, not one per event; held in a dict for the handler to find them.
    cursor = session.get(EventCursor, CONSUMER)
    named = select(OutboxEvent.resource_id).where(
        OutboxEvent.id > (cursor.last_id if cursor is not None else 0),
        OutboxEvent.kind.in_(KINDS),
    )
    loaded = {
        u.id: u
        for u in session.scalars(
            select(Unit).where(Unit.station_code.in_(named) | Unit.id.in_(named))
        )
    }

    def handle(s: Session, event: OutboxEvent) -> None:
        nonlocal total
        for unit_id, crew in _changes(event):
            unit = loaded.get(unit_id) or s.get(Unit, unit_id)
            if unit is not None:
                _apply(s, unit, crew, clock)
                total += 1

    for _ in range(max_batches):
        before = session.get(EventCursor, CONSUMER)
        start = before.last_id if before is not None else 0
        consume(session, clock=clock, name=CONSUMER, kinds=KINDS, handle=handle)
        if session.get(EventCursor, CONSUMER).last_id == start:
            break
    return total
