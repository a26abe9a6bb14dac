"""The incident's timeline: every change written as a transition and an outbox event.

Each step of the lifecycle goes through `move`, which refuses what the
lifecycle does not allow and records the rest in the caller's transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.auth.service import Actor
from yanyun.command import lifecycle
from yanyun.command.models import Assignment, Incident, IncidentCall, IncidentTransition, Unit
from yanyun.command.schemas import STATUS_LABELS
from yanyun.core import events
from yanyun.core.clock import Clock, as_utc
from yanyun.core.errors import Conflict
from yanyun.core.ids import new_id
from yanyun.events.command import IncidentChanged, UnitChanged


def incident_facts(incident: Incident) -> dict[str, Any]:
    """What a live screen needs to redraw an incident without asking again (IncidentFacts)."""
    return {
        "number": incident.number,
        "status": incident.status,
        "priority": incident.priority,
        "category_code": incident.category_code,
        "sub_code": incident.sub_code,
        "lng": incident.lng,
        "lat": incident.lat,
        "station_code": incident.station_code,
        "district_code": incident.district_code,
        "received_at": as_utc(incident.received_at),
        "dispatch_target_s": incident.dispatch_target_s,
        "arrival_target_s": incident.arrival_target_s,
        "dispatch_s": seconds_after_receipt(incident, incident.dispatched_at),
        "arrival_s": seconds_after_receipt(incident, incident.arrived_at),
        "dispatch_breached": bool(incident.dispatch_breached),
        "arrival_breached": bool(incident.arrival_breached),
    }


def seconds_after_receipt(incident: Any, at: datetime | None) -> float | None:
    """How long after the first call something happened (the 1-3-5 clock), to 0.1 s."""
    if at is None:
        return None
    return round((as_utc(at) - as_utc(incident.received_at)).total_seconds(), 1)



def record(
    session: Session,
    clock: Clock,
    incident: Incident,
    from_status: str | None,
    to_status: str,
    actor: Actor | None,
    *,
    unit_id: str | None = None,
    note: str | None = None,
    kind: str | None = None,
) -> None:
    session.add(
        IncidentTransition(
            id=new_id(clock),
            incident_id=incident.id,
            at=clock.now(),
            from_status=from_status,
            to_status=to_status,
            actor_id=actor.user_id if actor else None,
            actor_name=actor.username if actor else "system",
            unit_id=unit_id,
            note=note,
        )
    )
    events.publish(
        session,
        IncidentChanged(**incident_facts(incident), from_status=from_status, unit_id=unit_id),
        clock=clock,
        kind=kind or f"incident.{to_status}",
        resource_id=incident.id,
        org_path=incident.org_path,
    )


def move(
    session: Session,
    clock: Clock,
    incident: Incident,
    to_status: str,
    actor: Actor | None,
    *,
    unit_id: str | None = None,
    note: str | None = None,
) -> None:
    if not lifecycle.can_move(incident.status, to_status):
        allowed = lifecycle.allowed_from(incident.status)
        raise Conflict(
            f"警情{incident.number}当前为“{STATUS_LABELS[incident.status][0]}”，不能转为"
            f"“{STATUS_LABELS[to_status][0]}”；允许：{'、'.join(allowed) or '无'}",
            f"incident {incident.number} is {incident.status}; it cannot move to {to_status}. "
            f"Allowed: {', '.join(allowed) or 'none'}",
            current=incident.status,
            requested=to_status,
            allowed=allowed,
        )
    from_status = incident.status
    incident.status = to_status
    now = clock.now()
    if to_status == "resolved":
        incident.resolved_at = now
    elif to_status == "closed":
        incident.closed_at = now
    record(session, clock, incident, from_status, to_status, actor, unit_id=unit_id, note=note)



def release_units(session: Session, clock: Clock, incident: Incident) -> None:
    now = clock.now()
    for assignment in active_assignments(session, incident.id):
        assignment.cleared_at = now
        unit = session.get(Unit, assignment.unit_id)
        if unit is not None and unit.current_incident_id == incident.id:
            unit.status = "available"
            unit.current_incident_id = None
            events.publish(
                session,
                UnitChanged(status=unit.status, lng=unit.lng, lat=unit.lat),
                clock=clock,
                kind="unit.available",
                resource_id=unit.id,
                org_path=unit.org_path,
            )


def active_assignments(session: Session, incident_id: str) -> list[Assignment]:
    return list(
        session.scalars(
            select(Assignment).where(
                Assignment.incident_id == incident_id, Assignment.cleared_at.is_(None)
            )
        )
    )



def calls_of(*, session: Session, incident_id: str) -> list[IncidentCall]:
    return list(
        session.scalars(
            select(IncidentCall)
            .where(IncidentCall.incident_id == incident_id)
            .order_by(IncidentCall.received_at)
        )
    )


def timeline_of(*, session: Session, incident_id: str) -> list[IncidentTransition]:
    return list(
        session.scalars(
            select(IncidentTransition)
            .where(IncidentTransition.incident_id == incident_id)
            .order_by(IncidentTransition.id)
        )
    )


def assigned_units(*, session: Session, incident_id: str) -> list[str]:
    return [a.unit_id for a in active_assignments(session, incident_id)]
