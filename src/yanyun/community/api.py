"""Routes of community policing: grids, volunteers and 一呼百应, disputes, villages, enterprises."""

from __future__ import annotations

import threading
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from yanyun.auth.deps import require
from yanyun.auth.permissions import Perm
from yanyun.auth.service import Actor
from yanyun.community import grid, service, volunteers
from yanyun.community.schemas import (
    ActivityCreate,
    ActivityRead,
    CaseCreate,
    CountRow,
    DisputeAssign,
    DisputeClose,
    DisputeCreate,
    DisputeRead,
    EnterpriseRead,
    FromIncidentIn,
    GridReportCreate,
    GridReportPage,
    GridReportRead,
    GridTeamRead,
    HazardAction,
    IncidentRefRead,
    MeetingCreate,
    MeetingRead,
    MobilisationCreate,
    MobilisationRead,
    PlanUpdate,
    ResponseAction,
    ServiceDayCreate,
    ServiceDayRead,
    ServiceDayReport,
    SessionCreate,
    StandDownIn,
    UnitRead,
    VillageRead,
    VisitCreate,
    VolunteerCreate,
    VolunteerPage,
    VolunteerRead,
    VolunteerUpdate,
)
from yanyun.core.http import ClockDep, SessionDep, SettingsDep
from yanyun.core.params import Code, PathKey
from yanyun.geo.api import IndexDep

router = APIRouter(prefix="/api/v1/community", tags=["community"])
_lock = threading.Lock()

Reader = Annotated[Actor, Depends(require(Perm.community_read))]
Writer = Annotated[Actor, Depends(require(Perm.community_write))]
Caller = Annotated[Actor, Depends(require(Perm.volunteers_mobilise))]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


def get_index_cache(request: Request) -> volunteers.IndexCache:
    state = request.app.state.runtime.state
    with _lock:
        cache = state.get("volunteer_index")
        if cache is None:
            settings = request.app.state.runtime.settings
            cache = volunteers.IndexCache(settings.community.index_ttl_s)
            state["volunteer_index"] = cache
    return cache


def get_notifier(request: Request) -> volunteers.Notifier:
    return request.app.state.runtime.state.get("volunteer_notifier") or volunteers.OutboxNotifier()


CacheDep = Annotated[volunteers.IndexCache, Depends(get_index_cache)]
NotifierDep = Annotated[volunteers.Notifier, Depends(get_notifier)]


# ---- summary -----------------------------------------------------------------------


@router.get("/summary")
def summary(session: SessionDep, actor: Reader) -> dict[str, Any]:
    """The headline figures of the seeds for the actor's area."""
    from sqlalchemy import func, select

    from yanyun.community.models import Dispute, Village, Volunteer

    def count(model: Any, column: Any, *where: Any) -> int:
        stmt = actor.scope(select(func.count()).select_from(model), column)
        return session.scalar(stmt.where(*where)) or 0

    return {
        **grid.city_totals(session=session, actor=actor),
        "volunteers": count(Volunteer, Volunteer.org_path),
        "volunteers_available": count(Volunteer, Volunteer.org_path, Volunteer.available.is_(True)),
        "villages": count(Village, Village.org_path),
        "disputes": count(Dispute, Dispute.org_path),
        "disputes_resolved": count(Dispute, Dispute.org_path, Dispute.status == "resolved"),
        **service.enterprise_totals(session=session, actor=actor),
    }


# ---- volunteers ---------------------------------------------------------------------


