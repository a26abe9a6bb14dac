"""Dispatch (flat: any unit, any level) and what a unit does on the incident after it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.auth.scope import visible
from yanyun.auth.service import Actor
from yanyun.command import lifecycle
from yanyun.command.breaches import check_arrival, check_dispatch
from yanyun.command.models import Assignment, Incident, IncidentTransition, Unit
from yanyun.command.schemas import STATUS_LABELS
from yanyun.command.service import get_incident
from yanyun.command.transitions import move
from yanyun.core import events
from yanyun.core.clock import Clock
from yanyun.core.errors import Conflict, Invalid
from yanyun.core.ids import new_id
from yanyun.events.command import UnitChanged


def _free_units(session: Session, wanted: list[str]) -> dict[str, Unit]:
    """Lock the wanted units; refuse unknown ids and units that are not available."""
    units = {
        u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_(wanted)).with_for_update())
    }
    missing = [u for u in wanted if u not in units]
    if missing:
        raise Invalid(
            "unit_ids",
            f"未知警力单元：{'、'.join(missing)}",
            f"unknown units: {', '.join(missing)}",
            missing=missing,
        )
    busy = [u for u in wanted if units[u].status != "available"]
    if busy:
        raise Conflict(
            f"警力单元不可用：{'、'.join(busy)}",
            f"units not available: {', '.join(busy)}",
            field="unit_ids",
            busy={u: units[u].status for u in busy},
        )
    return units


def _assign(
    session: Session,
    clock: Clock,
    actor: Actor,
    incident: Incident,
    unit: Unit,
    eta_s: float | None,
    now: datetime,
) -> None:
    """Put one unit on the incident: its assignment, its live event, its line in the log."""
    unit.status = "dispatched"
    unit.current_incident_id = incident.id
    session.add(
        Assignment(
            id=new_id(clock),
            incident_id=incident.id,
            unit_id=unit.id,
            assigned_at=now,
            assigned_by=actor.user_id,
            eta_s=eta_s,
        )
    )
    events.publish(
        session,
        UnitChanged(
            incident_id=incident.id, number=incident.number, status=unit.status,
            lng=unit.lng, lat=unit.lat,
        ),
        clock=clock,
        kind="unit.dispatched",
        resource_id=unit.id,
        org_path=unit.org_path,
    )
    session.add(
        IncidentTransition(
            id=new_id(clock),
            incident_id=incident.id,
            at=now,
            from_status=incident.status,
            to_status=incident.status,
            actor_id=actor.user_id,
            actor_name=actor.username,
            unit_id=unit.id,
            note="派警 unit assigned",
        )
    )


def dispatch(
    *,
    session: Session,
    clock: Clock,
    actor: Actor,
    incident_id: str,
    unit_ids: list[str],
    etas_s: dict[str, float] | None = None,
    note: str | None = None,
) -> Incident:
    """Send units to an incident (flat dispatch: any unit, any level)."""
    incident = get_incident(session=session, actor=actor, incident_id=incident_id, for_update=True)
    if incident.status not in lifecycle.DISPATCHABLE:
        raise Conflict(
            f"警情{incident.number}已{STATUS_LABELS[incident.status][0]}，不能派警",
            f"incident {incident.number} is {incident.status}; it cannot be dispatched",
            current=incident.status,
            allowed=lifecycle.allowed_from(incident.status),
        )
    wanted = list(dict.fromkeys(unit_ids))
    units = _free_units(session, wanted)
    now = clock.now()
    # Stamped before the move so the live event carries the dispatch time.
    first_dispatch = incident.dispatched_at is None
    if first_dispatch:
        incident.dispatched_at = now
    if incident.status in ("received", "reopened"):
        move(session, clock, incident, "dispatched", actor, note=note)
    for unit_id in wanted:
        _assign(session, clock, actor, incident, units[unit_id], (etas_s or {}).get(unit_id), now)
    if first_dispatch:
        check_dispatch(session, clock, incident)
    return incident


def unit_action(
    *, session: Session, clock: Clock, actor: Actor, unit_id: str, incident_id: str, action: str
) -> Unit:
    """A unit acknowledges, arrives or clears; the incident follows."""
    unit = visible(session, Unit, unit_id, actor, what="unit", for_update=True)
    assignment = session.scalars(
        select(Assignment).where(
            Assignment.unit_id == unit_id,
            Assignment.incident_id == incident_id,
            Assignment.cleared_at.is_(None),
        )
    ).first()
    if assignment is None:
        raise Conflict(
            f"警力单元{unit_id}未被派往该警情",
            f"unit {unit_id} is not assigned to incident {incident_id}",
            field="incident_id",
        )
    incident = session.scalars(
        select(Incident).where(Incident.id == incident_id).with_for_update()
    ).one()
    now = clock.now()
    if action == "acknowledge":
        if assignment.acknowledged_at is None:
            assignment.acknowledged_at = now
        unit.status = "en_route"
        if incident.status == "dispatched":
            move(session, clock, incident, "en_route", actor, unit_id=unit_id)
    elif action == "arrive":
        assignment.arrived_at = assignment.arrived_at or now
        assignment.acknowledged_at = assignment.acknowledged_at or now
        unit.status = "on_scene"
        first_arrival = incident.arrived_at is None
        if first_arrival:
            incident.arrived_at = now
        if incident.status in ("dispatched", "en_route"):
            move(session, clock, incident, "on_scene", actor, unit_id=unit_id)
        if first_arrival:
            check_arrival(session, clock, incident)
    else:
        assignment.cleared_at = now
        unit.status = "available"
        unit.current_incident_id = None
    events.publish(
        session,
        UnitChanged(
            incident_id=incident.id, number=incident.number, status=unit.status,
            lng=unit.lng, lat=unit.lat,
        ),
        clock=clock,
        kind=f"unit.{unit.status}",
        resource_id=unit.id,
        org_path=unit.org_path,
    )
    return unit
