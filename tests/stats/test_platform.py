"""The platform's forecast API: next-day hotspots from command's incidents, the live score,
GeoJSON for QGIS and the printable report, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tests.conftest import login_as
from yanyun.sim.history import ensure_history


@pytest.fixture
def history(session, clock):
    added = ensure_history(session=session, clock=clock, seed=5, days=35, calls_per_day=40)
    session.commit()
    assert added > 900
    assert ensure_history(session=session, clock=clock, seed=5) == 0  # only once
    return added


def test_next_day_forecast_carries_hotspots_grids_and_its_live_score(client, history):
    admin = login_as(client, "admin")
    resp = client.get("/api/v1/forecast/next-day", headers=admin.headers)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["day"] == "2026-11-24"  # the clock stands at 2026-11-23 09:00 Shanghai
    assert body["cell_m"] == 150
    # the served method is the one chosen by the scope's own backtest, never below a count
    sel = body["selection"]
    assert body["method"] == sel["method"] and sel["days"] == 28 and sel["incidents"] > 0
    labels = {s["label"]: s for s in sel["scores"]}
    assert {"counts-28d", "counts-91d", "counts-365d", "retro", "prospective"} <= set(labels)
    assert labels[sel["label"]]["hit_rate"] == sel["hit_rate"] >= sel["baseline_hit_rate"]
    assert sel["baseline"].startswith("counts-")
    assert sel["baseline_hit_rate"] == labels[sel["baseline"]]["hit_rate"]
    assert body["incidents_used"] >= history - 5
    feats = body["hotspots"]["features"]
    assert len(feats) == body["hotspot_cells"] > 0
    assert [f["properties"]["rank"] for f in feats] == list(range(1, len(feats) + 1))
    ring = feats[0]["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1] and 112 < ring[0][0] < 114 and 26 < ring[0][1] < 28
    score = body["score"]
    assert score["yesterday"] == "2026-11-22" and score["days"] == 30
    assert score["yesterday_incidents"] > 0
    # the history has hotspot grids: flagging 5 % of the cells catches far more than 5 %
    assert score["hit_rate"] > 0.15 and score["pai"] > 3
    assert score["hit_rate_low"] <= score["hit_rate"] <= score["hit_rate_high"]
    assert body["grids"] and body["grids"][0]["rank"] == 1


def test_hotspots_export_as_geojson_and_a_report(client, history):
    analyst = login_as(client, "analyst")
    resp = client.get("/api/v1/forecast/hotspots.geojson", headers=analyst.headers)
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("application/geo+json")
    assert "attachment" in resp.headers["content-disposition"]
    assert resp.json()["type"] == "FeatureCollection" and resp.json()["features"]
    report = client.get("/api/v1/forecast/report", headers=analyst.headers)
    assert report.status_code == 200 and "昨日命中率" in report.text and "PAI" in report.text
    assert "采用方法 served method:" in report.text


def test_forecast_of_a_category_without_incidents_is_empty_not_an_error(client, history):
    admin = login_as(client, "admin")
    resp = client.get("/api/v1/forecast/next-day?category=99", headers=admin.headers)
    assert resp.status_code == 200
    assert resp.json()["incidents_used"] == 0 and resp.json()["hotspots"]["features"] == []
    bad = client.get("/api/v1/forecast/next-day?category=123456789", headers=admin.headers)
    assert bad.status_code == 422


def test_forecast_needs_a_login(client):
    assert client.get("/api/v1/forecast/next-day").status_code == 401


def test_next_shift_is_tonight_weighted_by_each_place_hours(client, history):
    analyst = login_as(client, "analyst")
    body = client.get("/api/v1/forecast/next-day", headers=analyst.headers).json()
    shift = body["next_shift"]
    # At 09:00 the next shift to plan is tonight's, 20:00 to 08:00.
    assert shift["name"] == "night"
    assert shift["starts_at"].startswith("2026-11-23T20:00:00")
    assert shift["ends_at"].startswith("2026-11-24T08:00:00")
    assert 0 < shift["city_share"] < 1
    shares = [g["risk_share"] for g in shift["grids"]]
    assert shares == sorted(shares, reverse=True) and 0 < sum(shares) <= 1.0 + 1e-6


def test_live_score_is_kept_for_the_day_per_scope_and_rebuilt_when_the_day_turns(
    client, history, session, clock
):
    from datetime import datetime, timedelta

    from sqlalchemy import select, update

    from yanyun.auth.service import Actor
    from yanyun.command.models import Incident
    from yanyun.core.clock import SHANGHAI
    from yanyun.stats import service

    admin = login_as(client, "admin")
    first = client.get("/api/v1/forecast/next-day", headers=admin.headers).json()["score"]
    # Yesterday's incidents merged away after the score was made: the day's score stands,
    # it reads only days that are over and is kept until the day turns.
    midnight = datetime(2026, 11, 23, tzinfo=SHANGHAI)
    keep = session.scalar(select(Incident.id).order_by(Incident.received_at).limit(1))
    merged = session.execute(
        update(Incident)
        .where(Incident.received_at >= midnight - timedelta(days=1))
        .where(Incident.received_at < midnight, Incident.id != keep)
        .values(merged_into_id=keep)
    ).rowcount
    session.commit()
    assert merged > 0
    again = client.get("/api/v1/forecast/next-day", headers=admin.headers).json()["score"]
    assert again == first
    # Another scope is scored on its own incidents, not handed the city's score.
    chief = login_as(client, "chief")
    own = client.get("/api/v1/forecast/next-day", headers=chief.headers).json()["score"]
    assert own["incidents"] < first["incidents"]
    # The next day everything is scored afresh, the merge included.
    clock.advance(timedelta(days=1))
    admin = login_as(client, "admin")  # yesterday's token has expired
    turned = client.get("/api/v1/forecast/next-day", headers=admin.headers).json()["score"]
    assert turned["yesterday"] == "2026-11-23"
    actor = Actor(
        user_id="x", username="x", roles=("admin",), org_code="", org_path="",
        permissions=frozenset(),
    )
    fresh = service.next_day_forecast(
        session=session, actor=actor, clock=clock, stats=client.app.state.runtime.settings.stats,
    ).read.score
    assert turned == fresh.model_dump(mode="json")
    assert turned["incidents"] < first["incidents"]


def test_score_cache_builds_once_per_day_and_key_and_stays_bounded():
    from datetime import date

    from yanyun.stats.service import ScoreCache

    cache = ScoreCache(max_entries=2)
    built: list[str] = []

    def build(name):
        def make():
            built.append(name)
            return name
        return make

    day, next_day = date(2026, 11, 23), date(2026, 11, 24)
    assert cache.get(day, "city", build("a")) == "a"
    assert cache.get(day, "city", build("b")) == "a"  # kept for the day
    cache.get(day, "station", build("c"))
    cache.get(day, "district", build("d"))  # the oldest entry goes
    assert cache.get(day, "city", build("e")) == "e"
    assert cache.get(next_day, "city", build("f")) == "f"  # the day turned: all rebuilt
    assert built == ["a", "c", "d", "e", "f"]
