"""Routes of supervision: tasks, the work list, the clearing board, inspections, risks, audit."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime

from yanyun.auth.deps import require
from yanyun.auth.permissions import Perm
from yanyun.auth.service import Actor
from yanyun.core.audit import AuditEntry
from yanyun.core.clock import as_utc, local_date
from yanyun.core.http import ClockDep, SessionDep, SettingsDep
from yanyun.core.params import Code, Day, Offset, PathKey
from yanyun.oversight import audit_review, inspections, notify, risks, service
from yanyun.oversight.models import RiskPoint, SupervisedTask
from yanyun.oversight.schemas import (
    SOURCE_LABELS,
    STATUS_LABELS,
    AuditEntryPage,
    AuditEntryRead,
    AuditReviewCreate,
    AuditReviewRead,
    AuditSampleCreate,
    AuditSampleRead,
    BoardRead,
    BoardRow,
    ChecklistTemplate,
    CoverageRow,
    InspectionCreate,
    InspectionRead,
    NotificationRead,
    RiskCheckCreate,
    RiskCheckRead,
    RiskPointCreate,
    RiskPointPage,
    RiskPointRead,
    TaskAction,
    TaskCreate,
    TaskDetail,
    TaskPage,
    TaskRead,
    TaskStatus,
    TaskStepRead,
    WorkList,
)

router = APIRouter(prefix="/api/v1/oversight", tags=["oversight"])

Reader = Annotated[Actor, Depends(require(Perm.tasks_read))]
Writer = Annotated[Actor, Depends(require(Perm.tasks_write))]
Checker = Annotated[Actor, Depends(require(Perm.inspections_write))]
RiskReader = Annotated[Actor, Depends(require(Perm.risks_read))]
RiskWriter = Annotated[Actor, Depends(require(Perm.risks_write))]
AuditReader = Annotated[Actor, Depends(require(Perm.audit_read))]
AuditReviewer = Annotated[Actor, Depends(require(Perm.audit_review))]
NoticeReader = Annotated[Actor, Depends(require(Perm.notifications_read))]


def task_read(task: SupervisedTask, now: datetime) -> TaskRead:
    source_zh, source_en = SOURCE_LABELS.get(task.source, (task.source, task.source))
    status_zh, status_en = STATUS_LABELS[task.status]
    return TaskRead(
        id=task.id, title=task.title, detail=task.detail, source=task.source,
        source_label_zh=source_zh, source_label_en=source_en, source_ref=task.source_ref,
        owner_user_id=task.owner_user_id, owner_org_code=task.owner_org_code,
        origin_org_code=task.origin_org_code, org_path=task.org_path,
        due_at=as_utc(task.due_at), status=task.status, status_label_zh=status_zh,
        status_label_en=status_en, escalation_level=task.escalation_level,
        evidence=list(task.evidence or []), created_at=as_utc(task.created_at),
        done_at=as_utc(task.done_at) if task.done_at else None, done_by=task.done_by,
        verified_at=as_utc(task.verified_at) if task.verified_at else None,
        verified_by=task.verified_by,
        overdue=task.status in service.OPEN and as_utc(task.due_at) < now,
    )


def _detail(session: Any, task: SupervisedTask, now: datetime) -> TaskDetail:
    steps = [TaskStepRead.model_validate(s) for s in service.steps_of(session=session,
                                                                      task_id=task.id)]
    return TaskDetail(**task_read(task, now).model_dump(), steps=steps)


@router.get("/tasks", response_model=TaskPage)
def list_tasks(
    session: SessionDep,
    clock: ClockDep,
    actor: Reader,
    status: TaskStatus | None = None,
    source: Code | None = Query(None, max_length=24),
    org_code: Code | None = Query(None, max_length=48),
    mine: bool = False,
    limit: int = Query(100, ge=1, le=500),
    offset: Offset = 0,
) -> TaskPage:
    """Tasks the user may see: their own, or (chiefs, supervisors) every one in scope."""
    rows, total = service.list_tasks(
        session=session, actor=actor, status=status.value if status else None, source=source,
        org_code=org_code, mine=mine, limit=limit, offset=offset,
    )
    now = clock.now()
    return TaskPage(items=[task_read(t, now) for t in rows], total=total)


@router.post("/tasks", response_model=TaskDetail, status_code=201)
def create_task(
    body: TaskCreate, session: SessionDep, clock: ClockDep, settings: SettingsDep, actor: Writer
) -> TaskDetail:
    """Hand out a task (督办) to a user or a unit in scope."""
    task = service.create_manual_task(
        session=session, clock=clock, settings=settings.oversight, actor=actor, task_in=body
    )
    session.flush()
    return _detail(session, task, clock.now())


@router.get("/tasks/{task_id}", response_model=TaskDetail)
def get_task(task_id: PathKey, session: SessionDep, clock: ClockDep, actor: Reader) -> TaskDetail:
    """A task with its steps: who did what, when, with which evidence."""
    task = service.get_task(session=session, actor=actor, task_id=task_id)
    return _detail(session, task, clock.now())


@router.post("/tasks/{task_id}/actions", response_model=TaskDetail)
def act_on_task(
    task_id: PathKey,
    body: TaskAction,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Reader,
) -> TaskDetail:
    """Start, finish, verify (another user), reject back to open, or add a note."""
    task = service.act(
        session=session, clock=clock, settings=settings.oversight, actor=actor, task_id=task_id,
        action=body.action, note=body.note, evidence=body.evidence,
    )
    session.flush()
    return _detail(session, task, clock.now())


@router.get("/worklist", response_model=WorkList)
def work_list(
    session: SessionDep,
    clock: ClockDep,
    actor: Reader,
    org_code: Code | None = Query(None, max_length=48),
    mine: bool = False,
) -> WorkList:
    """Today's work (Asia/Shanghai): due today, overdue, done today."""
    day, due, overdue, done = service.work_list(
        session=session, clock=clock, actor=actor, org_code=org_code, mine=mine
    )
    now = clock.now()
    return WorkList(
        day=day,
        due_today=[task_read(t, now) for t in due],
        overdue=[task_read(t, now) for t in overdue],
        done_today=[task_read(t, now) for t in done],
    )


