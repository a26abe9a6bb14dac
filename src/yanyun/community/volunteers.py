"""Volunteers (衡阳义警) and 一呼百应: the registry, and calling the nearest to a place.

A call picks available volunteers with the skills asked for, nearest estimated
arrival first, from the in-memory index (selection.py), re-checks them in the
database, records each one called and hands the call to a `Notifier`. Calls
are refused for incident categories unsafe for volunteers, and every call ends
with a stand-down: by hand, or when the incident it came from is closed.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yanyun.auth.permissions import Perm
from yanyun.auth.scope import visible
from yanyun.auth.service import Actor
from yanyun.community.models import (
    IncidentRef,
    Mobilisation,
    MobilisationResponse,
    Volunteer,
    VolunteerActivity,
    VolunteerUnit,
)
from yanyun.community.schemas import RESPONSE_LABELS, ActivityCreate, MobilisationCreate
from yanyun.community.selection import VolunteerIndex, skills_mask, skills_of
from yanyun.community.settings import CommunitySettings
from yanyun.core import events
from yanyun.core.clock import Clock, as_utc
from yanyun.core.db import fetch_page
from yanyun.core.errors import Conflict, Invalid, NotFound
from yanyun.core.ids import new_id
from yanyun.events.community import MobilisationChanged, VolunteersCalled, VolunteersStoodDown
from yanyun.geo import service as geo_service
from yanyun.geo.service import CityIndex

ENGAGED = ("called", "accepted", "arrived")
INCIDENT_DONE = ("resolved", "closed", "cancelled")
# A response may move only along these edges; stand-down is the call's, not the volunteer's.
RESPONSE_EDGES = {
    "accept": ({"called"}, "accepted"),
    "decline": ({"called", "accepted"}, "declined"),
    "arrive": ({"accepted"}, "arrived"),
}


class Notifier(Protocol):
    """How volunteers hear of a call and of its end (app push, SMS, radio...)."""

    def call(
        self, session: Session, clock: Clock, call: Mobilisation, volunteer_ids: list[str]
    ) -> None: ...

    def stand_down(
        self, session: Session, clock: Clock, call: Mobilisation, volunteer_ids: list[str]
    ) -> None: ...


class OutboxNotifier:
    """Announces calls as outbox events; the channels that deliver them read the outbox."""

    def call(
        self, session: Session, clock: Clock, call: Mobilisation, volunteer_ids: list[str]
    ) -> None:
        events.publish(
            session,
            VolunteersCalled(title=call.title, lng=call.lng, lat=call.lat,
                             volunteer_ids=volunteer_ids),
            clock=clock,
            resource_id=call.id,
            org_path=call.org_path,
        )

    def stand_down(
        self, session: Session, clock: Clock, call: Mobilisation, volunteer_ids: list[str]
    ) -> None:
        events.publish(
            session,
            VolunteersStoodDown(title=call.title, volunteer_ids=volunteer_ids),
            clock=clock,
            resource_id=call.id,
            org_path=call.org_path,
        )


class IndexCache:
    """The process's volunteer index, rebuilt when older than its time to live."""

    def __init__(self, ttl_s: float) -> None:
        self.ttl_s = ttl_s
        self._index: VolunteerIndex | None = None
        self._lock = threading.Lock()

    def get(self, session: Session) -> VolunteerIndex:
        now = time.monotonic()
        with self._lock:
            if self._index is None or now - self._index.built_at_s > self.ttl_s:
                self._index = load_index(session=session, built_at_s=now)
            return self._index

    def forget(self) -> None:
        with self._lock:
            self._index = None


def load_index(*, session: Session, built_at_s: float = 0.0) -> VolunteerIndex:
    """Read every volunteer's position, skills and availability into arrays."""
    rows = session.execute(
        select(
            Volunteer.id, Volunteer.lng, Volunteer.lat, Volunteer.skills_mask, Volunteer.available
        )
    ).all()
    return VolunteerIndex.from_rows([tuple(r) for r in rows], built_at_s=built_at_s)


# ---- registry ---------------------------------------------------------------------


def volunteer_read(v: Volunteer, actor: Actor) -> dict[str, Any]:
    """A volunteer as a reader sees them: the home point only for those who call volunteers out."""
    home = actor.can(Perm.volunteers_mobilise)
    return {
        "id": v.id,
        "name_zh": v.name_zh,
        "squad_id": v.squad_id,
        "home_grid_code": v.home_grid_code,
        "station_code": v.station_code,
        "skills": skills_of(v.skills_mask),
        "available": v.available,
        "grid_patroller": v.grid_patroller,
        "lng": v.lng if home else None,
        "lat": v.lat if home else None,
        "hours_total": round(v.hours_total, 1),
    }


