"""Trends by fraud type and district against the period before (bounded, scoped), and
publicity events (反诈宣传) recorded and counted per station and month."""

from __future__ import annotations

from datetime import timedelta

from tests.antifraud.helpers import row
from tests.antifraud.test_work import _grid_of, _push, _station
from tests.conftest import START, login_as

TRENDS = "/api/v1/antifraud/trends"
PUBLICITY = "/api/v1/antifraud/publicity"


def _at(days: int, hours: int = 0) -> str:
    return (START + timedelta(days=days, hours=hours)).isoformat()


def _seed(client, session, settings, station: str) -> None:
    mine, other = _grid_of(session, station), _grid_of(session, station, other=True)
    rows = [
        # This week (Monday 23 Nov): three of ours, one elsewhere.
        row(mine, "T1", received_at=_at(0, -1), fraud_type="刷单返利"),
        row(mine, "T2", received_at=_at(0, -2), fraud_type="刷单返利", victim_phone="13900000002"),
        row(mine, "T3", received_at=_at(0, -3), victim_phone="13900000003"),
        row(other, "T4", received_at=_at(0, -4), victim_phone="13900000004"),
        # Last week: one of ours.
        row(mine, "P1", received_at=_at(-3), fraud_type="刷单返利", victim_phone="13900000005"),
    ]
    _push(client, settings, rows)


def test_trends_by_type_and_district_against_the_week_before(client, session, settings):
    officer = login_as(client, "officer")
    station = _station(client, officer)
    _seed(client, session, settings, station)
    admin = login_as(client, "admin")
    city = client.get(TRENDS, headers=admin.headers, params={"period": "week"}).json()
    assert (city["start"], city["end"]) == ("2026-11-23", "2026-11-29")
    assert city["previous_start"] == "2026-11-16"
    assert (city["total"], city["previous_total"]) == (4, 1)
    types = {r["code"]: r for r in city["by_type"]}
    assert types["brushing"]["count"] == 2 and types["brushing"]["previous"] == 1
    assert types["brushing"]["change"] == 1 and types["brushing"]["change_pct"] == 100.0
    assert types["brushing"]["zh"] == "刷单返利"
    assert types["police"]["count"] == 2 and types["police"]["change_pct"] is None
    assert sum(r["count"] for r in city["by_district"]) == 4
    assert all(r["zh"] and r["zh"] != r["code"] for r in city["by_district"])
    # The station officer sees their station only.
    own = client.get(TRENDS, headers=officer.headers, params={"period": "week"}).json()
    assert (own["total"], own["previous_total"]) == (3, 1)
    day = client.get(TRENDS, headers=officer.headers, params={"period": "day"}).json()
    assert day["total"] == 3 and day["start"] == day["end"] == "2026-11-23"
    month = client.get(TRENDS, headers=admin.headers, params={"period": "month"}).json()
    assert (month["start"], month["previous_start"], month["total"]) == ("2026-11-01",
                                                                        "2026-10-01", 5)


def test_trends_are_bounded(client):
    admin = login_as(client, "admin")
    for params, field in (({"period": "year"}, "period"), ({"on": "2026-11-24"}, "on"),
                          ({"on": "2025-01-01"}, "on"), ({"on": "soon"}, "on")):
        resp = client.get(TRENDS, headers=admin.headers, params=params)
        assert resp.status_code == 422, (params, resp.text)
        assert field in resp.text
    assert client.get(TRENDS, headers=login_as(client, "opinion").headers).status_code == 403


def test_publicity_is_recorded_in_scope_and_counted_per_station_and_month(client, session,
                                                                         settings):
    officer = login_as(client, "officer")
    station = _station(client, officer)
    other = _grid_of(session, station, other=True).station_code
    body = {"station_code": station, "held_on": "2026-11-20", "place": "向阳社区广场",
            "audience": 120, "fraud_types": ["刷单返利", "police"], "note": "发放宣传册"}
    made = client.post(PUBLICITY, headers=officer.headers, json=body)
    assert made.status_code == 422 and made.json()["error"]["field"] == "fraud_types"
    made = client.post(PUBLICITY, headers=officer.headers,
                       json={**body, "fraud_types": ["brushing", "police"]})
    assert made.status_code == 201, made.text
    assert made.json()["recorded_by"] == "officer"
    client.post(PUBLICITY, headers=officer.headers,
                json={**body, "held_on": "2026-10-30", "audience": 40, "fraud_types": []})
    for bad, field in (({"station_code": other}, "station_code"),
                       ({"held_on": "2026-11-24"}, "held_on"), ({"audience": -1}, "audience"),
                       ({"place": ""}, "place")):
        resp = client.post(PUBLICITY, headers=officer.headers, json={**body, **bad})
        assert resp.status_code == 422 and field in resp.text, (bad, resp.text)
    listed = client.get(PUBLICITY, headers=officer.headers, params={"months": 2}).json()
    assert [e["place"] for e in listed["events"]] == ["向阳社区广场", "向阳社区广场"]
    assert [(c["month"], c["events"], c["audience"]) for c in listed["per_station_month"]] == [
        ("2026-10", 1, 40), ("2026-11", 1, 120)]
    assert client.get(PUBLICITY, headers=officer.headers,
                      params={"months": 1}).json()["per_station_month"][0]["audience"] == 120
    assert client.get(PUBLICITY, headers=officer.headers,
                      params={"months": 13}).status_code == 422
    # Supervisors read; they record no activity.
    supervisor = login_as(client, "supervisor")
    assert client.post(PUBLICITY, headers=supervisor.headers, json=body).status_code == 403
    assert len(client.get(PUBLICITY, headers=supervisor.headers).json()["events"]) == 2
