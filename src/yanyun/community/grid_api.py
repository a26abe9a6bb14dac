"""Routes of grid policing (网格警务): grid teams, reports and hazards, counts."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from yanyun.community import grid
from yanyun.community.routes import Limit, Offset, Reader, Writer, router
from yanyun.community.schemas import (
    CountRow,
    GridReportCreate,
    GridReportPage,
    GridReportRead,
    GridTeamPage,
    HazardAction,
)
from yanyun.core.http import ClockDep, SessionDep, SettingsDep
from yanyun.core.params import Code, PathKey
from yanyun.geo.api import IndexDep


@router.get("/grid-teams", response_model=GridTeamPage)
def grid_teams(
    session: SessionDep,
    actor: Reader,
    city: IndexDep,
    station_code: Code | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> GridTeamPage:
    """Each grid's 1 + 1 + N with its reports and hazards."""
    total, rows = grid.grid_teams(
        session=session,
        actor=actor,
        city=city,
        station_code=station_code,
        limit=limit,
        offset=offset,
    )
    return GridTeamPage(total=total, items=rows)


@router.get("/grid-reports", response_model=GridReportPage)
def list_reports(
    session: SessionDep,
    actor: Reader,
    kind: Code | None = None,
    status: Code | None = None,
    grid_code: Code | None = None,
    station_code: Code | None = None,
    overdue: bool = False,
    mine: bool = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> GridReportPage:
    """Grid reports and hazards, newest first (``mine``: those the caller filed)."""
    total, rows = grid.list_reports(
        session=session,
        actor=actor,
        kind=kind,
        status=status,
        grid_code=grid_code,
        station_code=station_code,
        overdue=overdue,
        mine=mine,
        limit=limit,
        offset=offset,
    )
    return GridReportPage(total=total, items=[GridReportRead.model_validate(r) for r in rows])


@router.post("/grid-reports", response_model=GridReportRead, status_code=201)
def file_report(
    body: GridReportCreate,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Writer,
    city: IndexDep,
) -> GridReportRead:
    """File a social-dynamics report or a hazard (fire, public order) with photo references."""
    report = grid.file_report_once(
        session=session,
        clock=clock,
        actor=actor,
        city=city,
        settings=settings.community,
        report_in=body,
    )
    return GridReportRead.model_validate(report)


@router.post("/grid-reports/{report_id}/actions", response_model=GridReportRead)
def advance_hazard(
    report_id: PathKey, body: HazardAction, session: SessionDep, clock: ClockDep, actor: Writer
) -> GridReportRead:
    """Move a hazard one step: assign, remove, verify."""
    report = grid.advance_hazard(
        session=session, clock=clock, actor=actor, report_id=report_id, action_in=body
    )
    return GridReportRead.model_validate(report)


@router.get("/grid-counts", response_model=list[CountRow])
def grid_counts(
    session: SessionDep,
    actor: Reader,
    city: IndexDep,
    by: Annotated[str, Query(pattern="^(grid|station)$")] = "station",
    limit: Limit = 50,
) -> list[CountRow]:
    """Reports collected and hazards removed per grid or per station."""
    return grid.report_counts(session=session, actor=actor, by=by, city=city, limit=limit)
