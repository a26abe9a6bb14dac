"""Routes of 一呼百应: open incidents, calls for volunteers, their answers, the stand-down."""

from __future__ import annotations

from yanyun.community import incidents, mobilisation
from yanyun.community.routes import CacheDep, Caller, Limit, NotifierDep, Reader, router
from yanyun.community.volunteer_schemas import (
    FromIncidentIn,
    IncidentRefRead,
    MobilisationCreate,
    MobilisationRead,
    ResponseAction,
    StandDownIn,
)
from yanyun.core.http import ClockDep, SessionDep, SettingsDep
from yanyun.core.params import Code, PathKey
from yanyun.geo.api import IndexDep


@router.get("/incidents", response_model=list[IncidentRefRead])
def open_incidents(
    session: SessionDep,
    settings: SettingsDep,
    actor: Reader,
    city: IndexDep,
    limit: Limit = 30,
) -> list[IncidentRefRead]:
    """Open incidents heard from command's events, each saying whether volunteers may go."""
    return incidents.open_incidents(
        session=session, actor=actor, settings=settings.community, city=city, limit=limit
    )


@router.post("/mobilisations", response_model=MobilisationRead, status_code=201)
def mobilise(
    body: MobilisationCreate,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Caller,
    city: IndexDep,
    cache: CacheDep,
    notifier: NotifierDep,
) -> MobilisationRead:
    """Call the nearest available volunteers with the skills needed (一呼百应)."""
    call, ms = mobilisation.mobilise(
        session=session,
        clock=clock,
        actor=actor,
        city=city,
        volunteers=cache.get(session),
        settings=settings.community,
        notifier=notifier,
        call_in=body,
    )
    return mobilisation.call_read(session, call, selection_ms=round(ms, 2))


@router.post(
    "/incidents/{incident_id}/mobilisations", response_model=MobilisationRead, status_code=201
)
def mobilise_for_incident(
    incident_id: PathKey,
    body: FromIncidentIn,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Caller,
    city: IndexDep,
    cache: CacheDep,
    notifier: NotifierDep,
) -> MobilisationRead:
    """Call volunteers to an incident; refused for categories unsafe for volunteers."""
    call_in = incidents.call_from_incident(
        session=session,
        actor=actor,
        incident_id=incident_id,
        title=None,
        skills=body.skills,
        headcount=body.headcount,
        radius_m=body.radius_m,
    )
    call, ms = mobilisation.mobilise(
        session=session,
        clock=clock,
        actor=actor,
        city=city,
        volunteers=cache.get(session),
        settings=settings.community,
        notifier=notifier,
        call_in=call_in,
    )
    return mobilisation.call_read(session, call, selection_ms=round(ms, 2))


@router.get("/mobilisations", response_model=list[MobilisationRead])
def list_calls(
    session: SessionDep, actor: Reader, status: Code | None = None, limit: Limit = 30
) -> list[MobilisationRead]:
    """Recent calls, newest first, with their response counts."""
    return [
        mobilisation.call_read(session, c, with_responses=False)
        for c in mobilisation.list_calls(session=session, actor=actor, status=status, limit=limit)
    ]


@router.get("/mobilisations/{call_id}", response_model=MobilisationRead)
def get_call(call_id: PathKey, session: SessionDep, actor: Reader) -> MobilisationRead:
    """A call with each volunteer called and where they are in it."""
    return mobilisation.call_read(
        session, mobilisation.get_call(session=session, actor=actor, call_id=call_id)
    )


@router.post("/mobilisations/{call_id}/responses/{response_id}", response_model=MobilisationRead)
def respond(
    call_id: PathKey,
    response_id: PathKey,
    body: ResponseAction,
    session: SessionDep,
    clock: ClockDep,
    actor: Caller,
) -> MobilisationRead:
    """Record a volunteer's accept, decline or arrival."""
    mobilisation.respond(
        session=session,
        clock=clock,
        actor=actor,
        call_id=call_id,
        response_id=response_id,
        action=body.action,
    )
    return mobilisation.call_read(
        session, mobilisation.get_call(session=session, actor=actor, call_id=call_id)
    )


@router.post("/mobilisations/{call_id}/stand-down", response_model=MobilisationRead)
def stand_down(
    call_id: PathKey,
    body: StandDownIn,
    session: SessionDep,
    clock: ClockDep,
    actor: Caller,
    notifier: NotifierDep,
) -> MobilisationRead:
    """End a call: everyone still on it is stood down and told."""
    call = mobilisation.stand_down(
        session=session,
        clock=clock,
        actor=actor,
        call_id=call_id,
        reason=body.reason,
        notifier=notifier,
    )
    return mobilisation.call_read(session, call)
