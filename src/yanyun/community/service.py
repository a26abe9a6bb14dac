"""Disputes and mediation, villages (一村一辅警), project officers and enterprises.

Grid policing lives in grid.py, volunteers and 一呼百应 in volunteers.py.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yanyun.auth.scope import visible
from yanyun.auth.service import Actor
from yanyun.community.models import (
    CourtyardMeeting,
    Dispute,
    Enterprise,
    EnterpriseCase,
    EnterpriseVisit,
    MediationSession,
    ServiceDay,
    Village,
)
from yanyun.community.schemas import (
    CaseCreate,
    DisputeAssign,
    DisputeClose,
    DisputeCreate,
    MeetingCreate,
    PlanUpdate,
    ServiceDayCreate,
    SessionCreate,
    VisitCreate,
)
from yanyun.core import events
from yanyun.core.clock import Clock, as_utc, local_date
from yanyun.core.db import count_by, fetch_page
from yanyun.core.errors import Conflict, Invalid, NotFound
from yanyun.core.ids import new_id
from yanyun.events.community import DisputeChanged, ServiceDayReported
from yanyun.geo import service as geo_service
from yanyun.geo.models import Station
from yanyun.geo.service import CityIndex

SERVICE_DAY = 20  # 企业服务日: the 20th of every month


# ---- disputes -----------------------------------------------------------------------


def register_dispute(
    *,
    session: Session,
    clock: Clock,
    actor: Actor | None,
    city: CityIndex,
    dispute_in: DisputeCreate,
) -> Dispute:
    """Register a dispute where it arose; the station that answers for it follows."""
    where = geo_service.place_in_scope(
        index=city, actor=actor, lng=dispute_in.lng, lat=dispute_in.lat
    )
    assert where.grid and where.station and where.org_path
    dispute = Dispute(
        id=new_id(clock),
        kind=dispute_in.kind,
        summary=dispute_in.summary,
        parties=dispute_in.parties,
        grid_code=where.grid.code,
        station_code=where.station.code,
        org_path=where.org_path,
        status="registered",
        registered_at=clock.now(),
    )
    session.add(dispute)
    session.flush()
    _emit_dispute(session, clock, dispute)
    return dispute


def _emit_dispute(session: Session, clock: Clock, dispute: Dispute) -> None:
    events.publish(
        session,
        DisputeChanged(status=dispute.status, station_code=dispute.station_code,
                       kind=dispute.kind),
        clock=clock,
        kind=f"dispute.{dispute.status}",
        resource_id=dispute.id,
        org_path=dispute.org_path,
    )


def get_dispute(*, session: Session, actor: Actor, dispute_id: str) -> Dispute:
    dispute = visible(session, Dispute, dispute_id, actor, what="dispute")
    return dispute


def assign_dispute(
    *, session: Session, clock: Clock, actor: Actor, dispute_id: str, assign_in: DisputeAssign
) -> Dispute:
    """Give a dispute its mediator, its mediation room (a station that has one), or both."""
    dispute = get_dispute(session=session, actor=actor, dispute_id=dispute_id)
    if dispute.status in ("resolved", "failed"):
        raise Conflict("纠纷已结案", "the dispute is closed")
    if not assign_in.mediator_name and not assign_in.room_station_code:
        raise Invalid(
            "mediator_name", "请指定调解员或调解室", "name a mediator or a mediation room"
        )
    if assign_in.room_station_code:
        station = session.get(Station, assign_in.room_station_code)
        if station is None or not station.has_mediation_room:
            raise Invalid(
                "room_station_code", "该派出所没有调解室", "that station has no mediation room"
            )
        dispute.room_station_code = station.code
    if assign_in.mediator_name:
        dispute.mediator_name = assign_in.mediator_name
    dispute.status = "assigned" if dispute.status == "registered" else dispute.status
    _emit_dispute(session, clock, dispute)
    return dispute


def add_session(
    *, session: Session, clock: Clock, actor: Actor, dispute_id: str, session_in: SessionCreate
) -> MediationSession:
    dispute = get_dispute(session=session, actor=actor, dispute_id=dispute_id)
    if dispute.status not in ("assigned", "mediating"):
        raise Conflict(
            "纠纷须先指定调解员且未结案", "assign a mediator first; closed disputes take none"
        )
    if as_utc(session_in.held_at) > clock.now():
        raise Invalid("held_at", "调解时间不能晚于当前时间", "a session cannot be in the future")
    row = MediationSession(
        id=new_id(clock), dispute_id=dispute.id, held_at=session_in.held_at, note=session_in.note
    )
    session.add(row)
    dispute.status = "mediating"
    return row


def close_dispute(
    *, session: Session, clock: Clock, actor: Actor, dispute_id: str, close_in: DisputeClose
) -> Dispute:
    """Record how the mediation ended."""
    dispute = get_dispute(session=session, actor=actor, dispute_id=dispute_id)
    if dispute.status != "mediating":
        raise Conflict("纠纷须至少调解一次才能结案", "a dispute closes after at least one session")
    dispute.outcome = close_in.outcome
    dispute.outcome_note = close_in.note
    dispute.closed_at = clock.now()
    dispute.status = "resolved" if close_in.outcome == "agreement" else "failed"
    _emit_dispute(session, clock, dispute)
    return dispute


def list_disputes(
    *,
    session: Session,
    actor: Actor,
    status: str | None = None,
    station_code: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[dict[str, Any]]]:
    stmt = actor.scope(select(Dispute), Dispute.org_path)
    if status:
        stmt = stmt.where(Dispute.status == status)
    if station_code:
        stmt = stmt.where(Dispute.station_code == station_code)
    total, rows = fetch_page(
        session, stmt, Dispute.registered_at.desc(), Dispute.id, limit=limit, offset=offset,
    )
    counts = count_by(session, MediationSession.dispute_id, [d.id for d in rows])
    return total, [dispute_read(d, counts.get(d.id, 0)) for d in rows]


def dispute_read(d: Dispute, sessions: int = 0) -> dict[str, Any]:
    return {
        c: getattr(d, c)
        for c in (
            "id",
            "kind",
            "summary",
            "parties",
            "grid_code",
            "station_code",
            "status",
            "registered_at",
            "mediator_name",
            "room_station_code",
            "outcome",
            "outcome_note",
            "closed_at",
        )
    } | {"sessions": sessions}


def dispute_counts(*, session: Session, actor: Actor, limit: int = 50) -> list[dict[str, Any]]:
    """Disputes registered and resolved per station, most first."""
    from sqlalchemy import case

    stmt = (
        actor.scope(
            select(
                Dispute.station_code,
                func.count(),
                func.sum(case((Dispute.status == "resolved", 1), else_=0)),
                func.sum(
                    case((Dispute.status.in_(("registered", "assigned", "mediating")), 1), else_=0)
                ),
            ),
            Dispute.org_path,
        )
        .group_by(Dispute.station_code)
        .order_by(func.count().desc(), Dispute.station_code)
        .limit(limit)
    )
    return [
        {
            "code": r[0],
            "counts": {"registered": int(r[1]), "resolved": int(r[2] or 0), "open": int(r[3] or 0)},
        }
        for r in session.execute(stmt)
    ]


# ---- villages -----------------------------------------------------------------------


def list_villages(
    *,
    session: Session,
    actor: Actor,
    station_code: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[dict[str, Any]]]:
    stmt = actor.scope(select(Village), Village.org_path)
    if station_code:
        stmt = stmt.where(Village.station_code == station_code)
    total, rows = fetch_page(session, stmt, Village.code, limit=limit, offset=offset)
    meetings = count_by(session, CourtyardMeeting.village_code, [v.code for v in rows])
    return total, [
        {
            c: getattr(v, c)
            for c in (
                "code",
                "name_zh",
                "grid_code",
                "station_code",
                "auxiliary_name",
                "patrol_team_size",
                "mediators",
            )
        }
        | {"meetings": meetings.get(v.code, 0)}
        for v in rows
    ]


def hold_meeting(
    *, session: Session, clock: Clock, actor: Actor, village_code: str, meeting_in: MeetingCreate
) -> CourtyardMeeting:
    """Record a courtyard meeting (屋场警务恳谈会): attendance and the issues raised."""
    village = visible(session, Village, village_code, actor, what="village")
    if as_utc(meeting_in.held_at) > clock.now():
        raise Invalid("held_at", "会议时间不能晚于当前时间", "a meeting cannot be in the future")
    issues = [i.strip() for i in meeting_in.issues if i.strip()]
    row = CourtyardMeeting(
        id=new_id(clock),
        village_code=village.code,
        org_path=village.org_path,
        held_at=meeting_in.held_at,
        attendance=meeting_in.attendance,
        issues=issues,
    )
    session.add(row)
    return row


def list_meetings(*, session: Session, actor: Actor, village_code: str) -> list[CourtyardMeeting]:
    visible(session, Village, village_code, actor, what="village")
    return list(
        session.scalars(
            select(CourtyardMeeting)
            .where(CourtyardMeeting.village_code == village_code)
            .order_by(CourtyardMeeting.held_at.desc())
        )
    )


# ---- project officers and enterprises ----------------------------------------------------


def get_enterprise(*, session: Session, actor: Actor, enterprise_id: str) -> Enterprise:
    enterprise = visible(session, Enterprise, enterprise_id, actor, what="enterprise")
    return enterprise


def list_enterprises(
    *,
    session: Session,
    actor: Actor,
    station_code: str | None = None,
    officer: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[dict[str, Any]]]:
    stmt = actor.scope(select(Enterprise), Enterprise.org_path)
    if station_code:
        stmt = stmt.where(Enterprise.station_code == station_code)
    if officer:
        stmt = stmt.where(Enterprise.officer_name == officer)
    total, rows = fetch_page(session, stmt, Enterprise.id, limit=limit, offset=offset)
    ids = [e.id for e in rows]
    visits = count_by(session, EnterpriseVisit.enterprise_id, ids)
    cases = (
        {
            r[0]: (int(r[1]), float(r[2] or 0))
            for r in session.execute(
                select(
                    EnterpriseCase.enterprise_id,
                    func.count(),
                    func.sum(EnterpriseCase.amount_recovered_yuan),
                )
                .where(EnterpriseCase.enterprise_id.in_(ids))
                .group_by(EnterpriseCase.enterprise_id)
            )
        }
        if ids
        else {}
    )
    return total, [
        enterprise_read(e, visits.get(e.id, 0), *cases.get(e.id, (0, 0.0))) for e in rows
    ]


def enterprise_read(
    e: Enterprise, visits: int = 0, cases: int = 0, recovered: float = 0.0
) -> dict[str, Any]:
    return {
        c: getattr(e, c)
        for c in ("id", "name_zh", "kind", "park", "station_code", "officer_name", "plan_items")
    } | {"visits": visits, "cases": cases, "recovered_yuan": recovered}


def update_plan(
    *, session: Session, actor: Actor, enterprise_id: str, plan_in: PlanUpdate
) -> Enterprise:
    """Replace an enterprise's plan (一企一策) with its current items."""
    enterprise = get_enterprise(session=session, actor=actor, enterprise_id=enterprise_id)
    enterprise.plan_items = [i.model_dump() for i in plan_in.items]
    return enterprise


