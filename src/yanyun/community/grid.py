"""Grid policing (网格警务): each grid's 1 + 1 + N, its reports, and hazards to removal.

A hazard moves found -> assigned -> removed -> verified, one step at a time.
One not removed by its deadline is announced once as `hazard.overdue`; the
supervision context turns that event into a supervised task.

`hazard.overdue` payload (documented contract, version 1)::

    {"hazard_id": str, "grid_code": str, "station_code": str, "title": str,
     "hazard_type": "fire" | "public_order" | "other" | None,
     "status": "found" | "assigned", "deadline": ISO-8601 UTC,
     "assignee": str | None, "found_at": ISO-8601 UTC}

The event's `org_path` is the grid's, `resource_type` "grid_report" and
`resource_id` the hazard id.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from yanyun.auth.scope import visible
from yanyun.auth.service import Actor
from yanyun.community.models import GridReport, GridTeam, Volunteer
from yanyun.community.places import name_zh
from yanyun.community.schemas import (
    HAZARD_LABELS,
    CountRow,
    GridReportCreate,
    GridTeamRead,
    GridTotals,
    HazardAction,
)
from yanyun.community.settings import CommunitySettings
from yanyun.core import events
from yanyun.core.clock import Clock, as_utc
from yanyun.core.db import count_by, fetch_page
from yanyun.core.errors import Conflict, Invalid
from yanyun.core.ids import new_id
from yanyun.core.once import apply_once
from yanyun.events.community import GridReportChanged, HazardOverdue
from yanyun.geo import service as geo_service
from yanyun.geo.service import CityIndex

HAZARD_STEPS = {
    "assign": ("found", "assigned"),
    "remove": ("assigned", "removed"),
    "verify": ("removed", "verified"),
}
OPEN_HAZARD = ("found", "assigned")


def file_report(
    *,
    session: Session,
    clock: Clock,
    actor: Actor | None,
    city: CityIndex,
    settings: CommunitySettings,
    report_in: GridReportCreate,
) -> GridReport:
    """File a grid report where it was seen; a hazard gets a deadline to be removed by."""
    where = geo_service.place_in_scope(
        index=city, actor=actor, lng=report_in.lng, lat=report_in.lat
    )
    assert where.grid and where.station and where.org_path
    now = clock.now()
    hazard = report_in.kind == "hazard"
    if hazard and report_in.hazard_type is None:
        raise Invalid(
            "hazard_type",
            "隐患须注明类型（消防、治安或其他）",
            "a hazard needs its type (fire, public_order or other)",
        )
    deadline = None
    if hazard:
        deadline = report_in.deadline or now + timedelta(hours=settings.hazard_deadline_h)
        if as_utc(deadline) <= now:
            raise Invalid(
                "deadline", "整改期限须晚于当前时间", "the deadline must be in the future"
            )
    report = GridReport(
        id=new_id(clock),
        kind=report_in.kind,
        hazard_type=report_in.hazard_type.value if hazard and report_in.hazard_type else None,
        title=report_in.title,
        detail=report_in.detail,
        grid_code=where.grid.code,
        station_code=where.station.code,
        org_path=where.org_path,
        lng=report_in.lng,
        lat=report_in.lat,
        status="found" if hazard else "recorded",
        photos=list(report_in.photos),
        reported_by=actor.username if actor else None,
        found_at=now,
        deadline=deadline,
    )
    session.add(report)
    session.flush()
    _emit(session, clock, report, "hazard.found" if hazard else "grid.report")
    return report


def get_report(*, session: Session, actor: Actor, report_id: str) -> GridReport:
    """The grid report if the actor's area holds it, else NotFound."""
    report = visible(session, GridReport, report_id, actor, what="grid_report")
    return report


def advance_hazard(
    *, session: Session, clock: Clock, actor: Actor, report_id: str, action_in: HazardAction
) -> GridReport:
    """Move a hazard one step: assign it to someone, mark it removed, verify the removal."""
    report = get_report(session=session, actor=actor, report_id=report_id)
    if report.kind != "hazard":
        raise Conflict("社情动态和走访记录没有整改流程",
                       "social information and visits have no removal steps")
    before, after = HAZARD_STEPS[action_in.action]
    if report.status != before:
        zh, en = HAZARD_LABELS[report.status]
        raise Conflict(
            f"隐患当前为「{zh}」，不能执行该操作",
            f"cannot {action_in.action} a hazard that is {en}",
        )
    now = clock.now()
    if action_in.action == "assign":
        if not action_in.assignee:
            raise Invalid("assignee", "请指定整改责任人", "name who removes the hazard")
        report.assignee = action_in.assignee
        report.assigned_at = now
    elif action_in.action == "remove":
        report.removed_at = now
    else:
        report.verified_at = now
    if action_in.photos:
        report.photos = [*report.photos, *action_in.photos]
    if action_in.note:
        report.note = action_in.note
    report.status = after
    _emit(session, clock, report, f"hazard.{after}")
    return report