@router.get("/volunteers", response_model=VolunteerPage)
def list_volunteers(
    session: SessionDep,
    actor: Reader,
    grid_code: Code | None = None,
    station_code: Code | None = None,
    squad_id: Code | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Registered volunteers in the actor's area."""
    total, rows = volunteers.list_volunteers(
        session=session,
        actor=actor,
        grid_code=grid_code,
        station_code=station_code,
        squad_id=squad_id,
        limit=limit,
        offset=offset,
    )
    return {"total": total, "items": [volunteers.volunteer_read(v, actor) for v in rows]}


@router.post("/volunteers", response_model=VolunteerRead, status_code=201)
def register_volunteer(
    body: VolunteerCreate,
    session: SessionDep,
    clock: ClockDep,
    actor: Writer,
    city: IndexDep,
    cache: CacheDep,
) -> dict[str, Any]:
    """Register a volunteer; home grid and station follow from where they live."""
    v = volunteers.register_volunteer(
        session=session, clock=clock, index=city, actor=actor, volunteer_in=body
    )
    cache.forget()
    return volunteers.volunteer_read(v, actor)


@router.patch("/volunteers/{volunteer_id}", response_model=VolunteerRead)
def update_volunteer(
    volunteer_id: PathKey,
    body: VolunteerUpdate,
    session: SessionDep,
    actor: Writer,
    cache: CacheDep,
) -> dict[str, Any]:
    """Change availability, skills or grid patrol duty."""
    v = volunteers.update_volunteer(
        session=session, actor=actor, volunteer_id=volunteer_id, update=body, cache=cache
    )
    return volunteers.volunteer_read(v, actor)


@router.post("/volunteers/{volunteer_id}/activities", response_model=ActivityRead, status_code=201)
def record_activity(
    volunteer_id: PathKey, body: ActivityCreate, session: SessionDep, clock: ClockDep, actor: Writer
) -> Any:
    """Record hours of patrol, mediation, civility guidance, school gate or publicity."""
    return volunteers.record_activity(
        session=session, actor=actor, clock=clock, volunteer_id=volunteer_id, activity_in=body
    )


@router.get("/organisation", response_model=list[UnitRead])
def organisation(
    session: SessionDep, actor: Reader, parent_id: Code | None = None
) -> list[dict[str, Any]]:
    """One level of 总队 / 支队 / 大队 / 中队, with head counts and rally points."""
    return volunteers.organisation(session=session, actor=actor, parent_id=parent_id)


# ---- mobilisation ---------------------------------------------------------------------


@router.get("/incidents", response_model=list[IncidentRefRead])
def open_incidents(
    session: SessionDep,
    settings: SettingsDep,
    actor: Reader,
    city: IndexDep,
    limit: Limit = 30,
) -> list[dict[str, Any]]:
    """Open incidents heard from command's events, each saying whether volunteers may go."""
    rows = volunteers.open_incidents(
        session=session, actor=actor, settings=settings.community, limit=limit
    )
    return [r | {"station_name_zh": _station_name(city, r["station_code"])} for r in rows]


def _station_name(city: Any, code: str) -> str | None:
    station = city.stations.get(code)
    return station.name_zh if station else None


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
) -> dict[str, Any]:
    """Call the nearest available volunteers with the skills needed (一呼百应)."""
    call, ms = volunteers.mobilise(
        session=session,
        clock=clock,
        actor=actor,
        city=city,
        volunteers=cache.get(session),
        settings=settings.community,
        notifier=notifier,
        call_in=body,
    )
    return volunteers.call_read(session, call, selection_ms=round(ms, 2))


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
) -> dict[str, Any]:
    """Call volunteers to an incident; refused for categories unsafe for volunteers."""
    call_in = volunteers.call_from_incident(
        session=session,
        actor=actor,
        incident_id=incident_id,
        title=None,
        skills=body.skills,
        headcount=body.headcount,
        radius_m=body.radius_m,
    )
    call, ms = volunteers.mobilise(
        session=session,
        clock=clock,
        actor=actor,
        city=city,
        volunteers=cache.get(session),
        settings=settings.community,
        notifier=notifier,
        call_in=call_in,
    )
    return volunteers.call_read(session, call, selection_ms=round(ms, 2))