def record_visit(
    *, session: Session, clock: Clock, actor: Actor, enterprise_id: str, visit_in: VisitCreate
) -> EnterpriseVisit:
    """Record a visit with the issues raised and how each was handled."""
    enterprise = get_enterprise(session=session, actor=actor, enterprise_id=enterprise_id)
    if as_utc(visit_in.visited_at) > clock.now():
        raise Invalid("visited_at", "走访时间不能晚于当前时间", "a visit cannot be in the future")
    if visit_in.service_day_id:
        day = session.get(ServiceDay, visit_in.service_day_id)
        if day is None or day.station_code != enterprise.station_code:
            raise Invalid(
                "service_day_id",
                "服务日不属于该企业所在派出所",
                "that service day is not the enterprise's station's",
            )
    row = EnterpriseVisit(
        id=new_id(clock),
        enterprise_id=enterprise.id,
        service_day_id=visit_in.service_day_id,
        visited_at=visit_in.visited_at,
        issues=[i.model_dump() for i in visit_in.issues],
    )
    session.add(row)
    return row


def add_case(
    *, session: Session, clock: Clock, actor: Actor, enterprise_id: str, case_in: CaseCreate
) -> EnterpriseCase:
    enterprise = get_enterprise(session=session, actor=actor, enterprise_id=enterprise_id)
    row = EnterpriseCase(
        id=new_id(clock),
        enterprise_id=enterprise.id,
        org_path=enterprise.org_path,
        title=case_in.title,
        status=case_in.status,
        amount_recovered_yuan=case_in.amount_recovered_yuan,
        opened_at=clock.now(),
    )
    session.add(row)
    return row


