"""Demo supervision data: a week of cleared and escalated work, and a risk register.

A newcomer opening the clearing board of the demo city should see a board
with history, not an empty table. The history is drawn from a seeded
`random.Random` and written in bulk (Core inserts), once, on an empty
database; today's work then comes from the real recurring duties and events.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from yanyun.auth.models import OrgUnit
from yanyun.core.clock import Clock, as_utc, local_date
from yanyun.core.ids import new_id
from yanyun.oversight import risks, workday
from yanyun.oversight.models import ClearingEntry, SupervisedTask
from yanyun.oversight.settings import OversightSettings

TITLES = (
    ("manual", "走访辖区重点人员并登记"),
    ("hazard", "督促沿街商铺整改消防通道堵塞"),
    ("incident_breach", "说明警情到场超时原因并整改"),
    ("opinion_event", "核查网传信息并回应"),
    ("risk_check_due", "完成风险点周期检查"),
    ("inspection_finding", "整改每日巡察发现问题"),
)


@dataclass(frozen=True)
class DemoReport:
    tasks: int
    lines: int
    risk_points: int


def build_demo(
    *, session: Session, clock: Clock, settings: OversightSettings, seed: int, days: int = 5
) -> DemoReport:
    """Seed the past `days` working days of tasks and their clearing; skip if already there."""
    seeded = session.scalar(
        select(func.count()).select_from(SupervisedTask)
        .where(SupervisedTask.source_ref.like("demo:%"))
    )
    if seeded:
        return DemoReport(0, 0, 0)
    rng = random.Random(seed)
    units = {u.code: u for u in session.scalars(
        select(OrgUnit).where(OrgUnit.kind.in_(("station", "branch", "bureau"))))}
    stations = sorted(c for c, u in units.items() if u.kind == "station")
    now = clock.now()
    past = _past_working_days(settings, units, stations, local_date(now), days)
    tasks: list[dict[str, Any]] = []
    lines: list[dict[str, Any]] = []
    # Each station keeps its own habit: some clear nearly everything, some lag.
    habit = {code: rng.uniform(0.7, 1.0) for code in stations}
    for day in sorted(past):
        for code in stations:
            if not workday.is_working_day(settings, units[code], day):
                continue
            for n in range(rng.randint(1, 4)):
                source, title = rng.choice(TITLES)
                task_id = new_id(clock)
                chain, level, done_at = _chain(settings, units, units[code], day, now, rng,
                                               habit[code])
                last_unit, _, last_deadline, _ = chain[-1]
                tasks.append({
                    "id": task_id, "title": title, "detail": None, "source": source,
                    "source_ref": f"demo:{day.isoformat()}:{code}:{n}",
                    "owner_user_id": None, "owner_org_code": last_unit.code,
                    "org_path": units[code].path, "origin_org_code": code,
                    "due_at": last_deadline,
                    "status": "verified" if done_at is not None else "open",
                    "escalation_level": level, "evidence": [],
                    "created_at": workday.deadline(settings, units[code].path, day)
                    - timedelta(hours=9),
                    "created_by": None, "done_at": done_at, "done_by": None,
                    "verified_at": done_at, "verified_by": None,
                })
                for unit_, line_day_, deadline_, outcome in chain:
                    lines.append({
                        "id": new_id(clock), "task_id": task_id, "org_code": unit_.code,
                        "org_path": unit_.path, "day": line_day_, "deadline_at": deadline_,
                        "outcome": outcome,
                        "settled_at": None if outcome == "pending" else deadline_,
                    })
    # Demo rows are history, not anyone's edits: one build, no audit row per line.
    session.info["audit_writes"] = False
    try:
        session.execute(insert(SupervisedTask), tasks)
        session.execute(insert(ClearingEntry), lines)
        points = risks.build_demo_risks(session=session, clock=clock, seed=seed)
    finally:
        session.info.pop("audit_writes", None)
    return DemoReport(len(tasks), len(lines), points)


def _past_working_days(
    settings: OversightSettings, units: dict[str, OrgUnit], stations: list[str], today: date,
    days: int,
) -> list[date]:
    past: list[date] = []
    day = today - timedelta(days=1)
    # The past working days of any station; a station that keeps office hours
    # skips its days off below.
    while len(past) < days and day > today - timedelta(days=days * 7):
        if any(workday.is_working_day(settings, units[code], day) for code in stations):
            past.append(day)
        day -= timedelta(days=1)
    return past


def _chain(
    settings: OversightSettings, units: dict[str, OrgUnit], unit: OrgUnit, day: date,
    now: datetime, rng: random.Random, habit: float,
) -> tuple[list[tuple[OrgUnit, date, datetime, str]], int, datetime | None]:
    """A task's ledger lines: escalated up the tree until cleared, or pending today."""
    line_day, level, done_at = day, 0, None
    chain = []
    while True:
        deadline = workday.deadline(settings, unit.path, line_day)
        if as_utc(deadline) > now:
            chain.append((unit, line_day, deadline, "pending"))
            break
        odds = habit if level == 0 else 0.75
        if rng.random() < odds:
            done_at = deadline - timedelta(minutes=rng.randint(10, 480))
            chain.append((unit, line_day, deadline, "cleared"))
            break
        chain.append((unit, line_day, deadline, "escalated"))
        level += 1
        unit = units.get(unit.parent_code or "", unit)
        line_day = workday.next_working_day(
            settings, unit, line_day + timedelta(days=1))
    return chain, level, done_at


def build_demo_step(runtime: Any, options: Any) -> str | None:
    """A supervision week (tasks, their clearing, risk points), once."""
    from yanyun.core.db import session_scope

    with session_scope(runtime, actor_username="system") as session:
        report = build_demo(session=session, clock=runtime.clock,
                            settings=runtime.settings.oversight, seed=runtime.settings.city.seed)
    if not report.tasks:
        return None
    return f"supervision 督办: {report.tasks} tasks, {report.risk_points} risk points ({{s}} s)"