@router.get("/mobilisations", response_model=list[MobilisationRead])
def list_calls(
    session: SessionDep, actor: Reader, status: Code | None = None, limit: Limit = 30
) -> list[dict[str, Any]]:
    """Recent calls, newest first, with their response counts."""
    return [
        volunteers.call_read(session, c, with_responses=False)
        for c in volunteers.list_calls(session=session, actor=actor, status=status, limit=limit)
    ]


@router.get("/mobilisations/{call_id}", response_model=MobilisationRead)
def get_call(call_id: PathKey, session: SessionDep, actor: Reader) -> dict[str, Any]:
    """A call with each volunteer called and where they are in it."""
    return volunteers.call_read(
        session, volunteers.get_call(session=session, actor=actor, call_id=call_id)
    )


@router.post("/mobilisations/{call_id}/responses/{response_id}", response_model=MobilisationRead)
def respond(
    call_id: PathKey,
    response_id: PathKey,
    body: ResponseAction,
    session: SessionDep,
    clock: ClockDep,
    actor: Caller,
) -> dict[str, Any]:
    """Record a volunteer's accept, decline or arrival."""
    volunteers.respond(
        session=session,
        clock=clock,
        actor=actor,
        call_id=call_id,
        response_id=response_id,
        action=body.action,
    )
    return volunteers.call_read(
        session, volunteers.get_call(session=session, actor=actor, call_id=call_id)
    )


@router.post("/mobilisations/{call_id}/stand-down", response_model=MobilisationRead)
def stand_down(
    call_id: PathKey,
    body: StandDownIn,
    session: SessionDep,
    clock: ClockDep,
    actor: Caller,
    notifier: NotifierDep,
) -> dict[str, Any]:
    """End a call: everyone still on it is stood down and told."""
    call = volunteers.stand_down(
        session=session,
        clock=clock,
        actor=actor,
        call_id=call_id,
        reason=body.reason,
        notifier=notifier,
    )
    return volunteers.call_read(session, call)


# ---- grids ------------------------------------------------------------------------