def register_volunteer(
    *, session: Session, clock: Clock, index: CityIndex, actor: Actor | None, volunteer_in: Any
) -> Volunteer:
    """Register a volunteer at their home; the grid and station come from the point.

    A station's users register volunteers who live in their own area only.
    """
    where = geo_service.place_in_scope(
        index=index, actor=actor, lng=volunteer_in.lng, lat=volunteer_in.lat
    )
    assert where.grid and where.station and where.org_path
    if volunteer_in.squad_id and session.get(VolunteerUnit, volunteer_in.squad_id) is None:
        raise Invalid("squad_id", "中队不存在", "no such squad")
    volunteer = Volunteer(
        id=new_id(clock),
        name_zh=volunteer_in.name_zh,
        squad_id=volunteer_in.squad_id,
        home_grid_code=where.grid.code,
        station_code=where.station.code,
        org_path=where.org_path,
        skills_mask=skills_mask(volunteer_in.skills),
        available=volunteer_in.available,
        grid_patroller=volunteer_in.grid_patroller,
        lng=volunteer_in.lng,
        lat=volunteer_in.lat,
        hours_total=0.0,
        registered_at=clock.now(),
    )
    session.add(volunteer)
    session.flush()
    return volunteer


def get_volunteer(*, session: Session, actor: Actor, volunteer_id: str) -> Volunteer:
    volunteer = visible(session, Volunteer, volunteer_id, actor, what="volunteer")
    return volunteer


def update_volunteer(
    *,
    session: Session,
    actor: Actor,
    volunteer_id: str,
    update: Any,
    cache: IndexCache | None = None,
) -> Volunteer:
    """Change a volunteer's availability, skills or patrol duty."""
    volunteer = get_volunteer(session=session, actor=actor, volunteer_id=volunteer_id)
    if update.available is not None:
        volunteer.available = update.available
    if update.skills is not None:
        volunteer.skills_mask = skills_mask(update.skills)
    if update.grid_patroller is not None:
        volunteer.grid_patroller = update.grid_patroller
    if cache is not None:
        cache.forget()
    return volunteer


def list_volunteers(
    *,
    session: Session,
    actor: Actor,
    grid_code: str | None = None,
    station_code: str | None = None,
    squad_id: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[Volunteer]]:
    stmt = actor.scope(select(Volunteer), Volunteer.org_path)
    if grid_code:
        stmt = stmt.where(Volunteer.home_grid_code == grid_code)
    if station_code:
        stmt = stmt.where(Volunteer.station_code == station_code)
    if squad_id:
        stmt = stmt.where(Volunteer.squad_id == squad_id)
    total, rows = fetch_page(session, stmt, Volunteer.id, limit=limit, offset=offset)
    return total, rows


def record_activity(
    *, session: Session, actor: Actor, clock: Clock, volunteer_id: str, activity_in: ActivityCreate
) -> VolunteerActivity:
    """Record hours a volunteer gave; their total follows."""
    volunteer = get_volunteer(session=session, actor=actor, volunteer_id=volunteer_id)
    if as_utc(activity_in.started_at) > clock.now():
        raise Invalid(
            "started_at", "活动时间不能晚于当前时间", "activity cannot start in the future"
        )
    row = VolunteerActivity(
        id=new_id(clock),
        volunteer_id=volunteer.id,
        kind=activity_in.kind.value,
        started_at=activity_in.started_at,
        hours=activity_in.hours,
        grid_code=volunteer.home_grid_code,
        org_path=volunteer.org_path,
    )
    session.add(row)
    volunteer.hours_total += activity_in.hours
    return row


