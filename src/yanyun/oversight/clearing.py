"""Daily clearing (日清零): undone tasks escalated one level up, and the per-unit board."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from yanyun.auth.models import OrgUnit
from yanyun.auth.service import Actor
from yanyun.core.clock import SHANGHAI, Clock, as_utc
from yanyun.oversight import notify, workday
from yanyun.oversight.ledger import ledger_line
from yanyun.oversight.models import ClearingEntry, SupervisedTask
from yanyun.oversight.settings import OversightSettings
from yanyun.oversight.task_trail import emit_change, org_unit, record_step
from yanyun.oversight.tasks import DONE


def run_clearing(*, session: Session, clock: Clock, settings: OversightSettings) -> int:
    """Escalate every task whose working day ended undone one level up; count escalations.

    Each ledger line past its deadline is settled once. A task escalated on
    Friday gets a line at the parent unit for Monday, so a server that was
    down for days catches up one level per missed working day.
    """
    now = clock.now()
    escalated = 0
    while True:
        lines = list(
            session.scalars(
                select(ClearingEntry)
                .where(ClearingEntry.outcome == "pending", ClearingEntry.deadline_at <= now)
                .order_by(ClearingEntry.deadline_at, ClearingEntry.id)
                .limit(500)
                .with_for_update()
            )
        )
        if not lines:
            return escalated
        for line in lines:
            task = session.get(SupervisedTask, line.task_id)
            assert task is not None
            if task.status in DONE:
                line.outcome, line.settled_at = "cleared", now
                continue
            line.outcome, line.settled_at = "escalated", now
            _escalate(session, clock, settings, task, line)
            escalated += 1
        session.flush()


def _escalate(
    session: Session,
    clock: Clock,
    settings: OversightSettings,
    task: SupervisedTask,
    line: ClearingEntry,
) -> None:
    here = org_unit(session, line.org_code)
    parent = session.get(OrgUnit, here.parent_code) if here.parent_code else None
    target = parent or here
    day = workday.next_working_day(settings, target, line.day + timedelta(days=1))
    entry = ledger_line(session, clock, settings, task, target, day)
    task.owner_org_code = target.code
    task.escalation_level += 1
    task.due_at = entry.deadline_at
    record_step(
        session,
        clock,
        task,
        "escalated",
        None,
        note=f"{line.day.isoformat()} 日清零未办结，升级督办",
        from_org=here.code,
        to_org=target.code,
    )
    emit_change(
        session,
        clock,
        task,
        "escalated",
        from_org_code=here.code,
        to_org_code=target.code,
        day=line.day.isoformat(),
    )
    notify.enqueue(
        session,
        clock=clock,
        settings=settings,
        kind="task.escalated",
        org_path=target.path,
        subject=f"【督办升级】{task.title}",
        body=(
            f"{here.name_zh}未在{line.day.isoformat()}日清零前办结任务“{task.title}”，"
            f"已升级至{target.name_zh}督办，新的截止时间"
            f"{as_utc(task.due_at).astimezone(SHANGHAI):%Y-%m-%d %H:%M}。\n"
            f"Task not cleared by {here.name_en} on {line.day.isoformat()}; escalated to "
            f"{target.name_en}."
        ),
        payload={
            "task_id": task.id,
            "from_org_code": here.code,
            "to_org_code": target.code,
            "level": task.escalation_level,
        },
    )


@dataclass
class BoardLine:
    org_code: str
    org_name_zh: str
    org_name_en: str
    org_kind: str
    due: int
    cleared: int
    escalated: int
    pending: int

    @property
    def clearing_rate(self) -> float | None:
        return round(self.cleared / self.due, 4) if self.due else None


def clearing_board(
    *, session: Session, actor: Actor, day: date, kind: str | None = None
) -> list[BoardLine]:
    """Per unit, for one day: tasks due, cleared on time, escalated, still pending."""
    stmt = (
        select(
            ClearingEntry.org_code,
            OrgUnit.name_zh,
            OrgUnit.name_en,
            OrgUnit.kind,
            func.count(),
            func.sum(case((ClearingEntry.outcome == "cleared", 1), else_=0)),
            func.sum(case((ClearingEntry.outcome == "escalated", 1), else_=0)),
            func.sum(case((ClearingEntry.outcome == "pending", 1), else_=0)),
        )
        .join(OrgUnit, OrgUnit.code == ClearingEntry.org_code)
        .where(ClearingEntry.day == day)
        .group_by(ClearingEntry.org_code, OrgUnit.name_zh, OrgUnit.name_en, OrgUnit.kind)
    )
    if kind is not None:
        stmt = stmt.where(OrgUnit.kind == kind)
    stmt = actor.scope(stmt, ClearingEntry.org_path)
    lines = [
        BoardLine(code, zh, en, k, int(due), int(cleared or 0), int(esc or 0), int(pending or 0))
        for code, zh, en, k, due, cleared, esc, pending in session.execute(stmt)
    ]
    lines.sort(key=lambda b: (b.clearing_rate if b.clearing_rate is not None else 2, b.org_code))
    return lines
