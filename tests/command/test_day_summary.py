"""The commander's wall data: one compact row per incident, last week, units by status."""

from datetime import timedelta

from sqlalchemy import select

from tests.command.helpers import available_units, create_incident, grid_point
from tests.conftest import login_as
from yanyun.core.events import OutboxEvent


def _dispatch(client, headers, incident_id, unit_id):
    resp = client.post(
        f"/api/v1/incidents/{incident_id}/dispatch", headers=headers, json={"unit_ids": [unit_id]}
    )
    assert resp.status_code == 200, resp.text


def test_day_rows_carry_the_clock_and_last_week_is_by_hour(client, session, clock):
    dispatcher = login_as(client, "dispatcher")
    grid = grid_point(session)
    clock.advance(timedelta(hours=2))  # 11:00, a week before the day on the wall
    create_incident(client, dispatcher.headers, grid)
    create_incident(client, dispatcher.headers, grid, category_code="20", sub_code=None)
    clock.advance(timedelta(days=7, hours=-2))  # 09:00 on 2026-11-30
    dispatcher = login_as(client, "dispatcher")
    late = create_incident(client, dispatcher.headers, grid)
    quick = create_incident(client, dispatcher.headers, grid)
    [unit_a, unit_b] = available_units(session, kind="patrol_car", limit=2)
    clock.advance(30)
    _dispatch(client, dispatcher.headers, quick["id"], unit_a.id)
    clock.advance(60)
    _dispatch(client, dispatcher.headers, late["id"], unit_b.id)

    resp = client.get("/api/v1/dashboard/day", headers=dispatcher.headers)
    assert resp.status_code == 200, resp.text
    day = resp.json()
    assert day["day"] == "2026-11-30" and day["is_today"]
    rows = {r["id"]: r for r in day["incidents"]}
    # Last week's two are still open, so they are on the wall too, marked not today.
    assert {i for i, r in rows.items() if r["today"]} == {late["id"], quick["id"]}
    assert len(rows) == 4
    assert rows[quick["id"]]["dispatch_s"] == 30.0 and not rows[quick["id"]]["dispatch_breached"]
    assert rows[late["id"]]["dispatch_s"] == 90.0 and rows[late["id"]]["dispatch_breached"]
    assert rows[late["id"]]["hour"] == 9 and rows[late["id"]]["today"]
    assert day["week_ago"]["day"] == "2026-11-23"
    assert day["week_ago"]["total"] == 2 and day["week_ago"]["by_hour"][11] == 2
    assert day["week_ago"]["by_category"] == {"10": 1, "20": 1}
    assert day["week_ago"]["by_category_hour"]["20"][11] == 1
    assert sum(day["week_ago"]["by_category_hour"]["10"]) == 1
    assert day["unit_status"][unit_a.id] == "dispatched"
    assert sum(1 for s in day["unit_status"].values() if s == "available") >= 1
    assert {c["code"] for c in day["categories"]} >= {"10", "20"}


def test_open_incidents_from_yesterday_stay_on_todays_wall(client, session, clock):
    dispatcher = login_as(client, "dispatcher")
    grid = grid_point(session)
    old = create_incident(client, dispatcher.headers, grid)
    closed = create_incident(client, dispatcher.headers, grid)
    r = client.post(
        f"/api/v1/incidents/{closed['id']}/transitions",
        headers=dispatcher.headers,
        json={"to": "cancelled", "note": "误报"},
    )
    assert r.status_code == 200, r.text
    clock.advance(timedelta(hours=16))  # 01:00 the next day
    dispatcher = login_as(client, "dispatcher")
    today = client.get("/api/v1/dashboard/day", headers=dispatcher.headers).json()
    rows = {r["id"]: r for r in today["incidents"]}
    assert rows[old["id"]]["today"] is False and rows[old["id"]]["status"] == "received"
    assert closed["id"] not in rows
    yesterday = client.get(
        "/api/v1/dashboard/day", headers=dispatcher.headers, params={"day": "2026-11-23"}
    ).json()
    assert not yesterday["is_today"]
    assert {r["id"] for r in yesterday["incidents"]} == {old["id"], closed["id"]}


def test_station_officer_wall_holds_only_their_station(client, session):
    dispatcher = login_as(client, "dispatcher")
    officer = login_as(client, "officer")
    station = client.get("/api/v1/auth/me", headers=officer.headers).json()["user"]["org_code"]
    from yanyun.geo.models import Grid

    mine = session.scalars(select(Grid).where(Grid.station_code == station)).first()
    other = session.scalars(select(Grid).where(Grid.station_code != station)).first()
    own = create_incident(client, dispatcher.headers, mine)
    create_incident(client, dispatcher.headers, other)
    wall = client.get("/api/v1/dashboard/day", headers=officer.headers).json()
    assert [r["id"] for r in wall["incidents"]] == [own["id"]]
    everyone = client.get("/api/v1/dashboard/day", headers=dispatcher.headers).json()
    assert len(everyone["unit_status"]) > len(wall["unit_status"])


def test_dispatch_event_carries_the_dispatch_time(client, session, clock):
    dispatcher = login_as(client, "dispatcher")
    inc = create_incident(client, dispatcher.headers, grid_point(session))
    [unit] = available_units(session, kind="patrol_car", limit=1)
    clock.advance(42)
    _dispatch(client, dispatcher.headers, inc["id"], unit.id)
    event = session.scalars(
        select(OutboxEvent)
        .where(OutboxEvent.kind == "incident.dispatched", OutboxEvent.resource_id == inc["id"])
    ).one()
    assert event.payload["dispatch_s"] == 42.0 and event.payload["arrival_s"] is None


def test_bad_day_is_a_422_naming_the_field(client):
    dispatcher = login_as(client, "dispatcher")
    resp = client.get("/api/v1/dashboard/day", headers=dispatcher.headers, params={"day": "11/23"})
    assert resp.status_code == 422
    assert resp.json()["error"]["field"] == "day"
