"""Figures from hand-counted calls: this month, a year before, the month before; kept
figures equal a recount of the rows; the records behind a figure are the calls made."""

from sqlalchemy import select

from tests.bus import consumers_from_now
from tests.command.helpers import grid_point
from tests.conftest import login_as
from tests.yardstick.helpers import CONSUMER, call_at, figures_now, shanghai
from yanyun.auth.models import User
from yanyun.auth.service import actor_for
from yanyun.geo.models import Grid
from yanyun.yardstick import aggregates, measure, periods
from yanyun.yardstick.models import DailyFigure


def _two_stations(session):
    first = grid_point(session)
    other = session.scalars(
        select(Grid).where(Grid.station_code != first.station_code).order_by(Grid.code)
    ).first()
    return first, other


def _october(client, session, clock):
    """Oct 2026: 3 thefts + 1 fight at A, 1 robbery at B; Oct 2025: 2 thefts at A;
    Sep 2026: 1 theft at A."""
    consumers_from_now(session, clock, CONSUMER)
    session.commit()
    admin = login_as(client, "admin").headers
    a, b = _two_stations(session)
    for day in (3, 9, 21):
        call_at(client, admin, a, shanghai(2026, 10, day), "1002")
    call_at(client, admin, a, shanghai(2026, 10, 5), "2001")
    call_at(client, admin, b, shanghai(2026, 10, 30, 23), "1001")
    for day in (7, 18):
        call_at(client, admin, a, shanghai(2025, 10, day), "1002")
    call_at(client, admin, a, shanghai(2026, 9, 12), "1002")
    return a, b


def _reading(session, ys, code=None, month="2026-10"):
    user = session.scalar(select(User).where(User.username == "admin"))
    admin = actor_for(session=session, user=user)
    first, last = periods.month_span(month)
    readings = measure.read(session, admin, ys, measure.place_of(session, code), first, last)
    return {r.indicator.id: r for r in readings}


def test_street_crime_year_on_year_and_month_on_month(client, runtime, session, clock, yardstick):
    a, _ = _october(client, session, clock)
    assert figures_now(runtime, session) >= 7
    city = _reading(session, yardstick)
    street = city["street_crime"]
    assert (street.value, street.last_year, street.previous) == (4, 2, 1)
    assert street.yoy == 1.0 and street.pop == 3.0
    assert street.better is False  # street crime is to go down: up is worse
    assert city["public_order"].value == 1 and city["public_order"].yoy is None
    assert dict(street.months)["2026-10"] == 4 and dict(street.months)["2026-09"] == 1
    station_a = _reading(session, yardstick, a.station_code)["street_crime"]
    assert (station_a.value, station_a.last_year) == (3, 2)
    # At city level the units ranked are districts; each carries its own figure.
    assert sum(u["value"] for u in street.units) == 4


def test_kept_figures_equal_a_recount_of_the_rows(client, runtime, session, clock):
    _october(client, session, clock)
    figures_now(runtime, session)
    first, last = periods.month_span("2025-10")[0], periods.month_span("2026-10")[1]
    assert aggregates.verify(session, first, last) == []
    # A figure changed behind the events' back is found.
    row = session.scalars(select(DailyFigure).order_by(DailyFigure.day)).first()
    row.received += 1
    session.flush()
    differences = aggregates.verify(session, first, last)
    assert len(differences) == 1 and differences[0]["kept"]["received"] == row.received
    aggregates.rebuild(session, first, last)
    assert aggregates.verify(session, first, last) == []


def test_the_records_behind_a_figure_are_the_calls_counted(client, runtime, session, clock,
                                                            yardstick):
    a, _ = _october(client, session, clock)
    figures_now(runtime, session)
    admin = login_as(client, "admin").headers
    resp = client.get("/api/v1/kpi/records", headers=admin,
                      params={"indicator": "street_crime", "month": "2026-10"})
    assert resp.status_code == 200, resp.text
    page = resp.json()
    assert page["total"] == 4 and len(page["rows"]) == 4
    assert sorted(r["sub_code"] for r in page["rows"]) == ["1001", "1002", "1002", "1002"]
    one = client.get("/api/v1/kpi/records", headers=admin, params={
        "indicator": "street_crime", "month": "2026-10", "org": a.station_code}).json()
    assert one["total"] == 3


def test_a_station_officer_sees_only_their_station(client, runtime, session, clock):
    _october(client, session, clock)
    figures_now(runtime, session)
    chief = login_as(client, "chief")
    own = client.get("/api/v1/kpi", headers=chief.headers, params={"month": "2026-10"})
    assert own.status_code == 200
    street = next(i for i in own.json()["indicators"] if i["id"] == "street_crime")
    counted = client.get("/api/v1/kpi/records", headers=chief.headers,
                         params={"indicator": "street_crime", "month": "2026-10"}).json()
    assert street["value"] == counted["total"] <= 4


def test_bad_parameters_are_clear_422s(client):
    admin = login_as(client, "admin").headers
    for params, field in [({"month": "2026-13"}, "month"), ({"month": "10/2026"}, "month"),
                          ({"org": "nowhere"}, "org")]:
        resp = client.get("/api/v1/kpi", headers=admin, params=params)
        assert resp.status_code == 422, (params, resp.text)
        assert field in resp.text
    resp = client.get("/api/v1/kpi/records", headers=admin, params={"indicator": "homicide"})
    assert resp.status_code == 422 and "indicator" in resp.text