def next_service_day(today: date) -> date:
    """The next 20th on or after `today`.

    >>> next_service_day(date(2026, 11, 23)), next_service_day(date(2026, 12, 20))
    (datetime.date(2026, 12, 20), datetime.date(2026, 12, 20))
    """
    if today.day <= SERVICE_DAY:
        return today.replace(day=SERVICE_DAY)
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return date(year, month, SERVICE_DAY)


def plan_service_day(
    *, session: Session, clock: Clock, actor: Actor, day_in: ServiceDayCreate
) -> ServiceDay:
    """Schedule a station's enterprise service day (always a 20th) and whom it will visit."""
    station = session.get(Station, day_in.station_code)
    if station is None:
        raise Invalid("station_code", "派出所不存在", "no such station")
    enterprises = list(
        session.scalars(select(Enterprise).where(Enterprise.station_code == station.code))
    )
    org_path = enterprises[0].org_path.rsplit("/", 1)[0] if enterprises else ""
    if not org_path:
        raise Invalid(
            "station_code", "该派出所辖区没有登记企业", "the station has no registered enterprise"
        )
    if not actor.sees(org_path):
        raise NotFound("station", station.code)
    day = day_in.day or next_service_day(local_date(clock.now()))
    if day.day != SERVICE_DAY:
        raise Invalid("day", "企业服务日为每月20日", "the enterprise service day is the 20th")
    known = {e.id for e in enterprises}
    planned = day_in.enterprise_ids or sorted(known)
    stray = [i for i in planned if i not in known]
    if stray:
        raise Invalid(
            "enterprise_ids",
            f"企业不在该派出所辖区：{', '.join(stray[:3])}",
            f"enterprises not in the station's area: {', '.join(stray[:3])}",
        )
    if session.scalar(
        select(ServiceDay.id).where(ServiceDay.station_code == station.code, ServiceDay.day == day)
    ):
        raise Conflict("该服务日已安排", "that service day is already planned")
    row = ServiceDay(
        id=new_id(clock),
        station_code=station.code,
        org_path=org_path,
        day=day,
        status="planned",
        planned_enterprises=planned,
    )
    session.add(row)
    session.flush()
    return row


