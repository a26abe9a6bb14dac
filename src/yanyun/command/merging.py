"""Duplicates: calls about one event found near in place and time, and folded into one incident."""

from __future__ import annotations

import math
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from yanyun.auth.service import Actor
from yanyun.command import lifecycle
from yanyun.command.breaches import check_dispatch
from yanyun.command.models import Assignment, Incident, IncidentCall, IncidentTransition, Unit
from yanyun.command.schemas import STATUS_LABELS
from yanyun.command.service import get_incident
from yanyun.command.settings import CommandSettings
from yanyun.command.transitions import active_assignments, incident_facts, move
from yanyun.core import events
from yanyun.core.clock import Clock, as_utc
from yanyun.core.errors import Conflict, Invalid
from yanyun.core.ids import new_id
from yanyun.events.command import IncidentMerged
from yanyun.geo.coords import distance_m


def find_duplicates(
    *,
    session: Session,
    incident: Incident,
    settings: CommandSettings,
    actor: Actor | None,
    limit: int = 5,
) -> list[tuple[Incident, float]]:
    """Open incidents near in place and time, of the same category: likely the same event.

    Only incidents the reader may open are offered: a neighbouring station's
    incident across the boundary is not named to a station officer.
    """
    window = timedelta(seconds=settings.duplicate_window_s)
    pad_lat = settings.duplicate_radius_m / 111_000
    pad_lng = pad_lat / max(math.cos(math.radians(incident.lat)), 0.1)
    rows = session.scalars(
        select(Incident).where(
            Incident.id != incident.id,
            Incident.merged_into_id.is_(None),
            Incident.status.in_(sorted(lifecycle.OPEN_STATUSES)),
            Incident.category_code == incident.category_code,
            Incident.received_at.between(
                incident.received_at - window, incident.received_at + window
            ),
            Incident.lat.between(incident.lat - pad_lat, incident.lat + pad_lat),
            Incident.lng.between(incident.lng - pad_lng, incident.lng + pad_lng),
        )
    )
    found = []
    for other in rows:
        if actor is not None and not actor.sees(other.org_path):
            continue
        d = distance_m((incident.lng, incident.lat), (other.lng, other.lat))
        if d <= settings.duplicate_radius_m:
            found.append((other, d))
    found.sort(key=lambda pair: (pair[1], pair[0].id))
    return found[:limit]



def _check_mergeable(inc: Incident) -> None:
    """Only open incidents merge: a closed one's record must stay as it was closed."""
    if inc.status not in lifecycle.OPEN_STATUSES:
        raise Conflict(
            f"警情{inc.number}已{STATUS_LABELS[inc.status][0]}，不能合并",
            f"incident {inc.number} is {inc.status}; only open incidents merge",
            field="duplicate_id",
        )


def _carry_over(session: Session, duplicate: Incident, primary: Incident) -> list[Assignment]:
    """Move the duplicate's callers and active units to the primary; return the assignments."""
    session.execute(
        update(IncidentCall)
        .where(IncidentCall.incident_id == duplicate.id)
        .values(incident_id=primary.id)
    )
    moved = active_assignments(session, duplicate.id)
    for assignment in moved:
        assignment.incident_id = primary.id
        unit = session.get(Unit, assignment.unit_id)
        if unit is not None:
            unit.current_incident_id = primary.id
    return moved


def merge(
    *, session: Session, clock: Clock, actor: Actor, primary_id: str, duplicate_id: str
) -> Incident:
    """Fold a duplicate into the primary incident, keeping every caller and unit."""
    if primary_id == duplicate_id:
        raise Invalid("duplicate_id", "不能与自身合并", "an incident cannot be merged into itself")
    primary = get_incident(session=session, actor=actor, incident_id=primary_id, for_update=True)
    duplicate = get_incident(
        session=session, actor=actor, incident_id=duplicate_id, for_update=True
    )
    for inc in (primary, duplicate):
        _check_mergeable(inc)
    moved = _carry_over(session, duplicate, primary)
    duplicate.merged_into_id = primary.id
    move(session, clock, duplicate, "cancelled", actor, note=f"并入 merged into {primary.number}")
    if moved and primary.status in ("received", "reopened"):
        # Units already on their way to the duplicate are on their way to this incident.
        if primary.dispatched_at is None:
            primary.dispatched_at = max(
                min(as_utc(a.assigned_at) for a in moved), as_utc(primary.received_at)
            )
        move(session, clock, primary, "dispatched", actor, note="合并带入警力 units from merge")
        check_dispatch(session, clock, primary)
    session.add(
        IncidentTransition(
            id=new_id(clock),
            incident_id=primary.id,
            at=clock.now(),
            from_status=primary.status,
            to_status=primary.status,
            actor_id=actor.user_id,
            actor_name=actor.username,
            note=f"合并重复警情 merged duplicate {duplicate.number}",
        )
    )
    events.publish(
        session,
        IncidentMerged(
            **incident_facts(primary), duplicate_id=duplicate.id,
            duplicate_number=duplicate.number,
        ),
        clock=clock,
        resource_id=primary.id,
        org_path=primary.org_path,
    )
    return primary
