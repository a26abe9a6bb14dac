"""Incidents: taking a call, numbering it, reading it in scope and moving it along its lifecycle.

Every change writes its transition (the incident's timeline) and its outbox
event in the caller's transaction; the edge commits. Dispatch lives in
`dispatching`, duplicates in `merging`, the 1-3-5 clock in `breaches`.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from yanyun.auth.scope import visible
from yanyun.auth.service import Actor, mask_phone
from yanyun.command import lifecycle
from yanyun.command.breaches import check_arrival
from yanyun.command.catalogue import Catalogue
from yanyun.command.models import DailySequence, Incident, IncidentCall, ResponseCircle
from yanyun.command.schemas import OUTCOMES, IncidentCreate
from yanyun.command.settings import CommandSettings
from yanyun.command.transitions import move, record, release_units
from yanyun.core import audit
from yanyun.core.clock import Clock, as_utc, local_date
from yanyun.core.db import insert_ignoring_conflicts, reads_before_writing
from yanyun.core.errors import Invalid
from yanyun.core.ids import new_id
from yanyun.geo.coords import distance_m
from yanyun.geo.service import CityIndex, place_in_scope

DETAIL_PURPOSE = "接处警：查看报警人信息 (incident handling: caller details)"


def next_number(*, session: Session, day: date) -> str:
    """Hand out the next incident number of a bureau day, e.g. 20261123-000123.

    One statement (UPDATE ... RETURNING), which also locks the day's row until
    the caller commits; the day's first number creates the row.
    """
    seq = DailySequence.__table__
    bump = (
        update(seq).where(seq.c.day == day).values(last=seq.c.last + 1).returning(seq.c.last)
    )
    last = session.execute(bump).scalar()
    if last is None:
        # Another transaction may create the day's row first: then it is kept.
        insert_ignoring_conflicts(session, DailySequence, [{"day": day, "last": 0}], key="day")
        last = session.execute(bump).scalar_one()
    return f"{day:%Y%m%d}-{last:06d}"


def circle_for(*, session: Session, lng: float, lat: float) -> ResponseCircle | None:
    """The 1-3-5 circle with the tightest target that contains the point, if any."""
    # Circles are at most a few km wide: 0.05 degrees (~5 km) bounds the search.
    rows = session.scalars(
        select(ResponseCircle).where(
            ResponseCircle.lat.between(lat - 0.05, lat + 0.05),
            ResponseCircle.lng.between(lng - 0.05, lng + 0.05),
        )
    ).all()
    inside = [c for c in rows if distance_m((lng, lat), (c.lng, c.lat)) <= c.radius_m]
    return min(inside, key=lambda c: (c.target_min, c.id), default=None)


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
    # Read before the first write: on SQLite the writer is taken only for the inserts.
    with reads_before_writing(session) as reader:
        circle = circle_for(session=reader, lng=incident_in.lng, lat=incident_in.lat)
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
    record(session, clock, incident, None, "received", actor)
    return incident


def _default_priority(catalogue: Catalogue, incident_in: IncidentCreate) -> int:
    if incident_in.sub_code:
        return catalogue.subcategory(incident_in.sub_code).priority
    category = catalogue.category(incident_in.category_code)
    return min((s.priority for s in category.subcategories), default=3)



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
    move(session, clock, incident, to_status, actor, note=note)
    if to_status in ("resolved", "cancelled"):
        release_units(session, clock, incident)
    if first_arrival:
        check_arrival(session, clock, incident)
    return incident



def add_note(
    *, session: Session, clock: Clock, actor: Actor, incident_id: str, text: str
) -> Incident:
    """Write a note on the incident's timeline (what was said, decided, seen) without moving it."""
    incident = get_incident(session=session, actor=actor, incident_id=incident_id, for_update=True)
    record(
        session, clock, incident, incident.status, incident.status, actor,
        note=text, kind="incident.noted",
    )
    return incident



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


def incidents_numbered(
    *, session: Session, actor: Actor, prefix: str, limit: int = 8
) -> list[Incident]:
    """Incidents in scope whose number starts with ``prefix`` (the shell's search box)."""
    stmt = actor.scope(select(Incident), Incident.org_path).where(
        Incident.number.startswith(prefix, autoescape=True)
    )
    return list(session.scalars(stmt.order_by(Incident.number.desc()).limit(limit)))
