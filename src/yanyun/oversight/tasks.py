"""Supervised tasks (督办): opened, looked up, listed, and moved along their lifecycle.

A task's `org_path` is where the work is (the unit it was given to, or the
owning user's unit) and never changes, so the station keeps seeing a task
its branch bureau now supervises. `owner_org_code` is the unit accountable
for clearing it today: escalation moves it one level up the org tree.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.auth.models import OrgUnit, User
from yanyun.auth.permissions import Perm
from yanyun.auth.service import Actor
from yanyun.core.clock import Clock, as_utc
from yanyun.core.db import fetch_page
from yanyun.core.errors import Conflict, Invalid, NotFound, PermissionDenied
from yanyun.core.ids import new_id
from yanyun.oversight import workday
from yanyun.oversight.ledger import ledger_line, reopen_line, settle_done
from yanyun.oversight.models import SupervisedTask, TaskStep
from yanyun.oversight.schemas import SOURCE_LABELS, STATUS_LABELS, TaskCreate
from yanyun.oversight.settings import OversightSettings
from yanyun.oversight.task_trail import emit_change, org_unit, record_step

MAX_DUE_AHEAD = timedelta(days=366)
DONE = ("done", "verified")
OPEN = ("open", "in_progress")
# Which step may follow which; "reject" sends a done task back to open.
MOVES: dict[str, tuple[tuple[str, ...], str]] = {
    "start": (("open",), "in_progress"),
    "done": (("open", "in_progress"), "done"),
    "verify": (("done",), "verified"),
    "reject": (("done",), "open"),
}


def create_task(
    *,
    session: Session,
    clock: Clock,
    settings: OversightSettings,
    actor: Actor | None,
    title: str,
    source: str,
    source_ref: str | None = None,
    owner_user_id: str | None = None,
    owner_org_code: str | None = None,
    due_at: datetime | None = None,
    detail: str | None = None,
    emit_event: bool = True,
) -> tuple[SupervisedTask, bool]:
    """Open a task and its first line in the clearing ledger; (task, created).

    A task already created for the same source and reference is returned
    unchanged, so a replayed event or a rerun schedule creates nothing twice.
    """
    # Lookups only: flushing the previous task's rows before each would
    # multiply round trips when a job creates hundreds of tasks at once.
    with session.no_autoflush:
        existing = _already_created(session, source, source_ref)
        if existing is not None:
            return existing, False
        unit = _owner_unit(session, owner_user_id, owner_org_code)
    now = clock.now()
    due = as_utc(due_at) if due_at is not None else workday.end_of_working_day(settings, unit, now)
    task_id = new_id(clock)
    task = SupervisedTask(
        id=task_id,
        title=title[:200],
        detail=detail,
        source=source,
        source_ref=source_ref or task_id,
        owner_user_id=owner_user_id,
        owner_org_code=unit.code,
        org_path=unit.path,
        origin_org_code=unit.code,
        due_at=due,
        status="open",
        escalation_level=0,
        evidence=[],
        created_at=now,
        created_by=actor.user_id if actor else None,
    )
    session.add(task)
    _unflushed(session)[(source, task.source_ref)] = task
    day = workday.clearing_day(settings, unit, due)
    ledger_line(session, clock, settings, task, unit, day, fresh=True)
    record_step(
        session, clock, task, "created", actor, note=SOURCE_LABELS.get(source, (source,))[0]
    )
    if emit_event:
        emit_change(session, clock, task, "created")
    return task, True


def _unflushed(session: Session) -> dict[tuple[str, str], SupervisedTask]:
    # Tasks added in this session but not flushed yet are invisible to a
    # query: remember them, so a batch cannot create one twice.
    return session.info.setdefault("oversight_new_tasks", {})


def _already_created(
    session: Session, source: str, source_ref: str | None
) -> SupervisedTask | None:
    if source_ref is None:
        return None
    pending = _unflushed(session)
    if (source, source_ref) in pending:
        return pending[(source, source_ref)]
    return session.scalars(
        select(SupervisedTask).where(
            SupervisedTask.source == source, SupervisedTask.source_ref == source_ref
        )
    ).first()


def _owner_unit(session: Session, owner_user_id: str | None, owner_org_code: str | None) -> OrgUnit:
    if owner_user_id is not None:
        user = session.get(User, owner_user_id)
        if user is None:
            raise Invalid(
                "owner_user_id", f"未知用户：{owner_user_id}", f"unknown user: {owner_user_id}"
            )
        owner_org_code = owner_org_code or user.org_code
    if owner_org_code is None:
        raise Invalid(
            "owner_org_code",
            "任务须指定责任人或责任单位",
            "a task needs an owner: a user or an org unit",
        )
    return org_unit(session, owner_org_code)


def create_manual_task(
    *,
    session: Session,
    clock: Clock,
    settings: OversightSettings,
    actor: Actor,
    task_in: TaskCreate,
) -> SupervisedTask:
    """Hand out a task by hand, to a user or a unit within the actor's scope."""
    code = task_in.owner_org_code
    if task_in.owner_user_id is not None:
        user = session.get(User, task_in.owner_user_id)
        if user is None:
            raise Invalid(
                "owner_user_id",
                f"未知用户：{task_in.owner_user_id}",
                f"unknown user: {task_in.owner_user_id}",
            )
        code = user.org_code
    if code is None:
        raise Invalid(
            "owner_org_code", "任务须指定责任人或责任单位", "a task needs an owner (user or unit)"
        )
    if not actor.sees(org_unit(session, code).path):
        raise Invalid(
            "owner_org_code",
            "只能向本辖区内的单位或人员交办任务",
            "tasks can only be given to units or users within your scope",
        )
    if task_in.due_at is not None and task_in.due_at <= clock.now():
        raise Invalid("due_at", "截止时间须晚于当前时间", "the due time must be in the future")
    if task_in.due_at is not None and task_in.due_at > clock.now() + MAX_DUE_AHEAD:
        raise Invalid("due_at", "截止时间不得超过一年", "the due time must be within a year")
    task, _ = create_task(
        session=session,
        clock=clock,
        settings=settings,
        actor=actor,
        title=task_in.title,
        detail=task_in.detail,
        source="manual",
        owner_user_id=task_in.owner_user_id,
        owner_org_code=code,
        due_at=task_in.due_at,
    )
    return task