@router.get("/grid-teams")
def grid_teams(
    session: SessionDep,
    actor: Reader,
    city: IndexDep,
    station_code: Code | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Each grid's 1 + 1 + N with its reports and hazards."""
    total, rows = grid.grid_teams(
        session=session,
        actor=actor,
        city=city,
        station_code=station_code,
        limit=limit,
        offset=offset,
    )
    return {"total": total, "items": [GridTeamRead(**r) for r in rows]}


@router.get("/grid-reports", response_model=GridReportPage)
def list_reports(
    session: SessionDep,
    actor: Reader,
    kind: Code | None = None,
    status: Code | None = None,
    grid_code: Code | None = None,
    station_code: Code | None = None,
    overdue: bool = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Grid reports and hazards, newest first."""
    total, rows = grid.list_reports(
        session=session,
        actor=actor,
        kind=kind,
        status=status,
        grid_code=grid_code,
        station_code=station_code,
        overdue=overdue,
        limit=limit,
        offset=offset,
    )
    return {"total": total, "items": rows}


@router.post("/grid-reports", response_model=GridReportRead, status_code=201)
def file_report(
    body: GridReportCreate,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Writer,
    city: IndexDep,
) -> Any:
    """File a social-dynamics report or a hazard (fire, public order) with photo references."""
    return grid.file_report(
        session=session,
        clock=clock,
        actor=actor,
        city=city,
        settings=settings.community,
        report_in=body,
    )


@router.post("/grid-reports/{report_id}/actions", response_model=GridReportRead)
def advance_hazard(
    report_id: PathKey, body: HazardAction, session: SessionDep, clock: ClockDep, actor: Writer
) -> Any:
    """Move a hazard one step: assign, remove, verify."""
    return grid.advance_hazard(
        session=session, clock=clock, actor=actor, report_id=report_id, action_in=body
    )


@router.get("/grid-counts", response_model=list[CountRow])
def grid_counts(
    session: SessionDep,
    actor: Reader,
    city: IndexDep,
    by: Annotated[str, Query(pattern="^(grid|station)$")] = "station",
    limit: Limit = 50,
) -> list[dict[str, Any]]:
    """Reports collected and hazards removed per grid or per station."""
    rows = grid.report_counts(session=session, actor=actor, by=by, limit=limit)
    names = city.grids if by == "grid" else city.stations
    return [r | {"name_zh": names[r["code"]].name_zh if r["code"] in names else None} for r in rows]


# ---- disputes ---------------------------------------------------------------------


@router.get("/disputes")
def list_disputes(
    session: SessionDep,
    actor: Reader,
    status: Code | None = None,
    station_code: Code | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Disputes registered for mediation, newest first."""
    total, rows = service.list_disputes(
        session=session,
        actor=actor,
        status=status,
        station_code=station_code,
        limit=limit,
        offset=offset,
    )
    return {"total": total, "items": [DisputeRead(**r) for r in rows]}


@router.post("/disputes", response_model=DisputeRead, status_code=201)
def register_dispute(
    body: DisputeCreate, session: SessionDep, clock: ClockDep, actor: Writer, city: IndexDep
) -> Any:
    """Register a dispute (矛盾纠纷) where it arose."""
    d = service.register_dispute(
        session=session, clock=clock, actor=actor, city=city, dispute_in=body
    )
    return service.dispute_read(d)


@router.post("/disputes/{dispute_id}/assign", response_model=DisputeRead)
def assign_dispute(
    dispute_id: PathKey, body: DisputeAssign, session: SessionDep, clock: ClockDep, actor: Writer
) -> Any:
    """Give a dispute its mediator or a station's mediation room."""
    d = service.assign_dispute(
        session=session, clock=clock, actor=actor, dispute_id=dispute_id, assign_in=body
    )
    return service.dispute_read(d)


@router.post("/disputes/{dispute_id}/sessions", status_code=201)
def add_session(
    dispute_id: PathKey, body: SessionCreate, session: SessionDep, clock: ClockDep, actor: Writer
) -> dict[str, Any]:
    """Record one mediation session."""
    row = service.add_session(
        session=session, clock=clock, actor=actor, dispute_id=dispute_id, session_in=body
    )
    return {"id": row.id, "dispute_id": row.dispute_id, "held_at": row.held_at, "note": row.note}


@router.post("/disputes/{dispute_id}/close", response_model=DisputeRead)
def close_dispute(
    dispute_id: PathKey, body: DisputeClose, session: SessionDep, clock: ClockDep, actor: Writer
) -> Any:
    """Record the outcome of a mediation."""
    d = service.close_dispute(
        session=session, clock=clock, actor=actor, dispute_id=dispute_id, close_in=body
    )
    return service.dispute_read(d)


@router.get("/dispute-counts", response_model=list[CountRow])
def dispute_counts(
    session: SessionDep, actor: Reader, city: IndexDep, limit: Limit = 50
) -> list[dict[str, Any]]:
    """Disputes registered, resolved and open per station."""
    rows = service.dispute_counts(session=session, actor=actor, limit=limit)
    return [
        r | {"name_zh": city.stations[r["code"]].name_zh if r["code"] in city.stations else None}
        for r in rows
    ]


# ---- villages ---------------------------------------------------------------------


@router.get("/villages")
def list_villages(
    session: SessionDep,
    actor: Reader,
    station_code: Code | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Villages with their auxiliary officer, patrol team and mediators (湾村明白人)."""
    total, rows = service.list_villages(
        session=session, actor=actor, station_code=station_code, limit=limit, offset=offset
    )
    return {"total": total, "items": [VillageRead(**r) for r in rows]}


@router.get("/villages/{village_code}/meetings", response_model=list[MeetingRead])
def list_meetings(village_code: PathKey, session: SessionDep, actor: Reader) -> Any:
    """A village's courtyard meetings, newest first."""
    return service.list_meetings(session=session, actor=actor, village_code=village_code)


@router.post("/villages/{village_code}/meetings", response_model=MeetingRead, status_code=201)
def hold_meeting(
    village_code: PathKey, body: MeetingCreate, session: SessionDep, clock: ClockDep, actor: Writer
) -> Any:
    """Record a courtyard meeting (屋场警务恳谈会) with attendance and issues raised."""
    return service.hold_meeting(
        session=session, clock=clock, actor=actor, village_code=village_code, meeting_in=body
    )


# ---- enterprises --------------------------------------------------------------------


@router.get("/enterprises")
def list_enterprises(
    session: SessionDep,
    actor: Reader,
    station_code: Code | None = None,
    officer: Code | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Enterprises and projects with their project officer, plan, visits and cases."""
    total, rows = service.list_enterprises(
        session=session,
        actor=actor,
        station_code=station_code,
        officer=officer,
        limit=limit,
        offset=offset,
    )
    return {"total": total, "items": [EnterpriseRead(**r) for r in rows]}


@router.put("/enterprises/{enterprise_id}/plan", response_model=EnterpriseRead)
def update_plan(
    enterprise_id: PathKey, body: PlanUpdate, session: SessionDep, actor: Writer
) -> dict[str, Any]:
    """Replace the enterprise's plan (一企一策)."""
    e = service.update_plan(session=session, actor=actor, enterprise_id=enterprise_id, plan_in=body)
    return service.enterprise_read(e)


@router.post("/enterprises/{enterprise_id}/visits", status_code=201)
def record_visit(
    enterprise_id: PathKey, body: VisitCreate, session: SessionDep, clock: ClockDep, actor: Writer
) -> dict[str, Any]:
    """Record a visit and the issues raised with their handling."""
    v = service.record_visit(
        session=session, clock=clock, actor=actor, enterprise_id=enterprise_id, visit_in=body
    )
    return {
        "id": v.id,
        "enterprise_id": v.enterprise_id,
        "service_day_id": v.service_day_id,
        "visited_at": v.visited_at,
        "issues": v.issues,
    }


@router.post("/enterprises/{enterprise_id}/cases", status_code=201)
def add_case(
    enterprise_id: PathKey, body: CaseCreate, session: SessionDep, clock: ClockDep, actor: Writer
) -> dict[str, Any]:
    """Record an enterprise-related case and the amount recovered."""
    c = service.add_case(
        session=session, clock=clock, actor=actor, enterprise_id=enterprise_id, case_in=body
    )
    return {
        "id": c.id,
        "enterprise_id": c.enterprise_id,
        "title": c.title,
        "status": c.status,
        "amount_recovered_yuan": c.amount_recovered_yuan,
    }


@router.get("/service-days", response_model=list[ServiceDayRead])
def list_service_days(
    session: SessionDep,
    actor: Reader,
    city: IndexDep,
    station_code: Code | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> list[dict[str, Any]]:
    """Enterprise service days (the 20th), planned and reported."""
    rows = service.list_service_days(
        session=session, actor=actor, station_code=station_code, limit=limit
    )
    return [r | {"station_name_zh": _station_name(city, r["station_code"])} for r in rows]


@router.post("/service-days", response_model=ServiceDayRead, status_code=201)
def plan_service_day(
    body: ServiceDayCreate, session: SessionDep, clock: ClockDep, actor: Writer
) -> dict[str, Any]:
    """Schedule a station's enterprise service day (the next 20th unless given)."""
    row = service.plan_service_day(session=session, clock=clock, actor=actor, day_in=body)
    return service.service_day_read(session, row)


@router.post("/service-days/{day_id}/report", response_model=ServiceDayRead)
def report_service_day(
    day_id: PathKey, body: ServiceDayReport, session: SessionDep, clock: ClockDep, actor: Writer
) -> dict[str, Any]:
    """Report a service day once it has come."""
    row = service.report_service_day(
        session=session, clock=clock, actor=actor, day_id=day_id, report=body.report
    )
    return service.service_day_read(session, row)