def scan_overdue(*, session: Session, clock: Clock, limit: int = 500) -> int:
    """Announce each hazard past its deadline and not yet removed, once; return how many."""
    now = clock.now()
    rows = list(
        session.scalars(
            select(GridReport)
            .where(
                GridReport.kind == "hazard",
                GridReport.status.in_(OPEN_HAZARD),
                GridReport.deadline < now,
                GridReport.overdue_at.is_(None),
            )
            .order_by(GridReport.deadline)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    for report in rows:
        report.overdue_at = now
        events.publish(
            session,
            overdue_event(report),
            clock=clock,
            resource_id=report.id,
            org_path=report.org_path,
        )
    return len(rows)


def overdue_event(report: GridReport) -> HazardOverdue:
    """The `hazard.overdue` event of a hazard (payload: see the module docstring)."""
    return HazardOverdue(
        hazard_id=report.id,
        grid_code=report.grid_code,
        station_code=report.station_code,
        title=report.title,
        hazard_type=report.hazard_type,
        status=report.status,
        deadline=as_utc(report.deadline) if report.deadline else None,
        assignee=report.assignee,
        found_at=as_utc(report.found_at),
    )


def _emit(session: Session, clock: Clock, report: GridReport, kind: str) -> None:
    events.publish(
        session,
        GridReportChanged(
            kind=report.kind, status=report.status, title=report.title,
            grid_code=report.grid_code, station_code=report.station_code,
            lng=report.lng, lat=report.lat,
        ),
        clock=clock,
        kind=kind,
        resource_id=report.id,
        org_path=report.org_path,
    )


def list_reports(
    *,
    session: Session,
    actor: Actor,
    kind: str | None = None,
    status: str | None = None,
    grid_code: str | None = None,
    station_code: str | None = None,
    overdue: bool = False,
    mine: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[GridReport]]:
    """Grid reports and hazards in the actor's area, newest first."""
    stmt = actor.scope(select(GridReport), GridReport.org_path)
    if mine:
        stmt = stmt.where(GridReport.reported_by == actor.username)
    if kind:
        stmt = stmt.where(GridReport.kind == kind)
    if status:
        stmt = stmt.where(GridReport.status == status)
    if grid_code:
        stmt = stmt.where(GridReport.grid_code == grid_code)
    if station_code:
        stmt = stmt.where(GridReport.station_code == station_code)
    if overdue:
        stmt = stmt.where(GridReport.overdue_at.is_not(None), GridReport.status.in_(OPEN_HAZARD))
    total, rows = fetch_page(
        session, stmt, GridReport.found_at.desc(), GridReport.id.desc(), limit=limit, offset=offset,
    )
    return total, rows


def report_counts(
    *, session: Session, actor: Actor, by: str, city: CityIndex | None = None, limit: int = 50
) -> list[CountRow]:
    """Reports collected and hazards found / removed, per grid or per station, most first.

    With `city`, each row carries the grid's or station's name.
    """
    column = GridReport.grid_code if by == "grid" else GridReport.station_code
    removed = GridReport.status.in_(("removed", "verified"))
    stmt = (
        actor.scope(
            select(
                column.label("code"),
                func.sum(case((GridReport.kind == "dynamics", 1), else_=0)).label("reports"),
                func.sum(case((GridReport.kind == "hazard", 1), else_=0)).label("hazards"),
                func.sum(case((removed, 1), else_=0)).label("removed"),
                func.sum(
                    case(
                        (
                            GridReport.overdue_at.is_not(None) & GridReport.status.in_(OPEN_HAZARD),
                            1,
                        ),
                        else_=0,
                    )
                ).label("overdue"),
            ),
            GridReport.org_path,
        )
        .group_by(column)
        .order_by(func.count().desc(), column)
        .limit(limit)
    )
    names = (city.grids if by == "grid" else city.stations) if city else {}
    return [
        CountRow(
            code=r.code,
            name_zh=name_zh(names, r.code),
            counts={
                "reports": int(r.reports or 0),
                "hazards": int(r.hazards or 0),
                "hazards_removed": int(r.removed or 0),
                "overdue": int(r.overdue or 0),
            },
        )
        for r in session.execute(stmt)
    ]


def grid_teams(
    *,
    session: Session,
    actor: Actor,
    city: CityIndex,
    station_code: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[GridTeamRead]]:
    """Grids' 1 + 1 + N: officer, auxiliary, volunteer patrollers, with report counts."""
    stmt = actor.scope(select(GridTeam), GridTeam.org_path)
    if station_code:
        stmt = stmt.where(GridTeam.station_code == station_code)
    total, teams = fetch_page(session, stmt, GridTeam.grid_code, limit=limit, offset=offset)
    codes = [t.grid_code for t in teams]
    patrollers = count_by(
        session, Volunteer.home_grid_code, codes, Volunteer.grid_patroller.is_(True)
    )
    counts = _counts_for(session, codes)
    out = []
    for t in teams:
        c = counts.get(t.grid_code, {})
        out.append(
            GridTeamRead(
                grid_code=t.grid_code,
                grid_name_zh=name_zh(city.grids, t.grid_code),
                station_code=t.station_code,
                officer_name=t.officer_name,
                auxiliary_name=t.auxiliary_name,
                patrollers=int(patrollers.get(t.grid_code, 0)),
                reports=c.get("reports", 0),
                hazards=c.get("hazards", 0),
                hazards_removed=c.get("hazards_removed", 0),
            )
        )
    return total, out


def _counts_for(session: Session, codes: list[str]) -> dict[str, dict[str, int]]:
    """Reports, hazards and hazards removed per grid of `codes`."""
    if not codes:
        return {}
    removed = GridReport.status.in_(("removed", "verified"))
    rows = session.execute(
        select(
            GridReport.grid_code,
            func.sum(case((GridReport.kind == "dynamics", 1), else_=0)),
            func.sum(case((GridReport.kind == "hazard", 1), else_=0)),
            func.sum(case((removed, 1), else_=0)),
        )
        .where(GridReport.grid_code.in_(codes))
        .group_by(GridReport.grid_code)
    ).all()
    return {
        r[0]: {
            "reports": int(r[1] or 0),
            "hazards": int(r[2] or 0),
            "hazards_removed": int(r[3] or 0),
        }
        for r in rows
    }


def city_totals(*, session: Session, actor: Actor) -> GridTotals:
    """The seeds' headline figures for the actor's area."""
    removed = GridReport.status.in_(("removed", "verified"))
    r = session.execute(
        actor.scope(
            select(
                func.sum(case((GridReport.kind == "dynamics", 1), else_=0)),
                func.sum(case((GridReport.kind == "hazard", 1), else_=0)),
                func.sum(case((removed, 1), else_=0)),
                func.sum(
                    case(
                        (
                            GridReport.overdue_at.is_not(None) & GridReport.status.in_(OPEN_HAZARD),
                            1,
                        ),
                        else_=0,
                    )
                ),
            ),
            GridReport.org_path,
        )
    ).one()
    teams = (
        session.scalar(actor.scope(select(func.count()).select_from(GridTeam), GridTeam.org_path))
        or 0
    )
    return GridTotals(
        grid_teams=teams,
        reports=int(r[0] or 0),
        hazards=int(r[1] or 0),
        hazards_removed=int(r[2] or 0),
        hazards_overdue=int(r[3] or 0),
    )


def file_report_once(*, session: Session, clock: Clock, actor: Actor, **kwargs: Any) -> GridReport:
    """File a report whose phone gave it a key: a second delivery returns the first report."""
    report_in = kwargs["report_in"]
    if report_in.key is None:
        return file_report(session=session, clock=clock, actor=actor, **kwargs)
    delivery = apply_once(
        session, clock=clock, key=report_in.key, actor_id=actor.user_id,
        request=report_in.model_dump(mode="json"),
        act=lambda: {"id": file_report(session=session, clock=clock, actor=actor, **kwargs).id},
    )
    report = session.get(GridReport, delivery.answer["id"])
    assert report is not None
    return report