def organisation(*, session: Session, actor: Actor, parent_id: str | None) -> list[dict[str, Any]]:
    """One level of the volunteer organisation with head counts, under `parent_id`."""
    from yanyun.community.models import RallyPoint

    stmt = select(VolunteerUnit).order_by(VolunteerUnit.id)
    stmt = stmt.where(
        VolunteerUnit.parent_id == parent_id if parent_id else VolunteerUnit.parent_id.is_(None)
    )
    units = [u for u in session.scalars(stmt) if _unit_visible(actor, u)]
    if not units:
        return []
    ids = [u.id for u in units]
    children = dict(
        session.execute(
            select(VolunteerUnit.parent_id, func.count())
            .where(VolunteerUnit.parent_id.in_(ids))
            .group_by(VolunteerUnit.parent_id)
        ).all()
    )
    points = dict(
        session.execute(
            select(RallyPoint.unit_id, func.count())
            .where(RallyPoint.unit_id.in_(ids))
            .group_by(RallyPoint.unit_id)
        ).all()
    )
    # One grouped scan per level instead of a prefix count per unit.
    level = units[0].level
    if level == "squad":
        counts = dict(
            session.execute(
                select(Volunteer.squad_id, func.count())
                .where(Volunteer.squad_id.in_(ids))
                .group_by(Volunteer.squad_id)
            ).all()
        )
    elif level == "corps":
        total = session.scalar(select(func.count()).select_from(Volunteer)) or 0
        counts = {u.id: total for u in units}
    else:
        by_station = dict(
            session.execute(
                select(Volunteer.station_code, func.count()).group_by(Volunteer.station_code)
            ).all()
        )
        counts = {}
        for u in units:
            if level == "brigade":
                counts[u.id] = by_station.get(u.station_code, 0)
            else:
                stations = session.scalars(
                    select(VolunteerUnit.station_code).where(VolunteerUnit.parent_id == u.id)
                )
                counts[u.id] = sum(by_station.get(code, 0) for code in stations)
    return [
        {
            "id": u.id,
            "level": u.level,
            "parent_id": u.parent_id,
            "name_zh": u.name_zh,
            "name_en": u.name_en,
            "station_code": u.station_code,
            "volunteers": int(counts.get(u.id, 0)),
            "children": int(children.get(u.id, 0)),
            "rally_points": int(points.get(u.id, 0)),
        }
        for u in units
    ]


def _unit_visible(actor: Actor, unit: VolunteerUnit) -> bool:
    # Upper levels are visible to everyone below them: a station sees its city corps.
    return actor.sees(unit.org_path) or (actor.org_path or "").startswith(unit.org_path)


# ---- mobilisation -------------------------------------------------------------------


def unsafe_reason(
    *,
    category_code: str | None,
    sub_code: str | None,
    volunteer_safe: bool | None,
    unsafe: list[str],
) -> tuple[str, str] | None:
    """Why volunteers may not be called to this category, or None if they may.

    >>> unsafe_reason(category_code="40", sub_code="4001", volunteer_safe=None,
    ...               unsafe=["40", "4001"])[1]
    'incident category 4001 is not safe for volunteers'
    >>> unsafe_reason(category_code="70", sub_code="7001", volunteer_safe=None, unsafe=["70"])
    """
    if volunteer_safe is False:
        return ("该警情类别不适合义警参与", "this incident category is not safe for volunteers")
    if sub_code:
        if sub_code in unsafe:
            return (
                f"警情类别{sub_code}不适合义警参与",
                f"incident category {sub_code} is not safe for volunteers",
            )
        return None
    if category_code and category_code in unsafe:
        return (
            f"警情类别{category_code}不适合义警参与（未指明细类）",
            f"incident category {category_code} is not safe for volunteers (no sub-category given)",
        )
    return None


def engaged_volunteers(session: Session) -> set[str]:
    """Volunteers on an open call who have not declined: not to be called twice."""
    return set(
        session.scalars(
            select(MobilisationResponse.volunteer_id)
            .join(Mobilisation, Mobilisation.id == MobilisationResponse.mobilisation_id)
            .where(Mobilisation.status == "open", MobilisationResponse.status.in_(ENGAGED))
        )
    )


