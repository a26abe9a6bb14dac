"""一呼百应 over HTTP: an incident's call from command's events to the stand-down."""

from __future__ import annotations

from tests.bus import consumers_from_now, drain
from tests.community.helpers import place_volunteer, urban_grid
from tests.conftest import login_as


def _incident(client, headers, grid, runtime=None, **overrides):
    body = {
        "narrative": "老人走失，家属求助",
        "lng": grid.lng,
        "lat": grid.lat,
        "category_code": "70",
        "sub_code": "7001",
    }
    body.update(overrides)
    resp = client.post("/api/v1/incidents", headers=headers, json=body)
    assert resp.status_code == 201, resp.text
    if runtime is not None:  # community hears of it through command's event
        drain(runtime, "community.incidents")
    return resp.json()


def _volunteers_near(session, grid, n=4):
    for i in range(n):
        place_volunteer(session, grid, f"VA-{i}", metres_east=60 * (i + 1))
    session.commit()


def test_volunteer_call_from_an_incident_is_accepted_and_stood_down(
    client, runtime, session, clock
) -> None:
    consumers_from_now(session, clock, "community.incidents")
    grid = urban_grid(session)
    _volunteers_near(session, grid)
    dispatcher = login_as(client, "dispatcher").headers
    incident = _incident(client, dispatcher, grid, runtime)
    listed = client.get("/api/v1/community/incidents", headers=dispatcher).json()
    assert any(i["id"] == incident["id"] and i["volunteer_safe"] for i in listed)
    resp = client.post(
        f"/api/v1/community/incidents/{incident['id']}/mobilisations",
        headers=dispatcher,
        json={"headcount": 3, "skills": ["patrol"]},
    )
    assert resp.status_code == 201, resp.text
    call = resp.json()
    assert call["counts"]["called"] == 3 and call["source_id"] == incident["id"]
    first = call["responses"][0]
    resp = client.post(
        f"/api/v1/community/mobilisations/{call['id']}/responses/{first['id']}",
        headers=dispatcher,
        json={"action": "accept"},
    )
    assert resp.json()["counts"]["accepted"] == 1
    resp = client.post(
        f"/api/v1/community/mobilisations/{call['id']}/stand-down",
        headers=dispatcher,
        json={"reason": "已找到老人"},
    )
    assert resp.status_code == 200
    assert resp.json()["status"] == "stood_down"
    assert resp.json()["counts"]["stood_down"] == 3
    again = client.post(
        f"/api/v1/community/mobilisations/{call['id']}/stand-down", headers=dispatcher, json={}
    )
    assert again.status_code == 409


def test_cancelling_the_incident_stands_its_call_down(
    client, runtime, session, clock
) -> None:
    consumers_from_now(session, clock, "community.incidents")
    grid = urban_grid(session)
    _volunteers_near(session, grid)
    dispatcher = login_as(client, "dispatcher").headers
    incident = _incident(client, dispatcher, grid, runtime)
    call = client.post(
        f"/api/v1/community/incidents/{incident['id']}/mobilisations",
        headers=dispatcher,
        json={"headcount": 2},
    ).json()
    resp = client.post(
        f"/api/v1/incidents/{incident['id']}/transitions",
        headers=dispatcher,
        json={"to": "cancelled", "note": "重复报警"},
    )
    assert resp.status_code == 200, resp.text
    drain(runtime, "community.incidents")  # community hears of the cancellation
    after = client.get(f"/api/v1/community/mobilisations/{call['id']}", headers=dispatcher).json()
    assert after["status"] == "stood_down"
    assert after["stand_down_reason"].startswith("警情已处置")


def test_unsafe_incident_is_refused_and_bad_input_is_a_422(
    client, runtime, session, clock
) -> None:
    consumers_from_now(session, clock, "community.incidents")
    grid = urban_grid(session)
    _volunteers_near(session, grid)
    dispatcher = login_as(client, "dispatcher").headers
    fire = _incident(
        client,
        dispatcher,
        grid,
        runtime,
        category_code="40",
        sub_code="4001",
        narrative="居民楼起火冒烟",
    )
    listed = client.get("/api/v1/community/incidents", headers=dispatcher).json()
    assert not next(i for i in listed if i["id"] == fire["id"])["volunteer_safe"]
    resp = client.post(
        f"/api/v1/community/incidents/{fire['id']}/mobilisations",
        headers=dispatcher,
        json={"headcount": 2},
    )
    assert resp.status_code == 422
    assert resp.json()["error"]["field"] == "category_code"
    resp = client.post(
        "/api/v1/community/mobilisations",
        headers=dispatcher,
        json={
            "title": "活动安保",
            "lng": grid.lng,
            "lat": grid.lat,
            "headcount": 2,
            "skills": ["flying"],
        },
    )
    assert resp.status_code == 422


def test_analyst_reads_but_may_not_call_volunteers(client, session) -> None:
    grid = urban_grid(session)
    analyst = login_as(client, "analyst").headers
    assert client.get("/api/v1/community/summary", headers=analyst).status_code == 200
    resp = client.post(
        "/api/v1/community/mobilisations",
        headers=analyst,
        json={"title": "活动安保", "lng": grid.lng, "lat": grid.lat, "headcount": 2},
    )
    assert resp.status_code == 403
