"""Supervised tasks (督办): lifecycle, the daily work list, 日清零 and escalation.

A task's `org_path` is where the work is (the unit it was given to, or the
owning user's unit) and never changes, so the station keeps seeing a task
its branch bureau now supervises. `owner_org_code` is the unit accountable
for clearing it today: escalation moves it one level up the org tree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from yanyun.auth.models import OrgUnit, User
from yanyun.auth.permissions import Perm
from yanyun.auth.service import Actor
from yanyun.core import events
from yanyun.core.clock import SHANGHAI, Clock, as_utc, local_date
from yanyun.core.db import fetch_page
from yanyun.core.errors import Conflict, Invalid, NotFound, PermissionDenied
from yanyun.core.ids import new_id
from yanyun.events.oversight import TaskChanged
from yanyun.oversight import notify, workday
from yanyun.oversight.models import ClearingEntry, ConsumerCursor, SupervisedTask, TaskStep
from yanyun.oversight.schemas import SOURCE_LABELS, STATUS_LABELS, TaskCreate
from yanyun.oversight.settings import OversightSettings

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


@dataclass(frozen=True)
class Duty:
    """A recurring duty: which days it falls on and what its task says."""

    code: str
    title: str


DUTIES = (
    Duty("daily_checklist", "每日巡察：填报今日检查表 (daily inspection checklist)"),
    Duty("weekly_risk_inspection", "每周风险隐患排查 (weekly risk inspection)"),
    Duty("enterprise_service_day", "企业服务日：走访辖区企业 (enterprise service day)"),
)


def _org(session: Session, code: str) -> OrgUnit:
    unit = session.get(OrgUnit, code)
    if unit is None:
        raise Invalid("owner_org_code", f"未知单位：{code}", f"unknown org unit: {code}")
    return unit


def _step(
    session: Session,
    clock: Clock,
    task: SupervisedTask,
    kind: str,
    actor: Actor | None,
    *,
    note: str | None = None,
    evidence: list[str] | None = None,
    from_org: str | None = None,
    to_org: str | None = None,
) -> None:
    session.add(
        TaskStep(
            id=new_id(clock),
            task_id=task.id,
            at=clock.now(),
            kind=kind,
            actor_id=actor.user_id if actor else None,
            actor_name=actor.username if actor else "system",
            note=note,
            evidence=evidence or [],
            from_org_code=from_org,
            to_org_code=to_org,
        )
    )


def task_payload(task: SupervisedTask) -> dict[str, Any]:
    """What a live screen needs to redraw a task without asking again."""
    return {
        "title": task.title,
        "source": task.source,
        "status": task.status,
        "owner_user_id": task.owner_user_id,
        "owner_org_code": task.owner_org_code,
        "due_at": as_utc(task.due_at),
        "escalation_level": task.escalation_level,
    }


def _emit(session: Session, clock: Clock, task: SupervisedTask, kind: str, **extra: Any) -> None:
    events.publish(
        session,
        TaskChanged(**task_payload(task), **extra),
        clock=clock,
        kind=f"task.{kind}",
        resource_id=task.id,
        org_path=task.org_path,
    )


def _ledger_line(
    session: Session,
    clock: Clock,
    settings: OversightSettings,
    task: SupervisedTask,
    unit: OrgUnit,
    day: date,
    *,
    fresh: bool = False,
) -> ClearingEntry:
    existing = None if fresh else session.scalars(
        select(ClearingEntry).where(
            ClearingEntry.task_id == task.id,
            ClearingEntry.org_code == unit.code,
            ClearingEntry.day == day,
        )
    ).first()
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
        # Tasks added in this session but not flushed yet are invisible to the
        # query below: remember them, so a batch cannot create one twice.
        pending: dict[tuple[str, str], SupervisedTask] = session.info.setdefault(
            "oversight_new_tasks", {}
        )
        if source_ref is not None and (source, source_ref) in pending:
            return pending[(source, source_ref)], False
        if source_ref is not None:
            existing = session.scalars(
                select(SupervisedTask).where(
                    SupervisedTask.source == source, SupervisedTask.source_ref == source_ref
                )
            ).first()
            if existing is not None:
                return existing, False
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
        unit = _org(session, owner_org_code)
    now = clock.now()
    due = as_utc(due_at) if due_at is not None else workday.end_of_working_day(
        settings, unit, now
    )
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
    pending[(source, task.source_ref)] = task
    _ledger_line(
        session, clock, settings, task, unit, workday.clearing_day(settings, unit, due),
        fresh=True,
    )
    _step(session, clock, task, "created", actor, note=SOURCE_LABELS.get(source, (source,))[0])
    if emit_event:
        _emit(session, clock, task, "created")
    return task, True


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
    if not actor.sees(_org(session, code).path):
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
        session, stmt, SupervisedTask.due_at, SupervisedTask.id, limit=limit, offset=offset,
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
        raise PermissionDenied("只有责任人或其上级可以办理此任务",
                               "only the owner or their supervisors may work on this task")
    if action == "note":
        if not note and not evidence:
            raise Invalid("note", "请填写备注或证据", "a note or evidence is required")
        task.evidence = [*task.evidence, *evidence]
        _step(session, clock, task, "note", actor, note=note, evidence=evidence)
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
        _settle_done(session, task, now)
    elif action == "verify":
        task.verified_at, task.verified_by = now, actor.user_id
    elif action == "reject":
        task.done_at = task.done_by = None
        _reopen(session, clock, settings, task, now)
    _step(session, clock, task, to_status if action != "reject" else "rejected", actor,
          note=note, evidence=evidence)
    _emit(session, clock, task, "rejected" if action == "reject" else to_status)
    return task


def _pending_line(session: Session, task: SupervisedTask) -> ClearingEntry | None:
    return session.scalars(
        select(ClearingEntry)
        .where(ClearingEntry.task_id == task.id, ClearingEntry.outcome.in_(("pending", "cleared")))
        .order_by(ClearingEntry.day.desc())
    ).first()


def _settle_done(session: Session, task: SupervisedTask, now: datetime) -> None:
    line = _pending_line(session, task)
    if line is None or line.outcome != "pending":
        return
    # Done after the deadline but before the clearing ran: late, not cleared.
    line.outcome = "cleared" if now <= as_utc(line.deadline_at) else "late"
    line.settled_at = now


def _reopen(
    session: Session, clock: Clock, settings: OversightSettings, task: SupervisedTask, now: datetime
) -> None:
    line = _pending_line(session, task)
    if line is not None and line.outcome == "cleared" and now <= as_utc(line.deadline_at):
        line.outcome, line.settled_at = "pending", None
        return
    unit = _org(session, task.owner_org_code)
    day = workday.clearing_day(settings, unit, now)
    entry = _ledger_line(session, clock, settings, task, unit, day)
    task.due_at = entry.deadline_at


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
    here = _org(session, line.org_code)
    parent = session.get(OrgUnit, here.parent_code) if here.parent_code else None
    target = parent or here
    day = workday.next_working_day(settings, target, line.day + timedelta(days=1))
    entry = _ledger_line(session, clock, settings, task, target, day)
    task.owner_org_code = target.code
    task.escalation_level += 1
    task.due_at = entry.deadline_at
    _step(session, clock, task, "escalated", None,
          note=f"{line.day.isoformat()} 日清零未办结，升级督办", from_org=here.code,
          to_org=target.code)
    _emit(session, clock, task, "escalated", from_org_code=here.code, to_org_code=target.code,
          day=line.day.isoformat())
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
        payload={"task_id": task.id, "from_org_code": here.code, "to_org_code": target.code,
                 "level": task.escalation_level},
    )


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = as_utc(datetime.combine(day, time(0), tzinfo=SHANGHAI))
    return start, start + timedelta(days=1)


def work_list(
    *, session: Session, clock: Clock, actor: Actor, org_code: str | None = None,
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
        path = _org(session, org_code).path
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


def _cursor(session: Session, name: str) -> ConsumerCursor:
    row = session.get(ConsumerCursor, name, with_for_update=True)
    if row is None:
        row = ConsumerCursor(name=name, position=0, day=None, gaps={})
        session.add(row)
        session.flush()
    return row


def generate_recurring(*, session: Session, clock: Clock, settings: OversightSettings) -> int:
    """Create the recurring duties' tasks of every day since the last run; count them.

    The first run starts today (no backfill of a history nobody worked);
    later runs catch up each missed day, once.
    """
    today = local_date(clock.now())
    cursor = _cursor(session, "recurring")
    first = cursor.day + timedelta(days=1) if cursor.day is not None else today
    units = list(
        session.scalars(
            select(OrgUnit).where(OrgUnit.kind == settings.recurring_unit_kind)
            .order_by(OrgUnit.code)
        )
    )
    created = 0
    day = first
    while day <= today:
        for unit in units:
            for duty in duties_on(settings, day, unit):
                _, new = create_task(
                    session=session,
                    clock=clock,
                    settings=settings,
                    actor=None,
                    title=duty.title,
                    source="recurring",
                    source_ref=f"{duty.code}:{day.isoformat()}:{unit.code}",
                    owner_org_code=unit.code,
                    due_at=workday.deadline(settings, unit.path, day),
                    emit_event=False,
                )
                created += int(new)
        day += timedelta(days=1)
    cursor.day = today
    cursor.updated_at = clock.now()
    return created


def duties_on(settings: OversightSettings, day: date, unit: workday.OrgRef) -> list[Duty]:
    """The recurring duties that fall on a day at a unit.

    >>> from types import SimpleNamespace as U
    >>> from yanyun.oversight.settings import OversightSettings as S
    >>> station = U(path="S1", kind="station")
    >>> [d.code for d in duties_on(S(), date(2026, 11, 20), station)]  # a Friday, the 20th
    ['daily_checklist', 'enterprise_service_day']
    >>> [d.code for d in duties_on(S(), date(2026, 11, 22), station)]  # Sunday: stations work
    ['daily_checklist']
    >>> office = S(working_days=[0, 1, 2, 3, 4])
    >>> [d.code for d in duties_on(office, date(2026, 11, 22), station)]
    []
    """
    due = []
    if workday.is_working_day(settings, unit, day):
        due.append(DUTIES[0])
    if day.weekday() == settings.weekly_inspection_weekday:
        due.append(DUTIES[1])
    if day.day == settings.enterprise_service_day:
        due.append(DUTIES[2])
    return due
