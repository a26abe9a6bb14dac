"""一呼百应: calling the volunteers nearest in time to a place, their answers, the stand-down.

A call picks available volunteers with the skills asked for, nearest estimated
arrival first, from the in-memory index (selection.py), re-checks them in the
database, records each one called and hands the call to a `Notifier`. Calls
are refused for incident categories unsafe for volunteers, and every call ends
with a stand-down: by hand, or when the incident it came from is closed.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.auth.scope import visible
from yanyun.auth.service import Actor
from yanyun.community.models import Mobilisation, MobilisationResponse, Volunteer
from yanyun.community.notifiers import Notifier
from yanyun.community.selection import Candidate, VolunteerIndex, skills_mask, skills_of
from yanyun.community.settings import CommunitySettings
from yanyun.community.volunteer_schemas import (
    RESPONSE_LABELS,
    MobilisationCreate,
    MobilisationRead,
    ResponseRead,
)
from yanyun.community.volunteers import credit_hours
from yanyun.core import events
from yanyun.core.clock import Clock
from yanyun.core.errors import Conflict, Invalid, NotFound
from yanyun.core.ids import new_id
from yanyun.events.community import MobilisationChanged
from yanyun.geo import service as geo_service
from yanyun.geo.service import CityIndex

ENGAGED = ("called", "accepted", "arrived")
# A response may move only along these edges; stand-down is the call's, not the volunteer's.
RESPONSE_EDGES = {
    "accept": ({"called"}, "accepted"),
    "decline": ({"called", "accepted"}, "declined"),
    "arrive": ({"accepted"}, "arrived"),
}


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
    _refuse_unsafe_or_too_many(call_in, settings)
    where = geo_service.place_in_scope(
        index=city, actor=actor, lng=call_in.lng, lat=call_in.lat
    )
    assert where.grid and where.station and where.district and where.org_path
    radius_m = call_in.radius_m or settings.call_radius_m
    mask = skills_mask(call_in.skills)
    started = time.perf_counter()
    chosen = _choose(
        session,
        volunteers,
        call_in,
        required_mask=mask,
        radius_m=radius_m,
        urban=city.district_urban.get(where.district.code, True),
    )
    selection_ms = (time.perf_counter() - started) * 1000
    if not chosen:
        raise Conflict(
            f"{radius_m:.0f}米内没有符合条件的可用义警",
            f"no available volunteer with those skills within {radius_m:.0f} m",
        )
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
        created_at=clock.now(),
        created_by=actor.user_id if actor else None,
    )
    _record_call(session, clock, call, chosen)
    notifier.call(session, clock, call, [c.volunteer_id for c in chosen])
    _emit(session, clock, call, "mobilisation.opened", called=len(chosen))
    return call, selection_ms


def _refuse_unsafe_or_too_many(call_in: MobilisationCreate, settings: CommunitySettings) -> None:
    """Refuse a call to a category unsafe for volunteers, or for more than one call may ask."""
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


def _choose(
    session: Session,
    volunteers: VolunteerIndex,
    call_in: MobilisationCreate,
    *,
    required_mask: int,
    radius_m: float,
    urban: bool,
) -> list[Candidate]:
    """The nearest free volunteers with the skills, still available in the database."""
    candidates = volunteers.select(
        lng=call_in.lng,
        lat=call_in.lat,
        required_mask=required_mask,
        radius_m=radius_m,
        limit=call_in.headcount * 2 + 10,
        exclude=engaged_volunteers(session),
        urban=urban,
    )
    if not candidates:
        return []
    # The index may be stale: the database decides who is still available.
    still = set(
        session.scalars(
            select(Volunteer.id).where(
                Volunteer.id.in_([c.volunteer_id for c in candidates]),
                Volunteer.available.is_(True),
            )
        )
    )
    return [c for c in candidates if c.volunteer_id in still][: call_in.headcount]


def _record_call(
    session: Session, clock: Clock, call: Mobilisation, chosen: list[Candidate]
) -> None:
    """Write the call and one response row per volunteer called."""
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
                called_at=call.created_at,
            )
        )
    session.flush()


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
    """The call if the actor's area holds it, else NotFound."""
    call = visible(session, Mobilisation, call_id, actor, what="mobilisation")
    return call


def respond(
    *, session: Session, clock: Clock, actor: Actor, call_id: str, response_id: str, action: str
) -> MobilisationResponse:
    """Record a volunteer's answer keyed in by an operator: accept, decline, or arrival."""
    call = get_call(session=session, actor=actor, call_id=call_id)
    response = session.get(MobilisationResponse, response_id)
    if response is None or response.mobilisation_id != call.id:
        raise NotFound("mobilisation_response", response_id)
    respond_as(session=session, clock=clock, call=call, response=response, action=action)
    return response


def respond_as(
    *, session: Session, clock: Clock, call: Mobilisation, response: MobilisationResponse,
    action: str,
) -> None:
    """Move one response along its edges (the operator's desk and the volunteer's phone)."""
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
            if r.status == "arrived":
                credit_hours(session, clock, call, r, now)
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
    """Calls in the actor's area, newest first."""
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
) -> MobilisationRead:
    """A call with its response counts and, unless asked not to, each volunteer called."""
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
            ResponseRead(
                id=r.id,
                volunteer_id=r.volunteer_id,
                volunteer_name=name,
                distance_m=r.distance_m,
                eta_s=r.eta_s,
                status=r.status,
                status_label_zh=zh,
                status_label_en=en,
                called_at=r.called_at,
                responded_at=r.responded_at,
                arrived_at=r.arrived_at,
                stood_down_at=r.stood_down_at,
            )
        )
    return MobilisationRead(
        id=call.id,
        source_type=call.source_type,
        source_id=call.source_id,
        title=call.title,
        category_code=call.category_code,
        sub_code=call.sub_code,
        lng=call.lng,
        lat=call.lat,
        grid_code=call.grid_code,
        station_code=call.station_code,
        skills=skills_of(call.skills_mask),
        headcount=call.headcount,
        radius_m=call.radius_m,
        status=call.status,
        created_at=call.created_at,
        stood_down_at=call.stood_down_at,
        stand_down_reason=call.stand_down_reason,
        counts=counts,
        responses=responses if with_responses else [],
        selection_ms=selection_ms,
    )