def mobilise(
    *,
    session: Session,
    clock: Clock,
    actor: Actor | None,
    city: CityIndex,
    volunteers: VolunteerIndex,
    settings: CommunitySettings,
    notifier: Notifier,
    call_in: MobilisationCreate,
) -> tuple[Mobilisation, float]:
    """Call the volunteers nearest in time to a place; returns the call and the selection ms."""
    reason = unsafe_reason(
        category_code=call_in.category_code,
        sub_code=call_in.sub_code,
        volunteer_safe=call_in.volunteer_safe,
        unsafe=settings.unsafe_categories,
    )
    if reason:
        raise Invalid("category_code", *reason)
    if call_in.headcount > settings.max_headcount:
        raise Invalid(
            "headcount",
            f"单次最多呼叫{settings.max_headcount}名义警",
            f"one call asks for at most {settings.max_headcount} volunteers",
        )
    where = geo_service.place_in_scope(
        index=city, actor=actor, lng=call_in.lng, lat=call_in.lat
    )
    assert where.grid and where.station and where.district and where.org_path
    radius_m = call_in.radius_m or settings.call_radius_m
    mask = skills_mask(call_in.skills)
    started = time.perf_counter()
    busy = engaged_volunteers(session)
    candidates = volunteers.select(
        lng=call_in.lng,
        lat=call_in.lat,
        required_mask=mask,
        radius_m=radius_m,
        limit=call_in.headcount * 2 + 10,
        exclude=busy,
        urban=city.district_urban.get(where.district.code, True),
    )
    # The index may be stale: the database decides who is still available.
    still = (
        set(
            session.scalars(
                select(Volunteer.id).where(
                    Volunteer.id.in_([c.volunteer_id for c in candidates]),
                    Volunteer.available.is_(True),
                )
            )
        )
        if candidates
        else set()
    )
    chosen = [c for c in candidates if c.volunteer_id in still][: call_in.headcount]
    selection_ms = (time.perf_counter() - started) * 1000
    if not chosen:
        raise Conflict(
            f"{radius_m:.0f}米内没有符合条件的可用义警",
            f"no available volunteer with those skills within {radius_m:.0f} m",
        )
    now = clock.now()
    call = Mobilisation(
        id=new_id(clock),
        source_type=call_in.source_type,
        source_id=call_in.source_id,
        title=call_in.title,
        category_code=call_in.category_code,
        sub_code=call_in.sub_code,
        lng=call_in.lng,
        lat=call_in.lat,
        grid_code=where.grid.code,
        station_code=where.station.code,
        org_path=where.org_path,
        skills_mask=mask,
        headcount=call_in.headcount,
        radius_m=radius_m,
        status="open",
        created_at=now,
        created_by=actor.user_id if actor else None,
    )
    session.add(call)
    session.flush()
    for c in chosen:
        session.add(
            MobilisationResponse(
                id=new_id(clock),
                mobilisation_id=call.id,
                volunteer_id=c.volunteer_id,
                distance_m=round(c.distance_m, 1),
                eta_s=round(c.eta_s, 1),
                status="called",
                called_at=now,
            )
        )
    session.flush()
    notifier.call(session, clock, call, [c.volunteer_id for c in chosen])
    _emit(session, clock, call, "mobilisation.opened", called=len(chosen))
    return call, selection_ms


def _emit(session: Session, clock: Clock, call: Mobilisation, kind: str, **extra: Any) -> None:
    events.publish(
        session,
        MobilisationChanged(
            title=call.title, status=call.status, source_type=call.source_type,
            source_id=call.source_id, lng=call.lng, lat=call.lat, **extra,
        ),
        clock=clock,
        kind=kind,
        resource_id=call.id,
        org_path=call.org_path,
    )


def get_call(*, session: Session, actor: Actor, call_id: str) -> Mobilisation:
    call = visible(session, Mobilisation, call_id, actor, what="mobilisation")
    return call


def respond(
    *, session: Session, clock: Clock, actor: Actor, call_id: str, response_id: str, action: str
) -> MobilisationResponse:
    """Record a volunteer's answer: accept, decline, or arrival on scene."""
    call = get_call(session=session, actor=actor, call_id=call_id)
    response = session.get(MobilisationResponse, response_id)
    if response is None or response.mobilisation_id != call.id:
        raise NotFound("mobilisation_response", response_id)
    if call.status != "open":
        raise Conflict("呼叫已解散", "the call has been stood down")
    allowed, to = RESPONSE_EDGES[action]
    if response.status not in allowed:
        zh, en = RESPONSE_LABELS[response.status]
        raise Conflict(
            f"当前状态（{zh}）不能执行该操作", f"cannot {action} a response that is {en}"
        )
    now = clock.now()
    response.status = to
    if action == "arrive":
        response.arrived_at = now
    else:
        response.responded_at = now
    _emit(
        session,
        clock,
        call,
        "mobilisation.response",
        response_id=response.id,
        volunteer_id=response.volunteer_id,
        response_status=to,
    )
    return response


def stand_down(
    *,
    session: Session,
    clock: Clock,
    actor: Actor | None,
    call_id: str,
    reason: str,
    notifier: Notifier,
) -> Mobilisation:
    """End a call: everyone still on it is stood down and told so."""
    call = visible(session, Mobilisation, call_id, actor, what="mobilisation")
    if call.status != "open":
        raise Conflict("呼叫已解散", "the call has already been stood down")
    now = clock.now()
    released = []
    for r in session.scalars(
        select(MobilisationResponse).where(MobilisationResponse.mobilisation_id == call.id)
    ):
        if r.status in ENGAGED:
            r.status = "stood_down"
            r.stood_down_at = now
            released.append(r.volunteer_id)
    call.status = "stood_down"
    call.stood_down_at = now
    call.stand_down_reason = reason
    notifier.stand_down(session, clock, call, released)
    _emit(session, clock, call, "mobilisation.stood_down", released=len(released), reason=reason)
    return call


