"""Today's work list: tasks due today, overdue, and done today (Asia/Shanghai)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.auth.service import Actor
from yanyun.core.clock import SHANGHAI, Clock, as_utc, local_date
from yanyun.oversight.models import SupervisedTask
from yanyun.oversight.task_trail import org_unit
from yanyun.oversight.tasks import DONE, OPEN, visible_tasks


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = as_utc(datetime.combine(day, time(0), tzinfo=SHANGHAI))
    return start, start + timedelta(days=1)


def work_list(
    *,
    session: Session,
    clock: Clock,
    actor: Actor,
    org_code: str | None = None,
    mine: bool = False,
) -> tuple[date, list[SupervisedTask], list[SupervisedTask], list[SupervisedTask]]:
    """Today's work: (day, due today, overdue, done today), for a user or a unit."""
    now = clock.now()
    today = local_date(now)
    start, end = _day_bounds(today)
    base = visible_tasks(select(SupervisedTask), actor)
    if mine:
        base = base.where(SupervisedTask.owner_user_id == actor.user_id)
    if org_code is not None:
        path = org_unit(session, org_code).path
        base = base.where(
            (SupervisedTask.org_path == path) | SupervisedTask.org_path.startswith(path + "/")
        )
    undone = list(
        session.scalars(
            base.where(SupervisedTask.status.in_(OPEN), SupervisedTask.due_at < end).order_by(
                SupervisedTask.due_at, SupervisedTask.id
            )
        )
    )
    done = list(
        session.scalars(
            base.where(
                SupervisedTask.status.in_(DONE),
                SupervisedTask.done_at >= start,
                SupervisedTask.done_at < end,
            ).order_by(SupervisedTask.done_at, SupervisedTask.id)
        )
    )
    due_today = [t for t in undone if as_utc(t.due_at) >= now]
    overdue = [t for t in undone if as_utc(t.due_at) < now]
    return today, due_today, overdue, done
