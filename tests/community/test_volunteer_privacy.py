"""Volunteers are registered where the registrar works, and where they live stays with those who
call them out (an outside audit found both open)."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import login_as
from yanyun.geo.models import Grid


def _grid_of(session, station: str, *, same: bool) -> Grid:
    column = Grid.station_code
    where = column == station if same else column != station
    return session.scalars(select(Grid).where(where).order_by(Grid.code)).first()


def test_a_station_registers_volunteers_in_its_own_area_only(client, session):
    officer = login_as(client, "officer")
    station = client.get("/api/v1/auth/me", headers=officer.headers).json()["user"]["org_code"]
    mine, other = _grid_of(session, station, same=True), _grid_of(session, station, same=False)
    ok = client.post("/api/v1/community/volunteers", headers=officer.headers,
                     json={"name_zh": "本所志愿者", "lng": mine.lng, "lat": mine.lat})
    assert ok.status_code == 201, ok.text
    assert ok.json()["station_code"] == station
    refused = client.post("/api/v1/community/volunteers", headers=officer.headers,
                          json={"name_zh": "外所志愿者", "lng": other.lng, "lat": other.lat})
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["field"] == "lng"


def test_home_points_only_for_those_who_call_volunteers_out(client, session):
    duty = login_as(client, "duty")
    grid = session.scalars(select(Grid).order_by(Grid.code)).first()
    made = client.post("/api/v1/community/volunteers", headers=duty.headers,
                       json={"name_zh": "住址保密", "lng": grid.lng, "lat": grid.lat})
    assert made.status_code == 201, made.text
    assert made.json()["lng"] == grid.lng
    for username, sees_home in (("dispatcher", True), ("opinion", False), ("analyst", False),
                                ("supervisor", False)):
        login = login_as(client, username)
        page = client.get("/api/v1/community/volunteers", headers=login.headers,
                          params={"station_code": made.json()["station_code"], "limit": 500})
        assert page.status_code == 200, page.text
        row = next(v for v in page.json()["items"] if v["id"] == made.json()["id"])
        assert (row["lng"] is not None) is sees_home, username
