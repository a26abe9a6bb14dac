"""The clearing ledger (日清零): one line per task, unit and working day, settled once."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.auth.models import OrgUnit
from yanyun.core.clock import Clock, as_utc
from yanyun.core.ids import new_id
from yanyun.oversight import workday
from yanyun.oversight.models import ClearingEntry, SupervisedTask
from yanyun.oversight.settings import OversightSettings
from yanyun.oversight.task_trail import org_unit


def ledger_line(
    session: Session,
    clock: Clock,
    settings: OversightSettings,
    task: SupervisedTask,
    unit: OrgUnit,
    day: date,
    *,
    fresh: bool = False,
) -> ClearingEntry:
    """The task's line for a unit and day, pending again; a new one if none."""
    existing = (
        None
        if fresh
        else session.scalars(
            select(ClearingEntry).where(
                ClearingEntry.task_id == task.id,
                ClearingEntry.org_code == unit.code,
                ClearingEntry.day == day,
            )
        ).first()
    )
    if existing is not None:
        existing.outcome = "pending"
        existing.settled_at = None
        return existing
    entry = ClearingEntry(
        id=new_id(clock),
        task_id=task.id,
        org_code=unit.code,
        org_path=unit.path,
        day=day,
        deadline_at=workday.deadline(settings, unit.path, day),
        outcome="pending",
        settled_at=None,
    )
    session.add(entry)
    return entry


def _pending_line(session: Session, task: SupervisedTask) -> ClearingEntry | None:
    return session.scalars(
        select(ClearingEntry)
        .where(ClearingEntry.task_id == task.id, ClearingEntry.outcome.in_(("pending", "cleared")))
        .order_by(ClearingEntry.day.desc())
    ).first()


def settle_done(session: Session, task: SupervisedTask, now: datetime) -> None:
    """Settle the open line of a task just done: cleared, or late."""
    line = _pending_line(session, task)
    if line is None or line.outcome != "pending":
        return
    # Done after the deadline but before the clearing ran: late, not cleared.
    line.outcome = "cleared" if now <= as_utc(line.deadline_at) else "late"
    line.settled_at = now


def reopen_line(
    session: Session, clock: Clock, settings: OversightSettings, task: SupervisedTask, now: datetime
) -> None:
    """Put a rejected task back on the ledger: its line pending again, or a new one."""
    line = _pending_line(session, task)
    if line is not None and line.outcome == "cleared" and now <= as_utc(line.deadline_at):
        line.outcome, line.settled_at = "pending", None
        return
    unit = org_unit(session, task.owner_org_code)
    day = workday.clearing_day(settings, unit, now)
    entry = ledger_line(session, clock, settings, task, unit, day)
    task.due_at = entry.deadline_at
