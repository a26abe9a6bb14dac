"""The tidal deployment JSON twin: a day's plan over the caller's scope, bad input, adoption;
on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import login_as
from yanyun.core.audit import AuditEntry
from yanyun.core.events import OutboxEvent
from yanyun.sim.history import ensure_history
from yanyun.tidal.models import TidalPlan

TOMORROW = "2026-11-24"  # the clock stands at 2026-11-23 09:00 Shanghai


@pytest.fixture
def history(session, clock):
    added = ensure_history(session=session, clock=clock, seed=5, days=35, calls_per_day=60)
    session.commit()
    return added


def test_plan_of_an_hour_stands_units_where_more_incidents_are_reached(client, history):
    duty = login_as(client, "duty")
    resp = client.get(f"/api/v1/duty/tidal?day={TOMORROW}&hour=20", headers=duty.headers)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["day"] == TOMORROW and body["hour"] == 20
    assert body["demand"] == "forecast" and body["source"] == "computed"
    assert body["method"] == "retro" and body["incidents_used"] >= history - 5
    assert body["units"] and all(u["unit_id"].startswith("QR") for u in body["units"])
    assert any(u["moves"] for u in body["units"])
    assert [h["hour"] for h in body["hours"]] == list(range(24))
    assert body["day_recommended"] > body["day_current"]
    # The demand is the day's expected incidents spread over the hours: evenings are busier.
    assert body["hours"][20]["demand"] > body["hours"][4]["demand"]
    assert body["grids"] and all(g["demand"] > 0 for g in body["grids"])
    assert body["adopted"] is None
    history_plan = client.get(
        f"/api/v1/duty/tidal?day={TOMORROW}&hour=20&demand=history", headers=duty.headers
    ).json()
    assert history_plan["demand"] == "history" and history_plan["method"] == "counts"
    assert history_plan["hours"] != body["hours"]
    other_hour = client.get(f"/api/v1/duty/tidal?day={TOMORROW}&hour=4", headers=duty.headers)
    assert other_hour.json()["hours"] == body["hours"]  # the same day's plan, another hour
    assert other_hour.json()["grids"] != body["grids"]


def test_a_station_officer_sees_only_the_units_and_grids_of_the_station(client, history):
    city = client.get(
        f"/api/v1/duty/tidal?day={TOMORROW}&hour=10", headers=login_as(client, "duty").headers
    ).json()
    officer = login_as(client, "officer")
    resp = client.get(f"/api/v1/duty/tidal?day={TOMORROW}&hour=10", headers=officer.headers)
    assert resp.status_code == 200, resp.text
    mine = resp.json()
    city_units = {u["unit_id"] for u in city["units"]}
    assert {u["unit_id"] for u in mine["units"]} <= city_units
    assert len(mine["units"]) < len(city_units)
    assert {g["grid_code"] for g in mine["grids"]} < {g["grid_code"] for g in city["grids"]}
    assert mine["hours"][10]["demand"] < city["hours"][10]["demand"]
    refused = client.post(
        "/api/v1/duty/tidal/adopt", json={"day": TOMORROW}, headers=officer.headers
    )
    assert refused.status_code == 403


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("hour=24", "hour"),
        ("hour=-1", "hour"),
        ("hour=eight", "hour"),
        ("day=2026-11-26", "day"),
        ("day=2026-08-01", "day"),
        ("day=2026-13-01", "day"),
        ("demand=guess", "demand"),
    ],
)
def test_a_bad_day_or_hour_is_refused_in_chinese_and_english(client, query, field):
    duty = login_as(client, "duty")
    resp = client.get(f"/api/v1/duty/tidal?{query}", headers=duty.headers)
    assert resp.status_code == 422, resp.text
    error = resp.json()["error"]
    assert error["field"] == field
    assert error["message"]["zh-CN"] and error["message"]["en"]
    assert error["message"]["zh-CN"] != error["message"]["en"]


def test_the_day_past_the_forecast_says_why_in_both_languages(client):
    duty = login_as(client, "duty")
    error = client.get("/api/v1/duty/tidal?day=2026-11-26", headers=duty.headers).json()["error"]
    assert "明日" in error["message"]["zh-CN"] and "tomorrow" in error["message"]["en"]


def test_adopting_a_plan_stores_audits_and_announces_it(client, session, history):
    duty = login_as(client, "duty")
    resp = client.post(
        "/api/v1/duty/tidal/adopt", json={"day": TOMORROW, "demand": "forecast"},
        headers=duty.headers,
    )
    assert resp.status_code == 201, resp.text
    adopted = resp.json()
    assert adopted["demand"] == "forecast" and adopted["adopted_by_name"]
    assert adopted["share_recommended"] > adopted["share_current"]
    shown = client.get(f"/api/v1/duty/tidal?day={TOMORROW}&hour=9", headers=duty.headers).json()
    assert shown["source"] == "adopted" and shown["adopted"]["id"] == adopted["id"]
    assert shown["day_recommended"] == pytest.approx(adopted["share_recommended"], abs=1e-3)
    row = session.get(TidalPlan, adopted["id"])
    assert row is not None and len(row.stands) == 24 * len(shown["units"])
    event = session.scalars(
        select(OutboxEvent).where(OutboxEvent.kind == "duty.tidal_plan_adopted")
    ).one()
    assert event.resource_id == adopted["id"] and event.payload["day"] == TOMORROW
    audit = session.scalars(
        select(AuditEntry).where(
            AuditEntry.resource_type == "duty_tidal_plan", AuditEntry.resource_id == adopted["id"]
        )
    ).all()
    assert audit and audit[0].username == "duty"
    # Adopting again (from history counts) supersedes the first plan.
    again = client.post(
        "/api/v1/duty/tidal/adopt", json={"day": TOMORROW, "demand": "history"},
        headers=duty.headers,
    ).json()
    session.expire_all()
    assert session.get(TidalPlan, adopted["id"]).superseded_at is not None
    shown = client.get(f"/api/v1/duty/tidal?day={TOMORROW}&hour=9", headers=duty.headers).json()
    assert shown["adopted"]["id"] == again["id"] and shown["demand"] == "history"
    bad = client.post(
        "/api/v1/duty/tidal/adopt", json={"day": "2026-12-24"}, headers=duty.headers
    )
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "day"
