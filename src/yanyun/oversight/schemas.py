"""API shapes of supervision: tasks, the work list, the clearing board, risks, audit review."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from yanyun.core.params import Instant
from yanyun.core.schemas import InputModel


class TaskSource(StrEnum):
    manual = "manual"
    incident_breach = "incident_breach"
    hazard = "hazard"
    inspection_finding = "inspection_finding"
    opinion_event = "opinion_event"
    risk_check_due = "risk_check_due"
    recurring = "recurring"
    requested = "requested"


class TaskStatus(StrEnum):
    open = "open"
    in_progress = "in_progress"
    done = "done"
    verified = "verified"


SOURCE_LABELS: dict[str, tuple[str, str]] = {
    "manual": ("人工交办", "manual"),
    "incident_breach": ("1-3-5超时", "1-3-5 breach"),
    "hazard": ("隐患整改", "hazard"),
    "inspection_finding": ("巡察发现", "inspection finding"),
    "opinion_event": ("舆情事件", "opinion event"),
    "risk_check_due": ("风险点检查", "risk check due"),
    "recurring": ("例行工作", "recurring duty"),
    "requested": ("系统交办", "requested"),
}

STATUS_LABELS: dict[str, tuple[str, str]] = {
    "open": ("待办", "open"),
    "in_progress": ("办理中", "in progress"),
    "done": ("已办结", "done"),
    "verified": ("已核验", "verified"),
}


class TaskCreate(InputModel):
    """A task handed out by hand: to a user, or to an org unit."""

    title: str = Field(min_length=2, max_length=200)
    detail: str | None = Field(None, max_length=4000)
    owner_user_id: str | None = Field(None, max_length=26)
    owner_org_code: str | None = Field(None, max_length=48)
    due_at: Instant | None = Field(
        None, description="Defaults to the end of the owner's working day."
    )


class TaskAction(InputModel):
    action: Literal["start", "done", "verify", "reject", "note"]
    note: str | None = Field(None, max_length=1000)
    evidence: list[str] = Field(default_factory=list, max_length=20)


class TaskStepRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    kind: str
    actor_name: str | None
    note: str | None
    evidence: list[str]
    from_org_code: str | None
    to_org_code: str | None


class TaskRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    title: str
    detail: str | None
    source: str
    source_label_zh: str
    source_label_en: str
    source_ref: str
    owner_user_id: str | None
    owner_org_code: str
    origin_org_code: str
    org_path: str
    due_at: datetime
    status: str
    status_label_zh: str
    status_label_en: str
    escalation_level: int
    evidence: list[str]
    created_at: datetime
    done_at: datetime | None
    done_by: str | None
    verified_at: datetime | None
    verified_by: str | None
    overdue: bool


class TaskDetail(TaskRead):
    steps: list[TaskStepRead]


class TaskPage(BaseModel):
    items: list[TaskRead]
    total: int


class WorkList(BaseModel):
    """Today's work of a user or unit: due today, overdue, done today."""

    day: date
    due_today: list[TaskRead]
    overdue: list[TaskRead]
    done_today: list[TaskRead]


class BoardRow(BaseModel):
    org_code: str
    org_name_zh: str
    org_name_en: str
    org_kind: str
    day: date
    due: int
    cleared: int
    escalated: int
    pending: int
    clearing_rate: float | None


class BoardRead(BaseModel):
    day: date
    closed: bool = Field(description="Whether the day's clearing has run for every unit shown.")
    rows: list[BoardRow]
    totals: BoardRow


class ChecklistItem(BaseModel):
    code: str
    label_zh: str
    label_en: str


class ChecklistTemplate(BaseModel):
    code: str
    area_zh: str
    area_en: str
    items: list[ChecklistItem]


class ItemResult(InputModel):
    code: str = Field(min_length=1, max_length=32)
    ok: bool
    note: str | None = Field(None, max_length=500)


class InspectionCreate(InputModel):
    template_code: str = Field(min_length=1, max_length=32)
    org_code: str | None = Field(None, max_length=48, description="Defaults to the user's unit.")
    results: list[ItemResult] = Field(min_length=1, max_length=50)


class InspectionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    template_code: str
    org_code: str
    day: date
    filled_at: datetime
    filled_by: str | None
    results: list[dict]
    failed: int


class RiskKind(StrEnum):
    place = "place"
    enterprise = "enterprise"
    event = "event"
    route = "route"


class RiskPointCreate(InputModel):
    name: str = Field(min_length=2, max_length=200)
    kind: RiskKind
    category: str = Field(min_length=2, max_length=24)
    level: int = Field(ge=1, le=4, description="1 highest (重大) to 4 (低)")
    owner_name: str = Field(min_length=1, max_length=64)
    owner_user_id: str | None = Field(None, max_length=26)
    org_code: str = Field(min_length=1, max_length=48)
    cadence_days: int = Field(ge=1, le=366)
    lng: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)


class RiskPointRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    kind: str
    category: str
    category_label_zh: str
    category_label_en: str
    level: int
    owner_name: str
    owner_user_id: str | None
    org_code: str
    org_path: str
    cadence_days: int
    lng: float | None
    lat: float | None
    last_checked_at: datetime | None
    next_due_at: datetime
    overdue: bool


class RiskPointPage(BaseModel):
    items: list[RiskPointRead]
    total: int


class RiskCheckCreate(InputModel):
    kind: Literal["routine", "unannounced"] = "routine"
    passed: bool
    findings: str | None = Field(None, max_length=4000)


class RiskCheckRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    risk_point_id: str
    at: datetime
    by_user_id: str | None
    kind: str
    passed: bool
    findings: str | None
    on_time: bool


class CoverageRow(BaseModel):
    org_code: str
    org_name_zh: str
    risk_points: int
    on_time: int
    overdue: int
    coverage_rate: float | None


class AuditEntryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    user_id: str | None
    username: str | None
    role: str | None
    action: str
    resource_type: str
    resource_id: str | None
    purpose: str | None
    case_number: str | None
    personal: bool
    detail: dict


class AuditEntryPage(BaseModel):
    items: list[AuditEntryRead]
    next_after_id: int | None


class AuditSampleCreate(InputModel):
    since: Instant
    until: Instant
    size: int = Field(10, ge=1, le=200)
    seed: int | None = Field(
        None, ge=0, le=2**62, description="Replays a sample; defaults from the clock."
    )


class AuditReviewCreate(InputModel):
    entry_id: int = Field(ge=1, le=2**62)
    outcome: Literal["justified", "questionable", "violation"]
    note: str | None = Field(None, max_length=1000)


class AuditReviewRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    entry_id: int
    reviewed_at: datetime
    reviewer_id: str | None
    outcome: str
    note: str | None


class AuditSampleRead(BaseModel):
    id: str
    drawn_at: datetime
    since: datetime
    until: datetime
    seed: int
    population: int
    entries: list[AuditEntryRead]
    reviews: list[AuditReviewRead]


class NotificationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    created_at: datetime
    channel: str
    kind: str
    subject: str
    status: str
    attempts: int
    last_error: str | None
    sent_at: datetime | None
