"""Recurring duties: which fall on which day, each created once."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from tests.oversight.helpers import (
    OFFICE_HOURS,
    SATURDAY,
    at,
    ledger_lines,
    settings,
)
from yanyun.oversight import recurring
from yanyun.oversight.models import SupervisedTask


def test_recurring_duties_fall_on_their_days_and_only_once(session, clock):
    s = settings(**OFFICE_HOURS)
    stations = len(list(session.scalars(
        select(SupervisedTask.id).where(SupervisedTask.source == "recurring"))))
    assert stations == 0
    from yanyun.auth.models import OrgUnit

    n = len(list(session.scalars(select(OrgUnit.code).where(OrgUnit.kind == "station"))))
    # Monday: the daily checklist and the weekly risk inspection.
    assert recurring.generate_recurring(session=session, clock=clock, settings=s) == 2 * n
    assert recurring.generate_recurring(session=session, clock=clock, settings=s) == 0
    # Through Tuesday .. Sunday, 2026-11-29: four more checklists (Tue-Fri); none on the weekend.
    clock.set(at(date(2026, 11, 29), 8))
    assert recurring.generate_recurring(session=session, clock=clock, settings=s) == 4 * n
    # December 20th 2026 is a Sunday: the enterprise service day still falls on it.
    clock.set(at(date(2026, 12, 19), 23, 59))
    recurring.generate_recurring(session=session, clock=clock, settings=s)
    clock.set(at(date(2026, 12, 20), 0, 1))
    assert recurring.generate_recurring(session=session, clock=clock, settings=s) == n
    service_day = session.scalars(
        select(SupervisedTask).where(SupervisedTask.source_ref.like("enterprise_service_day:%"))
    ).first()
    assert service_day.due_at == at(date(2026, 12, 20), 18)
    # Due on a Sunday: the clearing counts it on Monday the 21st.
    assert ledger_lines(session, service_day)[0][1] == date(2026, 12, 21)


def test_daily_checklist_is_due_at_stations_on_the_weekend(session, clock):
    from yanyun.auth.models import OrgUnit

    s = settings()
    n = len(list(session.scalars(select(OrgUnit.code).where(OrgUnit.kind == "station"))))
    clock.set(at(SATURDAY, 8))
    # Saturday 2026-11-28: the daily checklist only (no weekly inspection, no service day).
    assert recurring.generate_recurring(session=session, clock=clock, settings=s) == n
    sunday = at(SATURDAY + timedelta(days=1), 8)
    clock.set(sunday)
    assert recurring.generate_recurring(session=session, clock=clock, settings=s) == n
