"""Units: positions (latest wins, bad rows counted), recommendations, the demo circles."""

from datetime import timedelta

from tests.command.helpers import available_units, create_incident, grid_point
from tests.conftest import login_as


def test_positions_latest_wins_and_bad_rows_are_counted(client, session, clock):
    dispatcher = login_as(client, "dispatcher")
    unit, other = available_units(session, limit=2)
    now = clock.advance(10)
    batch = {
        "positions": [
            {"unit_id": unit.id, "lng": 112.60, "lat": 26.90, "at": now.isoformat()},
            {
                "unit_id": unit.id,
                "lng": 112.50,
                "lat": 26.80,
                "at": (now - timedelta(seconds=30)).isoformat(),
            },
            {"unit_id": "GHOST", "lng": 112.6, "lat": 26.9, "at": now.isoformat()},
            {"unit_id": other.id, "lng": 212.6, "lat": 26.9, "at": now.isoformat()},
            {
                "unit_id": other.id,
                "lng": 112.6,
                "lat": 26.9,
                "at": (now + timedelta(minutes=10)).isoformat(),
            },
        ]
    }
    result = client.post("/api/v1/units/positions", headers=dispatcher.headers, json=batch).json()
    assert (result["accepted"], result["ignored_older"]) == (1, 1)
    assert [(r["index"], r["reason_en"]) for r in result["rejected"]] == [
        (2, "unknown unit"),
        (3, "coordinates out of range"),
        (4, "position time is in the future"),
    ]
    units = {
        u["id"]: u
        for u in client.get(
            "/api/v1/units", headers=dispatcher.headers, params={"limit": 5000}
        ).json()
    }
    assert (units[unit.id]["lng"], units[unit.id]["lat"]) == (112.60, 26.90)
    assert units[unit.id]["stale"] is False
    admin = login_as(client, "admin")
    moved = [e for e in client.get("/api/v1/events", headers=admin.headers,
                                   params={"limit": 1000}).json() if e["kind"] == "units.moved"]
    assert [p["id"] for e in moved for p in e["payload"]["positions"]] == [unit.id]
    clock.advance(timedelta(minutes=3))
    units = {
        u["id"]: u
        for u in client.get(
            "/api/v1/units", headers=dispatcher.headers, params={"limit": 5000}
        ).json()
    }
    assert units[unit.id]["stale"] is True


def test_recommendation_ranks_available_units_by_eta_with_reasons(client, session):
    dispatcher = login_as(client, "dispatcher")
    inc = create_incident(client, dispatcher.headers, grid_point(session, urban=True))
    ranked = client.get(
        f"/api/v1/incidents/{inc['id']}/recommendations", headers=dispatcher.headers
    ).json()
    assert len(ranked) == 5
    etas = [c["eta_s"] for c in ranked]
    assert etas == sorted(etas) and [c["rank"] for c in ranked] == [1, 2, 3, 4, 5]
    assert all("预计" in c["reason_zh"] and "ETA" in c["reason_en"] for c in ranked)
    best = ranked[0]["unit_id"]
    client.post(
        f"/api/v1/incidents/{inc['id']}/dispatch",
        headers=dispatcher.headers,
        json={"unit_ids": [best]},
    )
    again = client.get(
        f"/api/v1/incidents/{inc['id']}/recommendations", headers=dispatcher.headers
    ).json()
    assert best not in [c["unit_id"] for c in again]


def test_demo_circles_cover_stations_platforms_and_public_places(client):
    admin = login_as(client, "admin")
    circles = client.get("/api/v1/response-circles", headers=admin.headers).json()
    kinds = {c["kind"] for c in circles}
    assert {"station", "platform"} <= kinds
    assert kinds & {"transport_hub", "hospital", "school", "mall"}
    assert {c["target_min"] for c in circles} <= {1, 3, 5}
    assert all(c["target_min"] == 1 for c in circles if c["kind"] == "platform")
