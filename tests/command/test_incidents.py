"""Incidents from call to close, over HTTP, on both backends."""

from datetime import timedelta

from sqlalchemy import func, select

from tests.command.helpers import available_units, create_incident, grid_point, incident_body
from tests.conftest import login_as
from yanyun.command.models import Incident


def test_call_is_located_numbered_and_clocked(client, session):
    dispatcher = login_as(client, "dispatcher")
    grid = grid_point(session)
    inc = create_incident(client, dispatcher.headers, grid)
    assert inc["number"] == "20261123-000001"
    assert (inc["grid_code"], inc["station_code"], inc["district_code"]) == (
        grid.code,
        grid.station_code,
        grid.district_code,
    )
    assert inc["status"] == "received" and inc["status_label_zh"] == "已接警"
    assert inc["caller_phone_masked"] == "138****1234"
    assert inc["clock"]["dispatch_target_s"] == 60
    assert inc["clock"]["arrival_target_s"] in (60, 180, 300, 600, 1200)
    assert inc["allowed_transitions"] == ["cancelled", "dispatched"]
    second = create_incident(client, dispatcher.headers, grid)
    assert second["number"] == "20261123-000002"


def test_numbers_restart_each_bureau_day(client, session, clock):
    dispatcher = login_as(client, "dispatcher")
    grid = grid_point(session)
    create_incident(client, dispatcher.headers, grid)
    clock.advance(timedelta(hours=15))  # 09:00 -> 00:00 next day in Asia/Shanghai
    night_shift = login_as(client, "dispatcher")
    assert create_incident(client, night_shift.headers, grid)["number"] == "20261124-000001"


def _count(session):
    return session.scalar(select(func.count()).select_from(Incident))


def test_bad_calls_answer_422_and_leave_nothing_behind(client, session):
    dispatcher = login_as(client, "dispatcher")
    grid = grid_point(session)
    before = _count(session)
    cases = [
        ({"lng": 116.39, "lat": 39.9}, "lng", "outside_jurisdiction"),
        ({"category_code": "99"}, "category_code", "invalid"),
        ({"category_code": "30", "sub_code": "1002"}, "sub_code", "invalid"),
        ({"narrative": "警" * 2001}, "narrative", "invalid"),
        ({"priority": 0}, "priority", "invalid"),
        (
            {
                "received_at": "2026-11-23T08:00:00+08:00",
                "occurred_at": "2026-11-23T08:30:00+08:00",
            },
            "occurred_at",
            "invalid",
        ),
        ({"lat": None}, "lat", "invalid"),
    ]
    for overrides, field, code in cases:
        resp = client.post(
            "/api/v1/incidents", headers=dispatcher.headers, json=incident_body(grid, **overrides)
        )
        assert resp.status_code == 422, (overrides, resp.text)
        error = resp.json()["error"]
        assert error["code"] == code, overrides
        assert error["field"] == field, (overrides, error)
        assert error["message"]["zh-CN"] and error["message"]["en"]
    assert _count(session) == before


