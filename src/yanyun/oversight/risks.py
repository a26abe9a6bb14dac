"""The risk register (五全一常态): every risk point under an owner and an inspection cadence.

An inspection that falls due unperformed is announced once as a
`risk.inspection_due` event; the consumer makes it a task for the unit.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import case, func, insert, select
from sqlalchemy.orm import Session

from yanyun.auth.models import OrgUnit
from yanyun.auth.scope import visible
from yanyun.auth.service import Actor
from yanyun.core import events
from yanyun.core.clock import SHANGHAI, Clock, as_utc
from yanyun.core.db import fetch_page
from yanyun.core.errors import Invalid
from yanyun.core.ids import new_id
from yanyun.events.oversight import InspectionItemFailed, RiskInspectionDue
from yanyun.oversight.models import RiskCheck, RiskPoint
from yanyun.oversight.schemas import RiskCheckCreate, RiskPointCreate

CATEGORIES: dict[str, tuple[str, str]] = {
    "fire": ("消防安全", "fire safety"),
    "traffic": ("道路交通", "road traffic"),
    "crowd": ("人员密集", "crowded places"),
    "hazmat": ("危化物品", "hazardous materials"),
    "public_order": ("治安秩序", "public order"),
    "campus": ("校园安全", "campus safety"),
}


def create_risk_point(
    *, session: Session, clock: Clock, actor: Actor, point_in: RiskPointCreate
) -> RiskPoint:
    """Register a risk point; its first inspection is due one cadence from now."""
    if point_in.category not in CATEGORIES:
        raise Invalid("category", f"未知风险类别：{point_in.category}",
                      f"unknown risk category: {point_in.category}")
    unit = session.get(OrgUnit, point_in.org_code)
    if unit is None or not actor.sees(unit.path):
        raise Invalid("org_code", f"单位不在本辖区：{point_in.org_code}",
                      f"org unit not in your scope: {point_in.org_code}")
    now = clock.now()
    point = RiskPoint(
        id=new_id(clock), **point_in.model_dump(exclude={"kind"}), kind=point_in.kind.value,
        org_path=unit.path, active=True, created_at=now, last_checked_at=None,
        next_due_at=now + timedelta(days=point_in.cadence_days), overdue_flagged_for=None,
    )
    session.add(point)
    return point


def get_risk_point(*, session: Session, actor: Actor, point_id: str) -> RiskPoint:
    point = visible(session, RiskPoint, point_id, actor, what="risk_point")
    return point


def list_risk_points(
    *,
    session: Session,
    actor: Actor,
    org_code: str | None = None,
    overdue_at: datetime | None = None,
    limit: int = 200,
    offset: int = 0,
) -> tuple[list[RiskPoint], int]:
    """Active risk points in scope, soonest due first; `overdue_at` keeps those due before it."""
    stmt = actor.scope(select(RiskPoint).where(RiskPoint.active.is_(True)), RiskPoint.org_path)
    if org_code is not None:
        stmt = stmt.where(RiskPoint.org_code == org_code)
    if overdue_at is not None:
        stmt = stmt.where(RiskPoint.next_due_at < overdue_at)
    total, rows = fetch_page(
        session, stmt, RiskPoint.next_due_at, RiskPoint.id, limit=limit, offset=offset,
    )
    return rows, total


def record_check(
    *, session: Session, clock: Clock, actor: Actor, point_id: str, check_in: RiskCheckCreate
) -> RiskCheck:
    """Record an inspection (or unannounced check); the next one falls due a cadence later."""
    point = get_risk_point(session=session, actor=actor, point_id=point_id)
    now = clock.now()
    check = RiskCheck(
        id=new_id(clock), risk_point_id=point.id, at=now, by_user_id=actor.user_id,
        kind=check_in.kind, passed=check_in.passed, findings=check_in.findings,
        on_time=now <= as_utc(point.next_due_at),
    )
    session.add(check)
    point.last_checked_at = now
    point.next_due_at = now + timedelta(days=point.cadence_days)
    if not check_in.passed:
        events.publish(
            session,
            InspectionItemFailed(title=f"风险点检查未通过：{point.name}", detail=check_in.findings,
                                 owner_org_code=point.org_code,
                                 owner_user_id=point.owner_user_id),
            clock=clock, resource_id=check.id, org_path=point.org_path,
        )
    return check


def checks_of(*, session: Session, point_id: str) -> list[RiskCheck]:
    return list(session.scalars(
        select(RiskCheck).where(RiskCheck.risk_point_id == point_id).order_by(RiskCheck.at.desc())
    ))


def scan_overdue(*, session: Session, clock: Clock) -> int:
    """Announce each risk point whose inspection fell due unperformed, once per due time."""
    now = clock.now()
    rows = list(session.scalars(
        select(RiskPoint).where(
            RiskPoint.active.is_(True),
            RiskPoint.next_due_at < now,
            (RiskPoint.overdue_flagged_for.is_(None))
            | (RiskPoint.overdue_flagged_for != RiskPoint.next_due_at),
        ).with_for_update()
    ))
    for point in rows:
        point.overdue_flagged_for = point.next_due_at
        due = as_utc(point.next_due_at)
        events.publish(
            session,
            RiskInspectionDue(
                title=f"风险点检查逾期：{point.name}（应于"
                      f"{due.astimezone(SHANGHAI):%m-%d %H:%M}前检查）",
                owner_org_code=point.org_code,
                owner_user_id=point.owner_user_id,
                due_at=due,
                category=point.category,
                level=point.level,
            ),
            clock=clock, resource_id=point.id, org_path=point.org_path,
        )
    return len(rows)


def coverage(*, session: Session, clock: Clock, actor: Actor) -> list[tuple]:
    """Per unit: risk points, how many inspected on time (not overdue now), how many overdue."""
    now = clock.now()
    stmt = actor.scope(
        select(
            RiskPoint.org_code,
            OrgUnit.name_zh,
            func.count(),
            func.sum(case((RiskPoint.next_due_at >= now, 1), else_=0)),
        )
        .join(OrgUnit, OrgUnit.code == RiskPoint.org_code)
        .where(RiskPoint.active.is_(True))
        .group_by(RiskPoint.org_code, OrgUnit.name_zh),
        RiskPoint.org_path,
    )
    return [(c, n, int(total), int(ok or 0)) for c, n, total, ok in session.execute(stmt)]


def build_demo_risks(
    *, session: Session, clock: Clock, seed: int, per_station: int = 3
) -> int:
    """Seed a few risk points per station, deterministic for a seed; once, on an empty table."""
    if session.scalar(select(func.count()).select_from(RiskPoint)):
        return 0
    rng = random.Random(seed)
    stations = list(session.execute(
        select(OrgUnit.code, OrgUnit.path, OrgUnit.name_zh).where(OrgUnit.kind == "station")
        .order_by(OrgUnit.code)
    ))
    places = [("place", "农贸市场"), ("enterprise", "加油站"), ("place", "中小学校门"),
              ("enterprise", "物流仓库"), ("event", "周末夜市"), ("route", "学生上下学路线"),
              ("place", "KTV娱乐场所"), ("enterprise", "烟花爆竹仓库")]
    categories = list(CATEGORIES)
    now = clock.now()
    rows = []
    for code, path, name in stations:
        for _ in range(per_station):
            kind, label = rng.choice(places)
            cadence = rng.choice([7, 14, 30])
            # Some inspections are already late, as on any real register.
            next_due = now + timedelta(days=rng.uniform(-3, cadence))
            rows.append({
                "id": new_id(clock), "name": f"{name}辖区{label}{rng.randint(1, 9)}号",
                "kind": kind, "category": rng.choice(categories), "level": rng.randint(1, 4),
                "owner_name": f"责任民警{rng.randint(1, 40):02d}", "owner_user_id": None,
                "org_code": code, "org_path": path, "cadence_days": cadence, "lng": None,
                "lat": None, "active": True, "created_at": now,
                "last_checked_at": next_due - timedelta(days=cadence), "next_due_at": next_due,
                "overdue_flagged_for": None,
            })
    session.execute(insert(RiskPoint), rows)
    return len(rows)