def report_service_day(
    *, session: Session, clock: Clock, actor: Actor, day_id: str, report: str
) -> ServiceDay:
    """Report a service day once it has come: what was done, visits counted from records."""
    row = visible(session, ServiceDay, day_id, actor, what="service_day")
    if row.status == "reported":
        raise Conflict("服务日已上报", "the service day is already reported")
    if local_date(clock.now()) < row.day:
        raise Conflict("服务日尚未到来，不能上报", "the service day has not come yet")
    row.status = "reported"
    row.report = report
    row.reported_at = clock.now()
    events.publish(
        session,
        ServiceDayReported(station_code=row.station_code, day=row.day.isoformat()),
        clock=clock,
        resource_id=row.id,
        org_path=row.org_path,
    )
    return row


def service_day_read(session: Session, row: ServiceDay) -> dict[str, Any]:
    visits = list(
        session.scalars(select(EnterpriseVisit).where(EnterpriseVisit.service_day_id == row.id))
    )
    issues = [i for v in visits for i in v.issues]
    return {
        c: getattr(row, c)
        for c in (
            "id",
            "station_code",
            "day",
            "status",
            "planned_enterprises",
            "report",
            "reported_at",
        )
    } | {
        "visits": len(visits),
        "issues": len(issues),
        "issues_resolved": sum(1 for i in issues if i.get("resolved")),
    }


def list_service_days(
    *, session: Session, actor: Actor, station_code: str | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    stmt = actor.scope(select(ServiceDay), ServiceDay.org_path)
    if station_code:
        stmt = stmt.where(ServiceDay.station_code == station_code)
    rows = session.scalars(
        stmt.order_by(ServiceDay.day.desc(), ServiceDay.station_code).limit(limit)
    )
    return [service_day_read(session, r) for r in rows]


def enterprise_totals(*, session: Session, actor: Actor) -> dict[str, float]:
    """Project officers, enterprises, cases and amounts recovered in the actor's area."""
    e = session.execute(
        actor.scope(
            select(func.count(), func.count(func.distinct(Enterprise.officer_name))),
            Enterprise.org_path,
        )
    ).one()
    c = session.execute(
        actor.scope(
            select(func.count(), func.coalesce(func.sum(EnterpriseCase.amount_recovered_yuan), 0)),
            EnterpriseCase.org_path,
        )
    ).one()
    return {
        "enterprises": int(e[0]),
        "project_officers": int(e[1]),
        "cases": int(c[0]),
        "recovered_yuan": float(c[1]),
    }