def visible_tasks(stmt: Any, actor: Actor) -> Any:
    """Officers see their own tasks; chiefs and supervisors every task in their scope."""
    if actor.can(Perm.tasks_scope):
        return actor.scope(stmt, SupervisedTask.org_path)
    return stmt.where(SupervisedTask.owner_user_id == actor.user_id)


def get_task(
    *, session: Session, actor: Actor, task_id: str, for_update: bool = False
) -> SupervisedTask:
    """A task the actor may see (one they may not looks absent)."""
    stmt = visible_tasks(select(SupervisedTask).where(SupervisedTask.id == task_id), actor)
    if for_update:
        stmt = stmt.with_for_update()
    task = session.scalars(stmt).first()
    if task is None:
        raise NotFound("supervised_task", task_id)
    return task


def list_tasks(
    *,
    session: Session,
    actor: Actor,
    status: str | None = None,
    source: str | None = None,
    org_code: str | None = None,
    mine: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[SupervisedTask], int]:
    stmt = visible_tasks(select(SupervisedTask), actor)
    if mine:
        stmt = stmt.where(SupervisedTask.owner_user_id == actor.user_id)
    if status is not None:
        stmt = stmt.where(SupervisedTask.status == status)
    if source is not None:
        stmt = stmt.where(SupervisedTask.source == source)
    if org_code is not None:
        stmt = stmt.where(SupervisedTask.owner_org_code == org_code)
    total, rows = fetch_page(
        session,
        stmt,
        SupervisedTask.due_at,
        SupervisedTask.id,
        limit=limit,
        offset=offset,
    )
    return rows, total


def steps_of(*, session: Session, task_id: str) -> list[TaskStep]:
    return list(
        session.scalars(
            select(TaskStep).where(TaskStep.task_id == task_id).order_by(TaskStep.at, TaskStep.id)
        )
    )


