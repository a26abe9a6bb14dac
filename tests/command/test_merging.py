"""Duplicates found near in place and time, merged keeping every caller and unit."""

from datetime import timedelta

from tests.command.helpers import available_units, create_incident, grid_point
from tests.conftest import login_as


def test_nearby_same_category_call_is_offered_and_merged_keeping_both_callers(
    client, session, clock
):
    dispatcher = login_as(client, "dispatcher")
    grid = grid_point(session)
    first = create_incident(client, dispatcher.headers, grid, caller_phone="13900000001")
    clock.advance(timedelta(minutes=5))
    second = create_incident(
        client,
        dispatcher.headers,
        grid,
        caller_phone="13900000002",
        lng=grid.lng + 0.0005,
        narrative="又一人报警：电动车被偷",
    )
    other_kind = create_incident(
        client, dispatcher.headers, grid, category_code="60", sub_code="6002", narrative="邻居吵架"
    )
    dups = client.get(
        f"/api/v1/incidents/{second['id']}/duplicates", headers=dispatcher.headers
    ).json()
    assert [d["incident_id"] for d in dups] == [first["id"]]
    assert 0 < dups[0]["distance_m"] < 100 and dups[0]["minutes_apart"] == 5.0
    assert other_kind["id"] not in [d["incident_id"] for d in dups]
    merged = client.post(
        f"/api/v1/incidents/{first['id']}/merge",
        headers=dispatcher.headers,
        json={"duplicate_id": second["id"]},
    )
    assert merged.status_code == 200, merged.text
    detail = client.get(f"/api/v1/incidents/{first['id']}", headers=dispatcher.headers).json()
    assert sorted(c["caller_phone_masked"] for c in detail["calls"]) == [
        "139****0001",
        "139****0002",
    ]
    gone = client.get(f"/api/v1/incidents/{second['id']}", headers=dispatcher.headers).json()
    assert gone["status"] == "cancelled" and gone["merged_into_id"] == first["id"]
    again = client.post(
        f"/api/v1/incidents/{first['id']}/merge",
        headers=dispatcher.headers,
        json={"duplicate_id": second["id"]},
    )
    assert again.status_code == 409


def test_merging_a_dispatched_duplicate_into_a_waiting_call_dispatches_it(
    client, session, clock
):
    dispatcher = login_as(client, "dispatcher")
    grid = grid_point(session)
    waiting = create_incident(client, dispatcher.headers, grid)
    clock.advance(20)
    handled = create_incident(client, dispatcher.headers, grid)
    [unit] = available_units(session, kind="patrol_car", limit=1)
    clock.advance(10)
    sent = client.post(
        f"/api/v1/incidents/{handled['id']}/dispatch",
        headers=dispatcher.headers,
        json={"unit_ids": [unit.id]},
    )
    assert sent.status_code == 200, sent.text
    clock.advance(60)
    merged = client.post(
        f"/api/v1/incidents/{waiting['id']}/merge",
        headers=dispatcher.headers,
        json={"duplicate_id": handled["id"]},
    )
    assert merged.status_code == 200, merged.text
    body = merged.json()
    # The unit was sent 30 s after the first call: that is this incident's dispatch time.
    assert body["status"] == "dispatched" and body["units"] == [unit.id]
    assert body["clock"]["dispatch_s"] == 30.0 and not body["clock"]["dispatch_breached"]


def test_far_or_late_calls_are_not_duplicates(client, session, clock):
    dispatcher = login_as(client, "dispatcher")
    grid = grid_point(session)
    first = create_incident(client, dispatcher.headers, grid)
    far = create_incident(client, dispatcher.headers, grid_point(session, offset=200))
    clock.advance(timedelta(hours=2))
    late = create_incident(client, dispatcher.headers, grid)
    for inc in (far, late):
        dups = client.get(
            f"/api/v1/incidents/{inc['id']}/duplicates", headers=dispatcher.headers
        ).json()
        assert first["id"] not in [d["incident_id"] for d in dups]
