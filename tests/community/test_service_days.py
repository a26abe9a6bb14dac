"""Enterprise service days: a 20th, planned once, reported once it has come; enterprise totals."""

from __future__ import annotations

import doctest
from datetime import date, timedelta

import pytest

from tests.community.helpers import CITY, build_small
from yanyun.community import enterprises as enterprise_service
from yanyun.community import service_days
from yanyun.community.schemas import ServiceDayCreate, VisitCreate
from yanyun.core.errors import Conflict, Invalid


def test_service_day_doctests() -> None:
    assert doctest.testmod(service_days).failed == 0


def test_service_day_is_a_20th_planned_then_reported_once_it_has_come(session, clock) -> None:
    build_small(session, clock)
    _, enterprises = enterprise_service.list_enterprises(session=session, actor=CITY, limit=1)
    station = enterprises[0].station_code
    with pytest.raises(Invalid):
        service_days.plan_service_day(
            session=session,
            clock=clock,
            actor=CITY,
            day_in=ServiceDayCreate(station_code=station, day=date(2026, 12, 21)),
        )
    day = service_days.plan_service_day(
        session=session, clock=clock, actor=CITY, day_in=ServiceDayCreate(station_code=station)
    )
    assert day.day == date(2026, 12, 20)  # the test clock stands on 2026-11-23
    with pytest.raises(Conflict):
        service_days.plan_service_day(
            session=session, clock=clock, actor=CITY, day_in=ServiceDayCreate(station_code=station)
        )
    with pytest.raises(Conflict):
        service_days.report_service_day(
            session=session, clock=clock, actor=CITY, day_id=day.id, report="提前上报"
        )
    clock.advance(timedelta(days=27))
    enterprise_service.record_visit(
        session=session,
        clock=clock,
        actor=CITY,
        enterprise_id=enterprises[0].id,
        visit_in=VisitCreate(
            visited_at=clock.now(),
            service_day_id=day.id,
            issues=[{"text": "门口道路拥堵", "handling": "交警疏导", "resolved": True}],
        ),
    )
    service_days.report_service_day(
        session=session, clock=clock, actor=CITY, day_id=day.id, report="走访企业3家，解决问题1个"
    )
    read = service_days.service_day_read(session, day)
    assert read.status == "reported"
    assert (read.visits, read.issues, read.issues_resolved) == (1, 1, 1)
    totals = enterprise_service.enterprise_totals(session=session, actor=CITY)
    assert totals.project_officers == 6 and totals.cases == 7


@pytest.mark.parametrize("service_day_id", ["", "01ZZZZZZZZZZZZZZZZZZZZZZZZ"])
def test_a_visit_with_no_or_an_unknown_service_day(session, clock, service_day_id) -> None:
    """An empty id is no service day; an unknown one is refused by field, not a database error."""
    build_small(session, clock)
    _, enterprises = enterprise_service.list_enterprises(session=session, actor=CITY, limit=1)
    visit_in = VisitCreate(visited_at=clock.now(), service_day_id=service_day_id)
    if service_day_id:
        with pytest.raises(Invalid) as err:
            enterprise_service.record_visit(session=session, clock=clock, actor=CITY,
                                            enterprise_id=enterprises[0].id, visit_in=visit_in)
        assert err.value.field == "service_day_id"
    else:
        visit = enterprise_service.record_visit(session=session, clock=clock, actor=CITY,
                                                enterprise_id=enterprises[0].id, visit_in=visit_in)
        session.flush()
        assert visit.service_day_id is None