def test_full_lifecycle_is_recorded_with_who_and_when(client, session, clock):
    dispatcher = login_as(client, "dispatcher")
    inc = create_incident(client, dispatcher.headers, grid_point(session))
    [unit] = available_units(session, kind="patrol_car", limit=1)
    clock.advance(30)
    resp = client.post(
        f"/api/v1/incidents/{inc['id']}/dispatch",
        headers=dispatcher.headers,
        json={"unit_ids": [unit.id]},
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["status"] == "dispatched" and resp.json()["units"] == [unit.id]
    assert resp.json()["clock"]["dispatch_s"] == 30.0
    for action, expected in (("acknowledge", "en_route"), ("arrive", "on_scene")):
        clock.advance(60)
        r = client.post(
            f"/api/v1/units/{unit.id}/actions",
            headers=dispatcher.headers,
            json={"action": action, "incident_id": inc["id"]},
        )
        assert r.status_code == 200, r.text
        assert r.json()["status"] == expected
    for target in ("resolved", "closed"):
        clock.advance(300)
        r = client.post(
            f"/api/v1/incidents/{inc['id']}/transitions",
            headers=dispatcher.headers,
            json={"to": target, "note": "处置完毕", "outcome": "mediated"},
        )
        assert r.status_code == 200, r.text
    detail = client.get(f"/api/v1/incidents/{inc['id']}", headers=dispatcher.headers).json()
    steps = [(t["from_status"], t["to_status"]) for t in detail["timeline"]]
    assert steps == [
        (None, "received"),
        ("received", "dispatched"),
        ("dispatched", "dispatched"),
        ("dispatched", "en_route"),
        ("en_route", "on_scene"),
        ("on_scene", "resolved"),
        ("resolved", "closed"),
    ]
    assert {t["actor_name"] for t in detail["timeline"]} == {"dispatcher"}
    assert detail["clock"]["arrival_s"] == 150.0
    units = client.get(
        "/api/v1/units", headers=dispatcher.headers, params={"status": "available"}
    ).json()
    assert unit.id in {u["id"] for u in units}


def test_illegal_transition_is_409_naming_what_is_allowed(client, session):
    dispatcher = login_as(client, "dispatcher")
    inc = create_incident(client, dispatcher.headers, grid_point(session))
    resp = client.post(
        f"/api/v1/incidents/{inc['id']}/transitions",
        headers=dispatcher.headers,
        json={"to": "closed"},
    )
    assert resp.status_code == 409
    error = resp.json()["error"]
    assert error["details"]["allowed"] == ["cancelled", "dispatched"]
    assert "已接警" in error["message"]["zh-CN"]


def test_cancel_releases_units_and_reopen_allows_new_dispatch(client, session):
    dispatcher = login_as(client, "dispatcher")
    inc = create_incident(client, dispatcher.headers, grid_point(session))
    first, second = available_units(session, limit=2)
    client.post(
        f"/api/v1/incidents/{inc['id']}/dispatch",
        headers=dispatcher.headers,
        json={"unit_ids": [first.id]},
    )
    busy = client.post(
        f"/api/v1/incidents/{inc['id']}/dispatch",
        headers=dispatcher.headers,
        json={"unit_ids": [first.id]},
    )
    assert busy.status_code == 409 and busy.json()["error"]["details"]["busy"]
    unknown = client.post(
        f"/api/v1/incidents/{inc['id']}/dispatch",
        headers=dispatcher.headers,
        json={"unit_ids": ["NOPE"]},
    )
    assert unknown.status_code == 422 and unknown.json()["error"]["field"] == "unit_ids"
    cancelled = client.post(
        f"/api/v1/incidents/{inc['id']}/transitions",
        headers=dispatcher.headers,
        json={"to": "cancelled", "note": "报警人称已自行解决"},
    )
    assert cancelled.json()["units"] == []
    session.expire_all()
    assert session.get(type(first), first.id).status == "available"
    client.post(
        f"/api/v1/incidents/{inc['id']}/transitions",
        headers=dispatcher.headers,
        json={"to": "reopened"},
    )
    again = client.post(
        f"/api/v1/incidents/{inc['id']}/dispatch",
        headers=dispatcher.headers,
        json={"unit_ids": [second.id]},
    )
    assert again.status_code == 200 and again.json()["status"] == "dispatched"


def test_detail_shows_caller_number_and_audits_the_read(client, session):
    dispatcher = login_as(client, "dispatcher")
    inc = create_incident(client, dispatcher.headers, grid_point(session))
    listed = client.get("/api/v1/incidents", headers=dispatcher.headers).json()
    assert all("caller_phone" not in i for i in listed)
    detail = client.get(f"/api/v1/incidents/{inc['id']}", headers=dispatcher.headers).json()
    assert detail["caller_phone"] == "13807341234"
    supervisor = login_as(client, "supervisor")
    trail = client.get(
        "/api/v1/audit",
        headers=supervisor.headers,
        params={"action": "read_personal", "case_number": inc["number"]},
    ).json()
    assert [(e["username"], e["resource_id"]) for e in trail] == [("dispatcher", inc["id"])]


def test_station_officer_sees_only_their_stations_incidents(client, session):
    dispatcher = login_as(client, "dispatcher")
    officer = login_as(client, "officer")
    station = client.get("/api/v1/auth/me", headers=officer.headers).json()["user"]["org_code"]
    from sqlalchemy import select as sa_select

    from yanyun.geo.models import Grid

    mine = session.scalars(sa_select(Grid).where(Grid.station_code == station)).first()
    other = session.scalars(sa_select(Grid).where(Grid.station_code != station)).first()
    own = create_incident(client, dispatcher.headers, mine)
    foreign = create_incident(client, dispatcher.headers, other)
    seen = {i["id"] for i in client.get("/api/v1/incidents", headers=officer.headers).json()}
    assert own["id"] in seen and foreign["id"] not in seen
    assert (
        client.get(f"/api/v1/incidents/{foreign['id']}", headers=officer.headers).status_code == 404
    )
    denied = client.post("/api/v1/incidents", headers=officer.headers, json=incident_body(mine))
    assert denied.status_code == 403


def test_intake_parse_suggests_place_time_category_and_priority(client):
    dispatcher = login_as(client, "dispatcher")
    resp = client.post("/api/v1/intake/parse", headers=dispatcher.headers,
                       json={"text": "十分钟前在衡阳东站门口有人持刀抢劫，受害人流血了"})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["needs_manual_location"] is False
    assert body["location"]["name"] == "衡阳东站" and body["location"]["lng"]
    assert body["occurred_at"]["at"].startswith("2026-11-23T00:50")  # 08:50 +08:00
    assert body["category"]["category_code"] == "10"
    assert body["priority"]["priority"] == 1
    nowhere = client.post("/api/v1/intake/parse", headers=dispatcher.headers,
                          json={"text": "有人打架了，快来"}).json()
    assert nowhere["needs_manual_location"] is True and nowhere["location"] is None


def test_note_joins_the_timeline_without_moving_the_incident(client, session, clock):
    dispatcher = login_as(client, "dispatcher")
    inc = create_incident(client, dispatcher.headers, grid_point(session))
    clock.advance(20)
    resp = client.post(
        f"/api/v1/incidents/{inc['id']}/notes",
        headers=dispatcher.headers,
        json={"text": "  报警人回拨：嫌疑人已离开，往东走  "},
    )
    assert resp.status_code == 201, resp.text
    assert resp.json()["status"] == "received"
    detail = client.get(f"/api/v1/incidents/{inc['id']}", headers=dispatcher.headers).json()
    last = detail["timeline"][-1]
    assert (last["from_status"], last["to_status"]) == ("received", "received")
    assert last["note"] == "报警人回拨：嫌疑人已离开，往东走" and last["actor_name"] == "dispatcher"
    blank = client.post(
        f"/api/v1/incidents/{inc['id']}/notes", headers=dispatcher.headers, json={"text": "   "}
    )
    assert blank.status_code == 422 and blank.json()["error"]["field"] == "text"
    analyst = login_as(client, "analyst")
    denied = client.post(
        f"/api/v1/incidents/{inc['id']}/notes", headers=analyst.headers, json={"text": "看看"}
    )
    assert denied.status_code == 403


def test_resolving_names_its_outcome_and_cancelling_its_reason(client, session):
    dispatcher = login_as(client, "dispatcher")
    inc = create_incident(client, dispatcher.headers, grid_point(session))
    url = f"/api/v1/incidents/{inc['id']}/transitions"
    bare_cancel = client.post(url, headers=dispatcher.headers, json={"to": "cancelled"})
    assert bare_cancel.status_code == 422 and "原因" in bare_cancel.text
    unit = available_units(session, limit=1)[0]
    client.post(f"/api/v1/incidents/{inc['id']}/dispatch", headers=dispatcher.headers,
                json={"unit_ids": [unit.id]})
    client.post(f"/api/v1/units/{unit.id}/actions", headers=dispatcher.headers,
                json={"action": "arrive", "incident_id": inc["id"]})
    bare = client.post(url, headers=dispatcher.headers, json={"to": "resolved"})
    assert bare.status_code == 422 and "处置结果" in bare.text
    odd = client.post(url, headers=dispatcher.headers, json={"to": "resolved", "outcome": "won"})
    assert odd.status_code == 422
    done = client.post(url, headers=dispatcher.headers,
                       json={"to": "resolved", "outcome": "handed_over", "note": "移交交警"})
    assert done.status_code == 200 and done.json()["outcome"] == "handed_over"
    last = client.get(f"/api/v1/incidents/{inc['id']}", headers=dispatcher.headers).json()
    assert last["timeline"][-1]["note"] == "处置结果：已移交 / handed over。移交交警"
    outcomes = client.get("/api/v1/incident-outcomes", headers=dispatcher.headers).json()
    assert outcomes["handed_over"] == ["已移交", "handed over"]
    reopened = client.post(url, headers=dispatcher.headers, json={"to": "reopened"})
    assert reopened.json()["outcome"] is None