def _may_work(actor: Actor, task: SupervisedTask) -> bool:
    if task.owner_user_id == actor.user_id:
        return True
    return actor.can(Perm.tasks_scope) and actor.sees(task.org_path)


def act(
    *,
    session: Session,
    clock: Clock,
    settings: OversightSettings,
    actor: Actor,
    task_id: str,
    action: str,
    note: str | None = None,
    evidence: list[str] | None = None,
) -> SupervisedTask:
    """Move a task along its lifecycle, or add a note with evidence references."""
    task = get_task(session=session, actor=actor, task_id=task_id, for_update=True)
    evidence = list(evidence or [])
    _check_may_act(actor, task, action)
    if action == "note":
        if not note and not evidence:
            raise Invalid("note", "请填写备注或证据", "a note or evidence is required")
        task.evidence = [*task.evidence, *evidence]
        record_step(session, clock, task, "note", actor, note=note, evidence=evidence)
        return task
    allowed_from, to_status = MOVES[action]
    if task.status not in allowed_from:
        raise Conflict(
            f"任务当前为“{STATUS_LABELS[task.status][0]}”，不能{action}",
            f"the task is {task.status}; it cannot be moved by {action}",
            current=task.status,
            requested=action,
        )
    if action == "reject" and not note:
        raise Invalid("note", "退回须说明理由", "a reason is required to reject a task")
    now = clock.now()
    task.status = to_status
    if evidence:
        task.evidence = [*task.evidence, *evidence]
    if action == "done":
        task.done_at, task.done_by = now, actor.user_id
        settle_done(session, task, now)
    elif action == "verify":
        task.verified_at, task.verified_by = now, actor.user_id
    elif action == "reject":
        task.done_at = task.done_by = None
        reopen_line(session, clock, settings, task, now)
    record_step(
        session,
        clock,
        task,
        to_status if action != "reject" else "rejected",
        actor,
        note=note,
        evidence=evidence,
    )
    emit_change(session, clock, task, "rejected" if action == "reject" else to_status)
    return task


def _check_may_act(actor: Actor, task: SupervisedTask, action: str) -> None:
    # Verifying is a second pair of eyes: never the user who did the task.
    if action in ("verify", "reject"):
        if not actor.can(Perm.tasks_verify):
            raise PermissionDenied(
                "无权核验任务（需要权限 tasks:verify）",
                "not allowed: verifying a task needs the permission tasks:verify",
                permission=Perm.tasks_verify.value,
            )
        if task.done_by is not None and task.done_by == actor.user_id:
            raise PermissionDenied(
                "办结人不能核验自己办结的任务，须由他人核验",
                "the user who did a task cannot verify it; another user must",
            )
    elif not _may_work(actor, task):
        raise PermissionDenied(
            "只有责任人或其上级可以办理此任务",
            "only the owner or their supervisors may work on this task",
        )


OPEN_TASK_STATUSES = ("open", "in_progress")


def tasks_titled(
    *, session: Session, actor: Actor, text: str, limit: int = 8
) -> list[SupervisedTask]:
    """Tasks the actor may see whose title holds ``text`` (the shell's search box)."""
    stmt = visible_tasks(select(SupervisedTask), actor).where(
        SupervisedTask.title.contains(text, autoescape=True)
    )
    return list(session.scalars(stmt.order_by(SupervisedTask.due_at.desc()).limit(limit)))


def tasks_on_desk(*, session: Session, actor: Actor, limit: int = 50) -> list[SupervisedTask]:
    """Open tasks handed to the actor, or to the actor's unit with no one named yet."""
    mine = SupervisedTask.owner_user_id == actor.user_id
    unit = (SupervisedTask.owner_user_id.is_(None)) & (
        SupervisedTask.owner_org_code == actor.org_code
    )
    stmt = select(SupervisedTask).where(
        mine | unit, SupervisedTask.status.in_(OPEN_TASK_STATUSES)
    )
    return list(session.scalars(stmt.order_by(SupervisedTask.due_at, SupervisedTask.id)
                                .limit(limit)))
