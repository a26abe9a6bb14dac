"""Holes an outside audit found in command's scoping, each proved closed.

A station's users act on their station only (positions, duplicates), and the
caller's full number goes to those who call back, nobody else.
"""

from __future__ import annotations

from sqlalchemy import select

from tests.command.helpers import create_incident
from tests.conftest import login_as
from yanyun.command.models import Unit
from yanyun.geo.models import Grid


def _station_of(client, login) -> str:
    return client.get("/api/v1/auth/me", headers=login.headers).json()["user"]["org_code"]


def test_a_station_cannot_move_another_stations_unit(client, session, clock):
    officer = login_as(client, "officer")
    station = _station_of(client, officer)
    own = session.scalars(select(Unit).where(Unit.station_code == station)).first()
    foreign = session.scalars(select(Unit).where(Unit.station_code != station)).first()
    foreign_before = (foreign.lng, foreign.lat)
    now = clock.advance(10).isoformat()
    batch = {"positions": [
        {"unit_id": own.id, "lng": 112.61, "lat": 26.91, "at": now},
        {"unit_id": foreign.id, "lng": 113.2, "lat": 27.3, "at": now},
    ]}
    resp = client.post("/api/v1/units/positions", headers=officer.headers, json=batch)
    assert resp.status_code == 200, resp.text
    result = resp.json()
    assert result["accepted"] == 1
    # Refused as unknown: another station's ids are not confirmed to exist.
    assert [(r["index"], r["reason_en"]) for r in result["rejected"]] == [(1, "unknown unit")]
    dispatcher = login_as(client, "dispatcher")
    units = {u["id"]: u for u in client.get(
        "/api/v1/units", headers=dispatcher.headers, params={"limit": 5000}).json()}
    assert (units[foreign.id]["lng"], units[foreign.id]["lat"]) == foreign_before
    assert (units[own.id]["lng"], units[own.id]["lat"]) == (112.61, 26.91)


def _station_at(client, headers, lng: float, lat: float) -> str:
    place = client.get("/api/v1/geo/resolve", headers=headers,
                       params={"lng": lng, "lat": lat}).json()
    return place["station"]["code"]


def _across_a_boundary(client, headers, a: Grid, b: Grid) -> tuple[tuple, tuple]:
    """Two points a few metres apart on either side of the line between a's and b's stations."""
    lo, hi = 0.0, 1.0
    for _ in range(30):
        mid = (lo + hi) / 2
        at = (a.lng + (b.lng - a.lng) * mid, a.lat + (b.lat - a.lat) * mid)
        if _station_at(client, headers, *at) == a.station_code:
            lo = mid
        else:
            hi = mid
    def point(t: float) -> tuple[float, float]:
        return (a.lng + (b.lng - a.lng) * t, a.lat + (b.lat - a.lat) * t)
    return point(lo), point(hi)


def test_duplicates_name_only_incidents_the_reader_may_open(client, session):
    dispatcher = login_as(client, "dispatcher")
    officer = login_as(client, "officer")
    station = _station_of(client, officer)
    mine = session.scalars(select(Grid).where(Grid.station_code == station)).first()
    others = session.scalars(select(Grid).where(Grid.station_code != station)).all()
    near = min(others, key=lambda g: (g.lng - mine.lng) ** 2 + (g.lat - mine.lat) ** 2)
    inside, outside = _across_a_boundary(client, dispatcher.headers, mine, near)
    # The same event reported twice, once either side of the stations' boundary.
    own = create_incident(client, dispatcher.headers, mine, lng=inside[0], lat=inside[1])
    foreign = create_incident(client, dispatcher.headers, mine, lng=outside[0], lat=outside[1])
    assert own["station_code"] == station and foreign["station_code"] != station

    def offered(login) -> set[str]:
        resp = client.get(f"/api/v1/incidents/{own['id']}/duplicates", headers=login.headers)
        assert resp.status_code == 200, resp.text
        return {d["incident_id"] for d in resp.json()}

    assert foreign["id"] in offered(dispatcher)
    assert foreign["id"] not in offered(officer)


def test_the_full_caller_number_only_for_those_who_call_back(client, session):
    dispatcher = login_as(client, "dispatcher")
    grid = session.scalars(select(Grid).order_by(Grid.code)).first()
    inc = create_incident(client, dispatcher.headers, grid, caller_phone="13807349876")
    shown = {}
    for username in ("dispatcher", "admin", "opinion", "analyst", "supervisor", "duty"):
        login = login_as(client, username)
        detail = client.get(f"/api/v1/incidents/{inc['id']}", headers=login.headers)
        assert detail.status_code == 200, (username, detail.text)
        shown[username] = detail.json()["caller_phone"]
    assert shown["dispatcher"] == shown["admin"] == "13807349876"
    for username in ("opinion", "analyst", "supervisor", "duty"):
        assert shown[username] != "13807349876" and "9876" in shown[username], username
    supervisor = login_as(client, "supervisor")
    trail = client.get("/api/v1/audit", headers=supervisor.headers,
                       params={"action": "read_personal", "case_number": inc["number"]}).json()
    # Only the reads that showed the number are personal reads.
    assert sorted(e["username"] for e in trail) == ["admin", "dispatcher"]