@router.get("/board", response_model=BoardRead)
def clearing_board(
    session: SessionDep,
    clock: ClockDep,
    actor: Reader,
    day: Day | None = None,
    kind: Code | None = Query(None, pattern="^(station|branch|bureau)$"),
) -> BoardRead:
    """The 日清零 board of a day: per unit, tasks due, cleared, escalated and the rate."""
    day = day or local_date(clock.now())
    lines = service.clearing_board(session=session, actor=actor, day=day, kind=kind)
    rows = [
        BoardRow(org_code=b.org_code, org_name_zh=b.org_name_zh, org_name_en=b.org_name_en,
                 org_kind=b.org_kind, day=day, due=b.due, cleared=b.cleared,
                 escalated=b.escalated, pending=b.pending, clearing_rate=b.clearing_rate)
        for b in lines
    ]
    due = sum(r.due for r in rows)
    cleared = sum(r.cleared for r in rows)
    totals = BoardRow(
        org_code="", org_name_zh="合计", org_name_en="Total", org_kind="", day=day, due=due,
        cleared=cleared, escalated=sum(r.escalated for r in rows),
        pending=sum(r.pending for r in rows),
        clearing_rate=round(cleared / due, 4) if due else None,
    )
    return BoardRead(day=day, closed=totals.pending == 0 and due > 0, rows=rows, totals=totals)


@router.get("/checklists", response_model=list[ChecklistTemplate])
def checklist_templates(actor: Checker) -> list[ChecklistTemplate]:
    """The daily checklist of each functional area of the command center."""
    return list(inspections.TEMPLATES.values())