def list_calls(
    *, session: Session, actor: Actor, status: str | None = None, limit: int = 50
) -> list[Mobilisation]:
    stmt = actor.scope(select(Mobilisation), Mobilisation.org_path)
    if status:
        stmt = stmt.where(Mobilisation.status == status)
    return list(session.scalars(stmt.order_by(Mobilisation.created_at.desc()).limit(limit)))


def call_read(
    session: Session,
    call: Mobilisation,
    *,
    with_responses: bool = True,
    selection_ms: float | None = None,
) -> dict[str, Any]:
    rows = session.execute(
        select(MobilisationResponse, Volunteer.name_zh)
        .join(Volunteer, Volunteer.id == MobilisationResponse.volunteer_id)
        .where(MobilisationResponse.mobilisation_id == call.id)
        .order_by(MobilisationResponse.eta_s)
    ).all()
    counts = {k: 0 for k in RESPONSE_LABELS}
    responses = []
    for r, name in rows:
        counts[r.status] += 1
        zh, en = RESPONSE_LABELS[r.status]
        responses.append(
            {
                "id": r.id,
                "volunteer_id": r.volunteer_id,
                "volunteer_name": name,
                "distance_m": r.distance_m,
                "eta_s": r.eta_s,
                "status": r.status,
                "status_label_zh": zh,
                "status_label_en": en,
                "called_at": r.called_at,
                "responded_at": r.responded_at,
                "arrived_at": r.arrived_at,
                "stood_down_at": r.stood_down_at,
            }
        )
    return {
        "id": call.id,
        "source_type": call.source_type,
        "source_id": call.source_id,
        "title": call.title,
        "category_code": call.category_code,
        "sub_code": call.sub_code,
        "lng": call.lng,
        "lat": call.lat,
        "grid_code": call.grid_code,
        "station_code": call.station_code,
        "skills": skills_of(call.skills_mask),
        "headcount": call.headcount,
        "radius_m": call.radius_m,
        "status": call.status,
        "created_at": call.created_at,
        "stood_down_at": call.stood_down_at,
        "stand_down_reason": call.stand_down_reason,
        "counts": counts,
        "responses": responses if with_responses else [],
        "selection_ms": selection_ms,
    }


# ---- incidents, read from command's events (community/handlers.py keeps them) -------


def open_incidents(
    *, session: Session, actor: Actor, settings: CommunitySettings, limit: int = 30
) -> list[dict[str, Any]]:
    """Incidents still open, newest first, each saying whether volunteers may go."""
    stmt = actor.scope(select(IncidentRef), IncidentRef.org_path).where(
        IncidentRef.status.not_in(INCIDENT_DONE)
    )
    out = []
    for ref in session.scalars(stmt.order_by(IncidentRef.received_at.desc()).limit(limit)):
        safe = (
            unsafe_reason(
                category_code=ref.category_code,
                sub_code=ref.sub_code,
                volunteer_safe=None,
                unsafe=settings.unsafe_categories,
            )
            is None
        )
        out.append(
            {
                "id": ref.id,
                "number": ref.number,
                "category_code": ref.category_code,
                "sub_code": ref.sub_code,
                "status": ref.status,
                "lng": ref.lng,
                "lat": ref.lat,
                "station_code": ref.station_code,
                "received_at": ref.received_at,
                "volunteer_safe": safe,
            }
        )
    return out


def call_from_incident(
    *,
    session: Session,
    actor: Actor,
    incident_id: str,
    title: str | None,
    skills: list[str],
    headcount: int,
    radius_m: float | None,
) -> MobilisationCreate:
    """The call for an incident community has heard of, as plain data."""
    ref = visible(session, IncidentRef, incident_id, actor, what="incident")
    if ref.status in INCIDENT_DONE:
        raise Conflict("警情已结束，不能呼叫义警", "the incident is finished; no call")
    return MobilisationCreate(
        source_type="incident",
        source_id=ref.id,
        title=title or f"警情{ref.number}协助",
        lng=ref.lng,
        lat=ref.lat,
        category_code=ref.category_code,
        sub_code=ref.sub_code,
        skills=skills,
        headcount=headcount,
        radius_m=radius_m,
    )
