"""Incidents: opening, numbering, the lifecycle, dispatch, duplicates and merging.

Every change writes its transition (the incident's timeline) and its outbox
event in the caller's transaction; the edge commits.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yanyun.auth.scope import visible
from yanyun.auth.service import Actor, mask_phone
from yanyun.command import lifecycle
from yanyun.command.catalogue import Catalogue
from yanyun.command.models import (
    Assignment,
    DailySequence,
    Incident,
    IncidentCall,
    IncidentTransition,
    ResponseCircle,
    Unit,
)
from yanyun.command.schemas import OUTCOMES, STATUS_LABELS, IncidentCreate
from yanyun.command.settings import CommandSettings
from yanyun.core import audit, events
from yanyun.core.clock import Clock, as_utc, local_date
from yanyun.core.errors import Conflict, Invalid
from yanyun.core.ids import new_id
from yanyun.events.command import IncidentBreached, IncidentChanged, IncidentMerged, UnitChanged
from yanyun.geo.coords import distance_m
from yanyun.geo.service import CityIndex, place_in_scope

DETAIL_PURPOSE = "接处警：查看报警人信息 (incident handling: caller details)"


def next_number(*, session: Session, day: date) -> str:
    """Hand out the next incident number of a bureau day, e.g. 20261123-000123."""
    row = session.scalars(
        select(DailySequence).where(DailySequence.day == day).with_for_update()
    ).first()
    if row is None:
        try:
            with session.begin_nested():
                session.add(DailySequence(day=day, last=0))
        except IntegrityError:
            pass  # another transaction created the day's row first
        row = session.scalars(
            select(DailySequence).where(DailySequence.day == day).with_for_update()
        ).one()
    row.last += 1
    return f"{day:%Y%m%d}-{row.last:06d}"


def circle_for(*, session: Session, lng: float, lat: float) -> ResponseCircle | None:
    """The 1-3-5 circle with the tightest target that contains the point, if any."""
    # Circles are at most a few km wide: 0.05 degrees (~5 km) bounds the search.
    rows = session.execute(
        select(ResponseCircle.id, ResponseCircle.lng, ResponseCircle.lat,
               ResponseCircle.radius_m, ResponseCircle.target_min).where(
            ResponseCircle.lat.between(lat - 0.05, lat + 0.05),
            ResponseCircle.lng.between(lng - 0.05, lng + 0.05),
        )
    ).all()
    inside = [(r.target_min, r.id) for r in rows
              if distance_m((lng, lat), (r.lng, r.lat)) <= r.radius_m]
    return session.get(ResponseCircle, min(inside)[1]) if inside else None


def _check_category(catalogue: Catalogue, incident_in: IncidentCreate) -> None:
    """Refuse a category or sub-category the catalogue does not know, naming the field."""
    if not catalogue.is_valid(incident_in.category_code, None):
        raise Invalid(
            "category_code",
            f"未知警情类别：{incident_in.category_code}",
            f"unknown incident category: {incident_in.category_code}",
        )
    if incident_in.sub_code is not None and not catalogue.is_valid(
        incident_in.category_code, incident_in.sub_code
    ):
        raise Invalid(
            "sub_code",
            f"警情细类{incident_in.sub_code}不属于类别{incident_in.category_code}",
            f"sub-category {incident_in.sub_code} is not in category {incident_in.category_code}",
        )


def _arrival_target_s(
    circle: ResponseCircle | None, index: CityIndex, settings: CommandSettings, district_code: str
) -> int:
    """A patrol circle's own promise wins; otherwise the town or country target applies."""
    if circle is not None:
        return circle.target_min * 60
    if index.district_urban.get(district_code, False):
        return settings.urban_arrival_target_s
    return settings.rural_arrival_target_s


def _add_first_call(session: Session, clock: Clock, incident: Incident) -> None:
    """The call that opened an incident is its first caller: merges add the others."""
    session.add(
        IncidentCall(
            id=new_id(clock),
            incident_id=incident.id,
            received_at=incident.received_at,
            source=incident.source,
            caller_phone=incident.caller_phone,
            narrative=incident.narrative,
        )
    )


