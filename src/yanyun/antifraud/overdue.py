"""Warnings past their deadline: each announced once and asked of supervision as 督办."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from yanyun.antifraud.models import FraudWarning
from yanyun.antifraud.settings import AntifraudSettings
from yanyun.core import events
from yanyun.core.clock import Clock
from yanyun.events.antifraud import WarningOverdue
from yanyun.events.oversight import TaskRequested

MISSED = {"phone": ("电话联系", "phone contact"), "visit": ("上门见面", "in-person visit")}


def flag_overdue(*, session: Session, clock: Clock, settings: AntifraudSettings,
                 limit: int = 500) -> int:
    """Find unclosed warnings whose phone or visit deadline passed without it; announce each.

    ``overdue_at`` marks a warning announced, so a warning becomes one task, however
    often the scan runs.
    """
    now = clock.now()
    late = session.scalars(
        select(FraudWarning).where(
            FraudWarning.status != "closed", FraudWarning.overdue_at.is_(None),
            or_(and_(FraudWarning.first_phone_at.is_(None), FraudWarning.phone_due_at < now),
                and_(FraudWarning.first_visit_at.is_(None), FraudWarning.visit_due_at < now)),
        ).order_by(FraudWarning.phone_due_at).limit(limit).with_for_update(skip_locked=True)
    ).all()
    for row in late:
        missed = "phone" if row.first_phone_at is None and row.phone_due_at < now else "visit"
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
