"""Routes of project officers' enterprises (一企一策) and enterprise service days."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from yanyun.community import enterprises, service_days
from yanyun.community.routes import Limit, Offset, Reader, Writer, router
from yanyun.community.schemas import (
    CaseCreate,
    CaseRead,
    EnterprisePage,
    EnterpriseRead,
    PlanUpdate,
    ServiceDayCreate,
    ServiceDayRead,
    ServiceDayReport,
    VisitCreate,
    VisitRead,
)
from yanyun.core.http import ClockDep, SessionDep
from yanyun.core.params import Code, PathKey
from yanyun.geo.api import IndexDep


@router.get("/enterprises", response_model=EnterprisePage)
def list_enterprises(
    session: SessionDep,
    actor: Reader,
    station_code: Code | None = None,
    officer: Code | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> EnterprisePage:
    """Enterprises and projects with their project officer, plan, visits and cases."""
    total, rows = enterprises.list_enterprises(
        session=session,
        actor=actor,
        station_code=station_code,
        officer=officer,
        limit=limit,
        offset=offset,
    )
    return EnterprisePage(total=total, items=rows)


@router.put("/enterprises/{enterprise_id}/plan", response_model=EnterpriseRead)
def update_plan(
    enterprise_id: PathKey, body: PlanUpdate, session: SessionDep, actor: Writer
) -> EnterpriseRead:
    """Replace the enterprise's plan (一企一策)."""
    e = enterprises.update_plan(
        session=session, actor=actor, enterprise_id=enterprise_id, plan_in=body
    )
    return enterprises.enterprise_read(e)


@router.post("/enterprises/{enterprise_id}/visits", response_model=VisitRead, status_code=201)
def record_visit(
    enterprise_id: PathKey, body: VisitCreate, session: SessionDep, clock: ClockDep, actor: Writer
) -> VisitRead:
    """Record a visit and the issues raised with their handling."""
    v = enterprises.record_visit(
        session=session, clock=clock, actor=actor, enterprise_id=enterprise_id, visit_in=body
    )
    return VisitRead.model_validate(v)


@router.post("/enterprises/{enterprise_id}/cases", response_model=CaseRead, status_code=201)
def add_case(
    enterprise_id: PathKey, body: CaseCreate, session: SessionDep, clock: ClockDep, actor: Writer
) -> CaseRead:
    """Record an enterprise-related case and the amount recovered."""
    c = enterprises.add_case(
        session=session, clock=clock, actor=actor, enterprise_id=enterprise_id, case_in=body
    )
    return CaseRead.model_validate(c)


@router.get("/service-days", response_model=list[ServiceDayRead])
def list_service_days(
    session: SessionDep,
    actor: Reader,
    city: IndexDep,
    station_code: Code | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> list[ServiceDayRead]:
    """Enterprise service days (the 20th), planned and reported."""
    return service_days.list_service_days(
        session=session, actor=actor, city=city, station_code=station_code, limit=limit
    )


@router.post("/service-days", response_model=ServiceDayRead, status_code=201)
def plan_service_day(
    body: ServiceDayCreate, session: SessionDep, clock: ClockDep, actor: Writer
) -> ServiceDayRead:
    """Schedule a station's enterprise service day (the next 20th unless given)."""
    row = service_days.plan_service_day(session=session, clock=clock, actor=actor, day_in=body)
    return service_days.service_day_read(session, row)


@router.post("/service-days/{day_id}/report", response_model=ServiceDayRead)
def report_service_day(
    day_id: PathKey, body: ServiceDayReport, session: SessionDep, clock: ClockDep, actor: Writer
) -> ServiceDayRead:
    """Report a service day once it has come."""
    row = service_days.report_service_day(
        session=session, clock=clock, actor=actor, day_id=day_id, report=body.report
    )
    return service_days.service_day_read(session, row)