@router.post("/inspections", response_model=InspectionRead, status_code=201)
def fill_checklist(
    body: InspectionCreate, session: SessionDep, clock: ClockDep, actor: Checker
) -> InspectionRead:
    """Fill today's checklist of an area; each failed item becomes a task."""
    row = inspections.fill_checklist(session=session, clock=clock, actor=actor,
                                     inspection_in=body)
    return InspectionRead.model_validate(row)


@router.get("/inspections", response_model=list[InspectionRead])
def list_inspections(
    session: SessionDep, actor: Checker, day: Day | None = None
) -> list[InspectionRead]:
    return [InspectionRead.model_validate(r)
            for r in inspections.list_inspections(session=session, actor=actor, day=day)]


@router.get("/risks", response_model=RiskPointPage)
def list_risk_points(
    session: SessionDep,
    clock: ClockDep,
    actor: RiskReader,
    org_code: Code | None = Query(None, max_length=48),
    overdue: bool = False,
    limit: int = Query(200, ge=1, le=1000),
    offset: Offset = 0,
) -> RiskPointPage:
    """Risk points in scope, soonest inspection first."""
    now = clock.now()
    rows, total = risks.list_risk_points(
        session=session, actor=actor, org_code=org_code, overdue_at=now if overdue else None,
        limit=limit, offset=offset,
    )
    return RiskPointPage(items=[_point(p, now) for p in rows], total=total)


def _point(p: RiskPoint, now: datetime) -> RiskPointRead:
    return RiskPointRead(
        id=p.id, name=p.name, kind=p.kind, category=p.category,
        category_label_zh=risks.CATEGORIES.get(p.category, (p.category,))[0],
        category_label_en=risks.CATEGORIES.get(p.category, (p.category, p.category))[1],
        level=p.level,
        owner_name=p.owner_name, owner_user_id=p.owner_user_id, org_code=p.org_code,
        org_path=p.org_path, cadence_days=p.cadence_days, lng=p.lng, lat=p.lat,
        last_checked_at=as_utc(p.last_checked_at) if p.last_checked_at else None,
        next_due_at=as_utc(p.next_due_at), overdue=as_utc(p.next_due_at) < now,
    )


@router.post("/risks", response_model=RiskPointRead, status_code=201)
def create_risk_point(
    body: RiskPointCreate, session: SessionDep, clock: ClockDep, actor: RiskWriter
) -> RiskPointRead:
    """Register a risk point with its owner, unit and inspection cadence."""
    point = risks.create_risk_point(session=session, clock=clock, actor=actor, point_in=body)
    return _point(point, clock.now())


@router.post("/risks/{point_id}/checks", response_model=RiskCheckRead, status_code=201)
def record_check(
    point_id: PathKey, body: RiskCheckCreate, session: SessionDep, clock: ClockDep,
    actor: RiskWriter,
) -> RiskCheckRead:
    """Record an inspection or unannounced check (暗访) with its findings."""
    check = risks.record_check(session=session, clock=clock, actor=actor, point_id=point_id,
                               check_in=body)
    return RiskCheckRead.model_validate(check)


@router.get("/risks/{point_id}/checks", response_model=list[RiskCheckRead])
def list_checks(point_id: PathKey, session: SessionDep, actor: RiskReader) -> list[RiskCheckRead]:
    risks.get_risk_point(session=session, actor=actor, point_id=point_id)
    return [RiskCheckRead.model_validate(c) for c in risks.checks_of(session=session,
                                                                       point_id=point_id)]


@router.get("/risk-coverage", response_model=list[CoverageRow])
def risk_coverage(session: SessionDep, clock: ClockDep, actor: RiskReader) -> list[CoverageRow]:
    """Per unit: how many risk points, how many inspected on time."""
    return [
        CoverageRow(org_code=code, org_name_zh=name, risk_points=total, on_time=ok,
                    overdue=total - ok, coverage_rate=round(ok / total, 4) if total else None)
        for code, name, total, ok in risks.coverage(session=session, clock=clock, actor=actor)
    ]


