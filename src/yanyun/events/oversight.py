"""Events of supervision 督: tasks, risk inspections, checklist findings, notifications.

:class:`TaskRequested` is the one event other contexts publish *to*
supervision: "make this a supervised task" with an optional owner and due
time; a context with a fact of its own (a breach, an overdue hazard) publishes
that fact and supervision decides.
"""

from __future__ import annotations

from pydantic import AwareDatetime, ConfigDict, Field

from yanyun.core.events import Event


class TaskChanged(Event):
    """A supervised task created, started, done, verified, rejected or escalated."""

    kinds = tuple(
        f"task.{step}"
        for step in ("created", "in_progress", "done", "verified", "rejected", "escalated")
    )
    resource_type = "supervised_task"

    title: str
    source: str
    status: str
    owner_user_id: str | None = None
    owner_org_code: str | None = None
    due_at: AwareDatetime
    escalation_level: int
    from_org_code: str | None = None
    to_org_code: str | None = None
    day: str | None = None


class TaskRequested(Event):
    """Any context asks supervision for a task (督办) with a title and, if it knows, an owner."""

    kinds = ("task.requested",)
    resource_type = "task_request"

    title: str = Field(max_length=200)
    detail: str | None = Field(None, max_length=4000)
    owner_user_id: str | None = None
    owner_org_code: str | None = None
    due_at: AwareDatetime | None = None


class RiskInspectionDue(Event):
    """A risk point's inspection fell due unperformed (once per due time)."""

    kinds = ("risk.inspection_due",)
    resource_type = "risk_point"

    title: str
    owner_org_code: str
    owner_user_id: str | None = None
    due_at: AwareDatetime
    category: str | None = None
    level: int | None = None


class InspectionItemFailed(Event):
    """A checklist item or a risk check failed: a finding to put right."""

    kinds = ("inspection.item_failed",)
    resource_type = "risk_check"

    title: str
    detail: str | None = None
    owner_org_code: str | None = None
    owner_user_id: str | None = None
    template_code: str | None = None
    item: str | None = None


class NotificationSent(Event):
    """A notice on the live channel (dashboards): its kind, subject and body.

    The notice's own data rides along as further fields (a task id, the
    units it moved between), which is why this schema alone takes extras.
    """

    model_config = ConfigDict(frozen=True, extra="allow")

    kinds = ("notification",)
    resource_type = "notification"

    kind: str
    subject: str
    body: str