def open_incident(
    *,
    session: Session,
    clock: Clock,
    actor: Actor | None,
    index: CityIndex,
    catalogue: Catalogue,
    settings: CommandSettings,
    incident_in: IncidentCreate,
) -> Incident:
    """Take a call: check it, place it, number it, set its 1-3-5 targets, record it."""
    now = clock.now()
    _check_category(catalogue, incident_in)
    received_at = incident_in.received_at or now
    if as_utc(received_at) > now + timedelta(seconds=settings.position_future_tolerance_s):
        raise Invalid("received_at", "接警时间不能晚于当前时间", "received_at is in the future")
    # The command centre takes calls from the whole city: only the city's bounds apply.
    location = place_in_scope(index=index, actor=None, lng=incident_in.lng, lat=incident_in.lat)
    assert location.district and location.station and location.grid and location.org_path
    priority = incident_in.priority or _default_priority(catalogue, incident_in)
    circle = circle_for(session=session, lng=incident_in.lng, lat=incident_in.lat)
    arrival_target_s = _arrival_target_s(circle, index, settings, location.district.code)

    incident = Incident(
        id=new_id(clock),
        number=next_number(session=session, day=local_date(received_at)),
        received_at=received_at,
        occurred_at=incident_in.occurred_at,
        source=incident_in.source.value,
        caller_phone=incident_in.caller_phone,
        narrative=incident_in.narrative,
        address_text=incident_in.address_text,
        lng=incident_in.lng,
        lat=incident_in.lat,
        district_code=location.district.code,
        station_code=location.station.code,
        grid_code=location.grid.code,
        org_path=location.org_path,
        category_code=incident_in.category_code,
        sub_code=incident_in.sub_code,
        priority=priority,
        status="received",
        circle_id=circle.id if circle else None,
        dispatch_target_s=settings.dispatch_target_s,
        arrival_target_s=arrival_target_s,
        dispatch_breached=False,
        arrival_breached=False,
        created_by=actor.user_id if actor else None,
    )
    session.add(incident)
    _add_first_call(session, clock, incident)
    _record(session, clock, incident, None, "received", actor)
    return incident


def _default_priority(catalogue: Catalogue, incident_in: IncidentCreate) -> int:
    if incident_in.sub_code:
        return catalogue.subcategory(incident_in.sub_code).priority
    category = catalogue.category(incident_in.category_code)
    return min((s.priority for s in category.subcategories), default=3)


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


