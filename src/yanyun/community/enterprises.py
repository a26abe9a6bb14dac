"""Project officers (项目警官) and their enterprises: plans, visits, cases, totals."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yanyun.auth.scope import visible
from yanyun.auth.service import Actor
from yanyun.community.models import Enterprise, EnterpriseCase, EnterpriseVisit, ServiceDay
from yanyun.community.schemas import (
    CaseCreate,
    EnterpriseRead,
    EnterpriseTotals,
    PlanUpdate,
    VisitCreate,
)
from yanyun.core.clock import Clock, as_utc
from yanyun.core.db import count_by, fetch_page
from yanyun.core.errors import Invalid
from yanyun.core.ids import new_id


def get_enterprise(*, session: Session, actor: Actor, enterprise_id: str) -> Enterprise:
    """The enterprise if the actor's area holds it, else NotFound."""
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
) -> tuple[int, list[EnterpriseRead]]:
    """Enterprises in the actor's area with their visits, cases and amounts recovered."""
    stmt = actor.scope(select(Enterprise), Enterprise.org_path)
    if station_code:
        stmt = stmt.where(Enterprise.station_code == station_code)
    if officer:
        stmt = stmt.where(Enterprise.officer_name == officer)
    total, rows = fetch_page(session, stmt, Enterprise.id, limit=limit, offset=offset)
    ids = [e.id for e in rows]
    visits = count_by(session, EnterpriseVisit.enterprise_id, ids)
    cases = _case_totals(session, ids)
    return total, [
        enterprise_read(e, visits.get(e.id, 0), *cases.get(e.id, (0, 0.0))) for e in rows
    ]


def _case_totals(session: Session, ids: list[str]) -> dict[str, tuple[int, float]]:
    """Cases and the amount recovered per enterprise of `ids`, in one grouped query."""
    if not ids:
        return {}
    return {
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


def enterprise_read(
    e: Enterprise, visits: int = 0, cases: int = 0, recovered: float = 0.0
) -> EnterpriseRead:
    """An enterprise as read, with its visits, cases and the amount recovered."""
    return EnterpriseRead.model_validate(e).model_copy(
        update={"visits": visits, "cases": cases, "recovered_yuan": recovered}
    )


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
        service_day_id=visit_in.service_day_id or None,  # "" is no service day
        visited_at=visit_in.visited_at,
        issues=[i.model_dump() for i in visit_in.issues],
    )
    session.add(row)
    return row


def add_case(
    *, session: Session, clock: Clock, actor: Actor, enterprise_id: str, case_in: CaseCreate
) -> EnterpriseCase:
    """Record an enterprise-related case and the amount recovered."""
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


def enterprise_totals(*, session: Session, actor: Actor) -> EnterpriseTotals:
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
    return EnterpriseTotals(
        enterprises=int(e[0]),
        project_officers=int(e[1]),
        cases=int(c[0]),
        recovered_yuan=float(c[1]),
    )
