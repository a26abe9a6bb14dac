"""The community summary over HTTP: a station officer's figures are their station's."""

from __future__ import annotations

from tests.community.helpers import SMALL, build_small
from tests.conftest import login_as


def test_station_officer_sees_only_their_station(client, session, clock) -> None:
    build_small(session, clock)
    session.commit()
    admin = login_as(client, "admin").headers
    officer = login_as(client, "officer").headers
    everyone = client.get("/api/v1/community/volunteers?limit=500", headers=admin).json()
    mine = client.get("/api/v1/community/volunteers?limit=500", headers=officer).json()
    assert everyone["total"] == SMALL.volunteers
    assert 0 < mine["total"] < everyone["total"]
    assert len({v["station_code"] for v in mine["items"]}) == 1
    summary = client.get("/api/v1/community/summary", headers=officer).json()
    assert summary["volunteers"] == mine["total"]
