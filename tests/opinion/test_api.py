"""Opinion routes: reading events needs the opinion permission."""

from __future__ import annotations

from tests.conftest import login_as


def test_reading_events_needs_opinion_permission(client) -> None:
    station = login_as(client, "officer")
    r = client.get("/api/v1/opinion/events", headers=station.headers)
    assert r.status_code == 403
    assert client.get("/api/v1/opinion/events").status_code == 401
