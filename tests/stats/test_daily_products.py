"""Products of the day: the forecast and the tidal plan built once a day by their jobs, stored
per day and scope, served from the stored row; on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import threading
from contextlib import contextmanager
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import event, select

from tests.conftest import login_as
from yanyun.auth.service import Actor
from yanyun.core import products
from yanyun.core.clock import SHANGHAI, FrozenClock
from yanyun.core.products import DailyProduct
from yanyun.geo import service as geo_service
from yanyun.sim.history import ensure_history
from yanyun.stats import jobs as stats_jobs
from yanyun.stats import service
from yanyun.tidal import jobs as tidal_jobs
from yanyun.tidal import service as tidal_service

TODAY = date(2026, 11, 23)  # the clock stands at 2026-11-23 09:00 Shanghai


@pytest.fixture
def history(session, clock):
    added = ensure_history(session=session, clock=clock, seed=5, days=35, calls_per_day=40)
    session.commit()
    return added


def _rows(session, product: str) -> list[DailyProduct]:
    session.expire_all()
    return list(session.scalars(
        select(DailyProduct).where(DailyProduct.product == product)
        .order_by(DailyProduct.day, DailyProduct.scope, DailyProduct.key)
    ))


@contextmanager
def incident_reads(runtime):
    """Collect the SQL statements that touch the incident table while the block runs."""
    seen: list[str] = []

    def listen(conn, cursor, statement, params, context, executemany):
        if re.search(r"\bincident\b", statement):
            seen.append(statement)

    event.listen(runtime.engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(runtime.engine, "before_cursor_execute", listen)


def _actor(org_path: str) -> Actor:
    return Actor(user_id="x", username="x", roles=(), org_code="", org_path=org_path,
                 permissions=frozenset())


def test_the_job_builds_the_day_s_forecast_once_and_again_on_a_new_day(
    runtime, session, clock, history
):
    first = stats_jobs.daily_forecasts(runtime)
    # the city, and the station of the one user below it who may open the forecast (the chief)
    assert first.startswith("2 of 2")
    (city,) = stats_jobs.city_scopes(runtime)
    row, station = _rows(session, service.FORECAST_PRODUCT)
    assert (row.day, row.scope, row.key) == (TODAY, city, "")
    assert station.scope.startswith(city + "/") and station.key == ""
    assert row.payload["read"]["day"] == "2026-11-24"
    assert row.payload["read"]["incidents_used"] >= history - 5
    assert set(row.payload["shifts"]) == {"0", "1", "2"}
    # the served method's choice is stored with the product, and is the method served
    chosen = row.payload["read"]["selection"]
    assert chosen["method"] == row.payload["read"]["method"] and chosen["days"] == 28
    assert chosen["hit_rate"] >= chosen["baseline_hit_rate"]
    built_at = row.computed_at
    # The same day, nothing new: nothing is computed again.
    clock.advance(timedelta(minutes=30))
    assert stats_jobs.daily_forecasts(runtime).startswith("0 of 2")
    same, _ = _rows(session, service.FORECAST_PRODUCT)
    assert same.computed_at == built_at
    # A new day: a new product, made from the day that just ended too.
    clock.advance(timedelta(days=1))
    assert stats_jobs.daily_forecasts(runtime).startswith("2 of 2")
    rows = [r for r in _rows(session, service.FORECAST_PRODUCT) if r.scope == city]
    assert [r.day for r in rows] == [TODAY, TODAY + timedelta(days=1)]
    assert rows[1].payload["read"]["day"] == "2026-11-25"


def test_late_in_the_day_the_job_makes_tomorrow_s_forecasts_as_at_midnight(
    runtime, session, clock, history
):
    (city,) = stats_jobs.city_scopes(runtime)
    ahead = runtime.settings.stats.products_ahead_h
    # 09:00: only today's
    assert stats_jobs.daily_forecasts(runtime).startswith("2 of 2")
    # the day's last hours begin: tomorrow's too, for each scope
    clock.advance(timedelta(hours=24 - ahead - 9, minutes=1))
    assert stats_jobs.daily_forecasts(runtime).startswith("2 of 4")
    rows = [r for r in _rows(session, service.FORECAST_PRODUCT) if r.scope == city]
    assert [r.day for r in rows] == [TODAY, TODAY + timedelta(days=1)]
    tomorrow = rows[1]
    assert tomorrow.payload["read"]["day"] == "2026-11-25"
    # what was made ahead is what midnight would make (no incident came in since)
    at_midnight = service.build_forecast_product(
        session=session, actor=_actor(city),
        clock=FrozenClock(datetime(2026, 11, 24, 0, 0, tzinfo=SHANGHAI)),
        stats=runtime.settings.stats, category=None,
        grid_codes_of=service.grid_lookup(geo_service.city_index(runtime=runtime,
                                                                 session=session)),
    )
    assert tomorrow.payload["read"] == at_midnight.payload["read"]
    assert tomorrow.mark == at_midnight.mark
    # after midnight the job finds them made: nothing is computed again
    clock.advance(timedelta(hours=ahead))
    assert stats_jobs.daily_forecasts(runtime).startswith("0 of 2")


def test_the_job_makes_it_again_when_enough_incidents_came_in(runtime, session, clock, history):
    stats_jobs.daily_forecasts(runtime)
    row = _rows(session, service.FORECAST_PRODUCT)[0]
    built_at, mark = row.computed_at, row.mark
    enough = runtime.settings.stats.products_refresh_incidents

    def as_if_made_from(count: int) -> None:  # as if incidents had come in since it was made
        session.execute(DailyProduct.__table__.update().where(DailyProduct.id == row.id)
                        .values(mark=count))
        session.commit()

    as_if_made_from(mark - (enough - 1))
    clock.advance(timedelta(minutes=10))
    assert stats_jobs.daily_forecasts(runtime).startswith("0 of 2")  # too few to matter
    as_if_made_from(mark - enough)
    clock.advance(timedelta(minutes=10))
    assert stats_jobs.daily_forecasts(runtime).startswith("1 of 2")
    again = _rows(session, service.FORECAST_PRODUCT)[0]
    assert again.computed_at > built_at and again.mark == mark


def test_the_forecast_route_answers_from_the_stored_product_without_reading_incidents(
    runtime, client, session, clock, history
):
    stats_jobs.daily_forecasts(runtime)
    row = _rows(session, service.FORECAST_PRODUCT)[0]  # the city's
    admin = login_as(client, "admin")
    with incident_reads(runtime) as seen:
        resp = client.get("/api/v1/forecast/next-day", headers=admin.headers)
    assert resp.status_code == 200, resp.text
    assert seen == []
    body = resp.json()
    assert body["computed_at"] is not None
    # What is served is what the forecast computed directly from the incidents is.
    direct = service.next_day_forecast(
        session=session, actor=_actor(row.scope), clock=clock, stats=runtime.settings.stats,
        grid_codes_of=service.grid_lookup(geo_service.city_index(runtime=runtime,
                                                                 session=session)),
    ).read.model_dump(mode="json", exclude={"computed_at"})
    assert {k: v for k, v in body.items() if k != "computed_at"} == direct
    # At 09:00 the next shift is tonight's; after 20:00 it is tomorrow's day shift, from the
    # same stored product.
    assert body["next_shift"]["name"] == "night"
    clock.advance(timedelta(hours=12))
    admin = login_as(client, "admin")  # the morning's token has expired
    with incident_reads(runtime) as seen:
        late = client.get("/api/v1/forecast/next-day", headers=admin.headers).json()
    assert seen == [] and late["next_shift"]["name"] == "day"
    assert late["next_shift"]["starts_at"].startswith("2026-11-24T08:00:00")
    assert len(_rows(session, service.FORECAST_PRODUCT)) == 2  # the city's, the chief's
    # The job makes it again (enough came in): the answer is the new one, not a kept copy.
    session.execute(DailyProduct.__table__.update().values(mark=-1000))
    session.commit()
    clock.advance(timedelta(minutes=10))
    stats_jobs.daily_forecasts(runtime)
    newer = client.get("/api/v1/forecast/next-day", headers=admin.headers).json()
    assert newer["computed_at"] > late["computed_at"]


def test_a_station_chief_gets_a_product_of_the_station_only(runtime, client, session, history):
    admin = login_as(client, "admin")
    city = client.get("/api/v1/forecast/next-day", headers=admin.headers).json()
    chief = login_as(client, "chief")
    with incident_reads(runtime) as seen:  # none stored for the station yet: computed now
        mine = client.get("/api/v1/forecast/next-day", headers=chief.headers).json()
    assert seen
    with incident_reads(runtime) as seen:  # and then read back
        again = client.get("/api/v1/forecast/next-day", headers=chief.headers).json()
    assert seen == [] and again == mine
    assert 0 < mine["incidents_used"] < city["incidents_used"]
    rows = _rows(session, service.FORECAST_PRODUCT)
    (city_scope,) = stats_jobs.city_scopes(runtime)
    assert len(rows) == 2
    (station,) = [r for r in rows if r.scope != city_scope]
    assert station.scope.startswith(city_scope + "/")
    assert station.payload["read"]["incidents_used"] == mine["incidents_used"]
    # The chief's stored product is the forecast over the chief's own scope.
    direct = service.next_day_forecast(
        session=session, actor=_actor(station.scope), clock=runtime.clock,
        stats=runtime.settings.stats,
    ).read
    assert direct.incidents_used == mine["incidents_used"]
    assert direct.score.incidents == mine["score"]["incidents"]
    # On the next day the job has made both before anyone asks.
    runtime.clock.advance(timedelta(days=1))
    assert stats_jobs.daily_forecasts(runtime).startswith("2 of 2")
    chief = login_as(client, "chief")
    with incident_reads(runtime) as seen:
        next_day = client.get("/api/v1/forecast/next-day", headers=chief.headers).json()
    assert seen == [] and next_day["day"] > mine["day"]


def test_the_tidal_job_makes_today_s_and_tomorrow_s_plans_and_the_route_reads_them(
    runtime, client, session, clock, history
):
    # the city, and the station of the users below it who may open the page (chief, officer)
    assert tidal_jobs.daily_plans(runtime).startswith("4 of 4")
    rows = _rows(session, tidal_service.PLAN_PRODUCT)
    (city,) = stats_jobs.city_scopes(runtime)
    (station,) = {r.scope for r in rows} - {city}
    assert station.startswith(city + "/")
    assert [(r.day, r.scope, r.key) for r in rows] == [
        (day, scope, "forecast") for day in (TODAY, TODAY + timedelta(days=1))
        for scope in (city, station)
    ]
    assert tidal_jobs.daily_plans(runtime).startswith("0 of 4")  # nothing moved
    duty = login_as(client, "duty")
    with incident_reads(runtime) as seen:
        resp = client.get("/api/v1/duty/tidal?day=2026-11-24&hour=20", headers=duty.headers)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    # the duty manager sees the city: the plan the job made answers, no incident is read
    assert body["computed_at"] is not None and seen == []
    assert body["hours"] == rows[2].payload["shares"]
    # A station officer gets the plan over the station the job made under the station's scope.
    officer = login_as(client, "officer")
    with incident_reads(runtime) as seen:
        mine = client.get("/api/v1/duty/tidal?day=2026-11-24&hour=20", headers=officer.headers)
    assert mine.status_code == 200 and seen == []
    assert mine.json()["hours"] == rows[3].payload["shares"]
    assert mine.json()["hours"][20]["demand"] < body["hours"][20]["demand"]
    assert len(_rows(session, tidal_service.PLAN_PRODUCT)) == 4


def test_a_missing_product_is_computed_once_by_concurrent_requests(monkeypatch):
    stored: dict = {}
    calls = []
    start = threading.Barrier(4)

    def read(runtime, product, day, scope, key):
        return stored.get((product, day, scope, key))

    def store(runtime, product, day, scope, key, built):
        stored[(product, day, scope, key)] = products.Stored(built.payload, None, built.mark)
        return stored[(product, day, scope, key)]

    def build():
        calls.append(1)
        return products.Built({"n": len(calls)}, 7)

    monkeypatch.setattr(products, "read", read)
    monkeypatch.setattr(products, "store", store)
    guard, got = products.Guard(), []

    def ask():
        start.wait()
        got.append(products.get_or_build(None, guard, "p", TODAY, "", "", build).payload)

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == [1] and got == [{"n": 1}] * 4


def test_a_category_without_incidents_is_answered_empty_and_not_stored(client, session, history):
    analyst = login_as(client, "analyst")
    resp = client.get("/api/v1/forecast/next-day?category=99", headers=analyst.headers)
    assert resp.status_code == 200 and resp.json()["incidents_used"] == 0
    assert _rows(session, service.FORECAST_PRODUCT) == []
    stored = client.get("/api/v1/forecast/next-day?category=10", headers=analyst.headers)
    assert stored.status_code == 200 and stored.json()["incidents_used"] > 0
    assert [r.key for r in _rows(session, service.FORECAST_PRODUCT)] == ["10"]
