"""Tables of supervision (督): tasks, the clearing ledger, inspections, risks, notices."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from yanyun.core.tables import Base


class SupervisedTask(Base):
    """A 督办 task: one piece of work with an owner, a due time and a checked outcome.

    `source` + `source_ref` is unique, so an event consumed twice (a restart
    between the insert and the cursor update) cannot create the task twice.
    """

    __tablename__ = "supervised_task"
    __table_args__ = (UniqueConstraint("source", "source_ref"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(24), index=True)
    source_ref: Mapped[str] = mapped_column(String(96))
    owner_user_id: Mapped[str | None] = mapped_column(String(26), index=True)
    owner_org_code: Mapped[str] = mapped_column(String(48), index=True)
    org_path: Mapped[str] = mapped_column(String(255), index=True)
    origin_org_code: Mapped[str] = mapped_column(String(48))
    due_at: Mapped[datetime] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    evidence: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime]
    created_by: Mapped[str | None] = mapped_column(String(26))
    done_at: Mapped[datetime | None]
    done_by: Mapped[str | None] = mapped_column(String(26))
    verified_at: Mapped[datetime | None]
    verified_by: Mapped[str | None] = mapped_column(String(26))


class TaskStep(Base):
    """A step of a task's life (created, started, done, verified, rejected, escalated, note)."""

    __tablename__ = "supervised_task_step"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("supervised_task.id"), index=True)
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[str | None] = mapped_column(String(26))
    actor_name: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(String(1000))
    evidence: Mapped[list[str]] = mapped_column(JSON, default=list)
    from_org_code: Mapped[str | None] = mapped_column(String(48))
    to_org_code: Mapped[str | None] = mapped_column(String(48))
    # Declared so one flush inserts the task before its steps (the unit of
    # work orders inserts by relationships), without a flush per task.
    task: Mapped[SupervisedTask] = relationship(lazy="raise")


class ClearingEntry(Base):
    """One line of the 日清零 ledger: a task due at a unit on a day, and what became of it.

    A task escalated to the branch bureau gets a new line there for the next
    working day, so each unit's board counts only what was its own to clear.
    """

    __tablename__ = "clearing_entry"
    __table_args__ = (UniqueConstraint("task_id", "org_code", "day"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("supervised_task.id"), index=True)
    org_code: Mapped[str] = mapped_column(String(48), index=True)
    org_path: Mapped[str] = mapped_column(String(255), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    deadline_at: Mapped[datetime] = mapped_column(index=True)
    outcome: Mapped[str] = mapped_column(String(12), index=True)
    settled_at: Mapped[datetime | None]
    task: Mapped[SupervisedTask] = relationship(lazy="raise")


class ConsumerCursor(Base):
    """Where a periodic job left off: the last event consumed, the last day generated."""

    __tablename__ = "oversight_cursor"
    __audited__ = False

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger, default=0)
    day: Mapped[date | None] = mapped_column(Date)
    # Ids behind a gap and when it was first seen (see core.events.GapTracker).
    gaps: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime | None]


class Inspection(Base):
    """A daily checklist (每日巡察) of one functional area, filled once a day per unit."""

    __tablename__ = "inspection"
    __table_args__ = (UniqueConstraint("template_code", "org_code", "day"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    template_code: Mapped[str] = mapped_column(String(32), index=True)
    org_code: Mapped[str] = mapped_column(String(48), index=True)
    org_path: Mapped[str] = mapped_column(String(255), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    filled_at: Mapped[datetime]
    filled_by: Mapped[str | None] = mapped_column(String(26))
    results: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    failed: Mapped[int] = mapped_column(Integer)


class RiskPoint(Base):
    """A public-safety risk point (五全一常态): always under an owner and a cadence."""

    __tablename__ = "risk_point"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), index=True)
    category: Mapped[str] = mapped_column(String(24), index=True)
    level: Mapped[int] = mapped_column(Integer)
    owner_name: Mapped[str] = mapped_column(String(64))
    owner_user_id: Mapped[str | None] = mapped_column(String(26))
    org_code: Mapped[str] = mapped_column(String(48), index=True)
    org_path: Mapped[str] = mapped_column(String(255), index=True)
    cadence_days: Mapped[int] = mapped_column(Integer)
    lng: Mapped[float | None]
    lat: Mapped[float | None]
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    last_checked_at: Mapped[datetime | None]
    next_due_at: Mapped[datetime] = mapped_column(index=True)
    # The due time already announced as overdue, so the scan announces it once.
    overdue_flagged_for: Mapped[datetime | None]


class RiskCheck(Base):
    """An inspection of a risk point, routine or unannounced (暗访), with its findings."""

    __tablename__ = "risk_check"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    risk_point_id: Mapped[str] = mapped_column(ForeignKey("risk_point.id"), index=True)
    at: Mapped[datetime] = mapped_column(index=True)
    by_user_id: Mapped[str | None] = mapped_column(String(26))
    kind: Mapped[str] = mapped_column(String(12))
    passed: Mapped[bool] = mapped_column(Boolean)
    findings: Mapped[str | None] = mapped_column(Text)
    on_time: Mapped[bool] = mapped_column(Boolean)


class Notification(Base):
    """One message to deliver on one channel; kept until sent or given up, never dropped."""

    __tablename__ = "notification"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(index=True)
    channel: Mapped[str] = mapped_column(String(16), index=True)
    kind: Mapped[str] = mapped_column(String(48))
    org_path: Mapped[str] = mapped_column(String(255), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(12), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(index=True)
    last_error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None]


class DeliveryAttempt(Base):
    """The delivery log: every try of every notification, with its error if it failed."""

    __tablename__ = "notification_attempt"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    notification_id: Mapped[str] = mapped_column(ForeignKey("notification.id"), index=True)
    at: Mapped[datetime]
    ok: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[str | None] = mapped_column(String(500))


class AuditSample(Base):
    """A random sample of personal-data reads drawn for review; the seed replays it."""

    __tablename__ = "audit_sample"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    drawn_at: Mapped[datetime]
    drawn_by: Mapped[str | None] = mapped_column(String(26))
    since: Mapped[datetime]
    until: Mapped[datetime]
    seed: Mapped[int] = mapped_column(BigInteger)
    population: Mapped[int] = mapped_column(Integer)
    entry_ids: Mapped[list[int]] = mapped_column(JSON)


class AuditReview(Base):
    """The outcome of reviewing one sampled audit entry (itself audited on write)."""

    __tablename__ = "audit_review"
    __table_args__ = (UniqueConstraint("sample_id", "entry_id"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    sample_id: Mapped[str] = mapped_column(ForeignKey("audit_sample.id"), index=True)
    entry_id: Mapped[int] = mapped_column(BigInteger, index=True)
    reviewed_at: Mapped[datetime]
    reviewer_id: Mapped[str | None] = mapped_column(String(26))
    outcome: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(String(1000))
