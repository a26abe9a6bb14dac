"""Recurring duties: the daily checklist, the weekly risk inspection, the enterprise day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.auth.models import OrgUnit
from yanyun.core.clock import Clock, local_date
from yanyun.oversight import workday
from yanyun.oversight.models import ConsumerCursor
from yanyun.oversight.settings import OversightSettings
from yanyun.oversight.tasks import create_task


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
            select(OrgUnit)
            .where(OrgUnit.kind == settings.recurring_unit_kind)
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
