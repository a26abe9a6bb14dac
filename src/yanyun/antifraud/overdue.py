"""Warnings past their deadline: each announced once and asked of supervision as 督办."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from yanyun.antifraud.models import FraudWarning
from yanyun.antifraud.settings import AntifraudSettings
from yanyun.core import events
from yanyun.core.clock import Clock, as_utc
from yanyun.events.antifraud import WarningOverdue
from yanyun.events.oversight import TaskRequested

MISSED = {"phone": ("电话联系", "phone contact"), "visit": ("上门见面", "in-person visit")}
#: Grades whose in-person visit is owed even once the warning is closed by phone.
VISIT_OWED_GRADES = ("high",)
#: Outcomes that waive that visit (nobody is at risk).
VISIT_WAIVED = ("false_alarm",)
#: How far back a closed warning's missed visit is still raised: older ones are history.
CLOSED_LOOKBACK = timedelta(days=1)


def flag_overdue(*, session: Session, clock: Clock, settings: AntifraudSettings,
                 limit: int = 500) -> int:
    """Find warnings whose phone or visit deadline passed without it; announce each.

    An unclosed warning owes both contacts. A high-grade one also owes the visit
    once closed by phone (劝阻成功 by phone alone, 已受骗, 无法联系...): its
    in-person deadline still makes a task, unless it was a false alarm.
    A contact logged after its deadline (a visit logged late on a closed
    warning, 补录走访, or a late call made between two scans) is late all the
    same: it makes the task the missing one would have.
    ``overdue_at`` marks a warning announced, so a warning becomes one task, however
    often the scan runs and whichever deadlines it misses.
    """
    now = clock.now()
    w = FraudWarning
    unclosed = w.status != "closed"
    recent = now - CLOSED_LOOKBACK
    visit_owed = or_(unclosed, and_(
        w.grade.in_(VISIT_OWED_GRADES), w.outcome.not_in(VISIT_WAIVED), w.visit_due_at > recent))
    phone_late = and_(w.phone_due_at < now, or_(
        and_(unclosed, w.first_phone_at.is_(None)),
        and_(w.first_phone_at > w.phone_due_at, w.phone_due_at > recent)))
    visit_late = and_(visit_owed, w.visit_due_at < now, or_(
        w.first_visit_at.is_(None), w.first_visit_at > w.visit_due_at))
    late = session.scalars(
        select(w).where(w.overdue_at.is_(None), or_(phone_late, visit_late))
        .order_by(w.phone_due_at).limit(limit).with_for_update(skip_locked=True)
    ).all()
    for row in late:
        missed = "phone" if _phone_missed(row, now) else "visit"
        due = row.phone_due_at if missed == "phone" else row.visit_due_at
        row.overdue_at = now
        events.publish(session, WarningOverdue(
            number=row.number, grade=row.grade, station_code=row.station_code, missed=missed,
            due_at=due,
        ), clock=clock, resource_id=row.id, org_path=row.org_path)
        zh = MISSED[missed][0]
        events.publish(session, TaskRequested(
            title=f"[{row.number}] 反诈预警逾期未{zh}：立即见面劝阻并说明原因",
            detail=f"预警{row.number}（{row.grade}级）{zh}期限已过 / warning {row.number} "
                   f"missed its {MISSED[missed][1]} deadline",
            owner_org_code=row.station_code,
            due_at=now + timedelta(hours=settings.supervised_task_hours),
        ), clock=clock, resource_id=row.id, org_path=row.org_path)
    session.flush()
    return len(late)


def _phone_missed(row: FraudWarning, now: datetime) -> bool:
    due = as_utc(row.phone_due_at)
    if due >= now:
        return False
    if row.first_phone_at is None:
        return row.status != "closed"
    return as_utc(row.first_phone_at) > due