def _record(
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


def _move(
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
    _record(session, clock, incident, from_status, to_status, actor, unit_id=unit_id, note=note)


def get_incident(
    *, session: Session, actor: Actor, incident_id: str, for_update: bool = False
) -> Incident:
    """An incident within the actor's scope (out of scope looks absent)."""
    return visible(session, Incident, incident_id, actor, what="incident", for_update=for_update)


def list_incidents(
    *,
    session: Session,
    actor: Actor,
    statuses: list[str] | None = None,
    open_only: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> list[Incident]:
    """Incidents in scope, most urgent first, then newest first."""
    stmt = actor.scope(select(Incident), Incident.org_path)
    if open_only:
        stmt = stmt.where(Incident.status.in_(sorted(lifecycle.OPEN_STATUSES)))
    if statuses:
        stmt = stmt.where(Incident.status.in_(statuses))
    stmt = stmt.order_by(Incident.priority, Incident.received_at.desc(), Incident.id.desc())
    return list(session.scalars(stmt.limit(limit).offset(offset)))


def _release_units(session: Session, clock: Clock, incident: Incident) -> None:
    now = clock.now()
    for assignment in _active_assignments(session, incident.id):
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


def _active_assignments(session: Session, incident_id: str) -> list[Assignment]:
    return list(
        session.scalars(
            select(Assignment).where(
                Assignment.incident_id == incident_id, Assignment.cleared_at.is_(None)
            )
        )
    )


def transition(
    *,
    session: Session,
    clock: Clock,
    actor: Actor,
    incident_id: str,
    to_status: str,
    note: str | None = None,
    outcome: str | None = None,
) -> Incident:
    """Move an incident along its lifecycle; units are released when it ends.

    Resolving records its outcome (处置结果) on the incident and, in words, on
    the timeline; reopening clears it.
    """
    incident = get_incident(session=session, actor=actor, incident_id=incident_id, for_update=True)
    if to_status == "resolved" and outcome is not None and lifecycle.can_move(
        incident.status, to_status
    ):
        zh, en = OUTCOMES[outcome]
        incident.outcome = outcome
        note = f"处置结果：{zh} / {en}" + (f"。{note}" if note else "")
    elif to_status == "reopened":
        incident.outcome = None
    first_arrival = to_status == "on_scene" and incident.arrived_at is None
    if first_arrival and lifecycle.can_move(incident.status, to_status):
        incident.arrived_at = clock.now()
    _move(session, clock, incident, to_status, actor, note=note)
    if to_status in ("resolved", "cancelled"):
        _release_units(session, clock, incident)
    if first_arrival:
        _check_arrival(session, clock, incident)
    return incident


def _elapsed_s(incident: Incident, at: datetime) -> float:
    return (as_utc(at) - as_utc(incident.received_at)).total_seconds()


def _breach(
    session: Session, clock: Clock, incident: Incident, kind: str, elapsed_s: float, target_s: int
) -> None:
    events.publish(
        session,
        IncidentBreached(
            **incident_facts(incident), breach=kind, elapsed_s=round(elapsed_s, 1),
            target_s=target_s,
        ),
        clock=clock,
        resource_id=incident.id,
        org_path=incident.org_path,
    )


def _check_dispatch(session: Session, clock: Clock, incident: Incident) -> None:
    if incident.dispatch_breached or incident.dispatched_at is None:
        return
    elapsed = _elapsed_s(incident, incident.dispatched_at)
    if elapsed > incident.dispatch_target_s:
        incident.dispatch_breached = True
        _breach(session, clock, incident, "dispatch", elapsed, incident.dispatch_target_s)


def _check_arrival(session: Session, clock: Clock, incident: Incident) -> None:
    if incident.arrival_breached or incident.arrived_at is None:
        return
    elapsed = _elapsed_s(incident, incident.arrived_at)
    if elapsed > incident.arrival_target_s:
        incident.arrival_breached = True
        _breach(session, clock, incident, "arrival", elapsed, incident.arrival_target_s)


def scan_breaches(*, session: Session, clock: Clock) -> int:
    """Flag open incidents whose 1-3-5 deadline passed with nothing done; count them.

    A breach is announced once, when it happens, not when the late step
    finally comes: the supervision context turns it into a task.
    """
    now = clock.now()
    flagged = 0
    # Lock only incidents that can still breach and whose shortest deadline has
    # passed, so the scan does not hold every open incident against dispatchers.
    open_rows = session.scalars(
        select(Incident)
        .where(
            Incident.status.in_(sorted(lifecycle.OPEN_STATUSES)),
            Incident.received_at <= now - timedelta(seconds=1),
            ((Incident.dispatched_at.is_(None)) & (Incident.dispatch_breached.is_(False)))
            | ((Incident.arrived_at.is_(None)) & (Incident.arrival_breached.is_(False))),
        )
        .with_for_update()
    )
    for incident in open_rows:
        elapsed = _elapsed_s(incident, now)
        if (
            not incident.dispatch_breached
            and incident.dispatched_at is None
            and elapsed > incident.dispatch_target_s
        ):
            incident.dispatch_breached = True
            _breach(session, clock, incident, "dispatch", elapsed, incident.dispatch_target_s)
            flagged += 1
        if (
            not incident.arrival_breached
            and incident.arrived_at is None
            and elapsed > incident.arrival_target_s
        ):
            incident.arrival_breached = True
            _breach(session, clock, incident, "arrival", elapsed, incident.arrival_target_s)
            flagged += 1
    return flagged


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
        _move(session, clock, incident, "dispatched", actor, note=note)
    for unit_id in wanted:
        _assign(session, clock, actor, incident, units[unit_id], (etas_s or {}).get(unit_id), now)
    if first_dispatch:
        _check_dispatch(session, clock, incident)
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
            _move(session, clock, incident, "en_route", actor, unit_id=unit_id)
    elif action == "arrive":
        assignment.arrived_at = assignment.arrived_at or now
        assignment.acknowledged_at = assignment.acknowledged_at or now
        unit.status = "on_scene"
        first_arrival = incident.arrived_at is None
        if first_arrival:
            incident.arrived_at = now
        if incident.status in ("dispatched", "en_route"):
            _move(session, clock, incident, "on_scene", actor, unit_id=unit_id)
        if first_arrival:
            _check_arrival(session, clock, incident)
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


def add_note(
    *, session: Session, clock: Clock, actor: Actor, incident_id: str, text: str
) -> Incident:
    """Write a note on the incident's timeline (what was said, decided, seen) without moving it."""
    incident = get_incident(session=session, actor=actor, incident_id=incident_id, for_update=True)
    _record(
        session, clock, incident, incident.status, incident.status, actor,
        note=text, kind="incident.noted",
    )
    return incident


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
    moved = _active_assignments(session, duplicate.id)
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
    _move(session, clock, duplicate, "cancelled", actor, note=f"并入 merged into {primary.number}")
    if moved and primary.status in ("received", "reopened"):
        # Units already on their way to the duplicate are on their way to this incident.
        if primary.dispatched_at is None:
            primary.dispatched_at = max(
                min(as_utc(a.assigned_at) for a in moved), as_utc(primary.received_at)
            )
        _move(session, clock, primary, "dispatched", actor, note="合并带入警力 units from merge")
        _check_dispatch(session, clock, primary)
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
    return [a.unit_id for a in _active_assignments(session, incident_id)]


def read_caller_details(*, session: Session, clock: Clock, incident: Incident) -> None:
    """Log that the caller's number was shown; the incident number is the case."""
    audit.record_personal_read(
        session,
        clock=clock,
        resource_type="incident",
        resource_id=incident.id,
        purpose=DETAIL_PURPOSE,
        case_number=incident.number,
        detail={"fields": ["caller_phone"]},
    )


def masked_phone(phone: str | None) -> str | None:
    return mask_phone(phone)
