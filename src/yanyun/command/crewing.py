"""Command's side of crewing: a unit is available only while someone on duty crews it.

Duty announces crews (`duty.unit_crewed`, `duty.unit_uncrewed`); this
consumer applies them to units. A unit losing its crew while available goes
out of service; one crewed again while out of service comes back. A unit busy
on an incident keeps its status: its crew finishes the job.
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
KINDS = ("duty.unit_crewed", "duty.unit_uncrewed")


def _apply(session: Session, event: OutboxEvent, clock: Clock) -> None:
    payload = event.payload or {}
    unit = session.get(Unit, payload.get("unit_id") or event.resource_id)
    if unit is None:
        return
    crewed = event.kind == "duty.unit_crewed" and bool(payload.get("crew"))
    unit.crew = list(payload.get("crew") or []) if crewed else []
    status = unit.status
    if crewed and unit.status == "out_of_service":
        unit.status = "available"
    elif not crewed and unit.status == "available":
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
    """Apply every crew change duty has announced since last time; returns how many."""
    total = 0
    # One query for every unit the pending events name, not one per event: a
    # shift change in a city re-crews about a thousand units at once. Held in a
    # list so the identity map keeps them while the events are applied.
    cursor = session.get(EventCursor, CONSUMER)
    named = select(OutboxEvent.resource_id).where(
        OutboxEvent.id > (cursor.last_id if cursor is not None else 0),
        OutboxEvent.kind.in_(KINDS),
    )
    loaded = list(session.scalars(select(Unit).where(Unit.id.in_(named))))
    for _ in range(max_batches):
        before = session.get(EventCursor, CONSUMER)
        start = before.last_id if before is not None else 0
        total += consume(
            session,
            clock=clock,
            name=CONSUMER,
            kinds=KINDS,
            handle=lambda s, e: _apply(s, e, clock),
        )
        if session.get(EventCursor, CONSUMER).last_id == start:
            break
    del loaded
    return total