def _entry(e: AuditEntry) -> AuditEntryRead:
    return AuditEntryRead(
        id=e.id, at=as_utc(e.at), user_id=e.user_id, username=e.username, role=e.role,
        action=e.action, resource_type=e.resource_type, resource_id=e.resource_id,
        purpose=e.purpose, case_number=e.case_number,
        personal=e.action == audit_review.PERSONAL_ACTION, detail=e.detail or {},
    )


@router.get("/audit", response_model=AuditEntryPage)
def search_audit(
    session: SessionDep,
    actor: AuditReader,
    user_id: Code | None = Query(None, max_length=26),
    username: Code | None = Query(None, max_length=64),
    role: Code | None = Query(None, max_length=32),
    action: Code | None = Query(None, max_length=64),
    resource_type: Code | None = Query(None, max_length=64),
    resource_id: Code | None = Query(None, max_length=64),
    purpose: Code | None = Query(None, max_length=100),
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
    personal_only: bool = False,
    after_id: int = Query(0, ge=0, le=2**62),
    limit: int = Query(100, ge=1, le=500),
) -> AuditEntryPage:
    """Search the audit log; reads of personal data are flagged `personal`."""
    rows = audit_review.search(
        session=session, user_id=user_id, username=username, role=role, action=action,
        resource_type=resource_type, resource_id=resource_id, purpose=purpose, since=since,
        until=until, personal_only=personal_only, after_id=after_id, limit=limit,
    )
    return AuditEntryPage(
        items=[_entry(e) for e in rows],
        next_after_id=rows[-1].id if len(rows) == limit else None,
    )


def _sample_read(session: Any, sample: Any) -> AuditSampleRead:
    return AuditSampleRead(
        id=sample.id, drawn_at=as_utc(sample.drawn_at), since=as_utc(sample.since),
        until=as_utc(sample.until), seed=sample.seed, population=sample.population,
        entries=[_entry(e) for e in audit_review.entries_of(session=session, sample=sample)],
        reviews=[AuditReviewRead.model_validate(r)
                 for r in audit_review.reviews_of(session=session, sample_id=sample.id)],
    )


@router.post("/audit/samples", response_model=AuditSampleRead, status_code=201)
def draw_sample(
    body: AuditSampleCreate, session: SessionDep, clock: ClockDep, actor: AuditReviewer
) -> AuditSampleRead:
    """Draw a random sample of personal-data reads of a period for review."""
    sample = audit_review.draw_sample(
        session=session, clock=clock, actor=actor, since=body.since, until=body.until,
        size=body.size, seed=body.seed,
    )
    session.flush()
    return _sample_read(session, sample)


@router.get("/audit/samples/{sample_id}", response_model=AuditSampleRead)
def get_sample(sample_id: PathKey, session: SessionDep, actor: AuditReviewer) -> AuditSampleRead:
    return _sample_read(session, audit_review.get_sample(session=session, sample_id=sample_id))


@router.post("/audit/samples/{sample_id}/reviews", response_model=AuditReviewRead,
             status_code=201)
def review_entry(
    sample_id: PathKey, body: AuditReviewCreate, session: SessionDep, clock: ClockDep,
    actor: AuditReviewer,
) -> AuditReviewRead:
    """Record the outcome of reviewing one sampled read (justified, questionable, violation)."""
    review = audit_review.record_review(
        session=session, clock=clock, actor=actor, sample_id=sample_id, entry_id=body.entry_id,
        outcome=body.outcome, note=body.note,
    )
    return AuditReviewRead.model_validate(review)


@router.get("/notifications", response_model=list[NotificationRead])
def list_notifications(
    session: SessionDep,
    actor: NoticeReader,
    status: Code | None = Query(None, pattern="^(pending|sent|failed)$"),
) -> list[NotificationRead]:
    """The delivery log's head: each notification, its channel, attempts and last error."""
    return [NotificationRead.model_validate(n)
            for n in notify.list_notifications(session=session, status=status, scope=actor.scope)]
