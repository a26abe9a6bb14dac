"""A crew's phone acts for its unit: each queued action applied once, conflicts answered."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from tests.command.helpers import create_incident
from tests.conftest import login_as
from yanyun.command.models import Incident, IncidentTransition, Unit
from yanyun.core.ids import new_id
from yanyun.geo.models import Grid


def _station_of(client, login) -> str:
    return client.get("/api/v1/auth/me", headers=login.headers).json()["user"]["org_code"]


def _crew(client, session):
    """The station officer signed on to an available unit of their station."""
    officer = login_as(client, "officer")
    station = _station_of(client, officer)
    unit = session.scalars(
        select(Unit).where(Unit.station_code == station, Unit.status == "available")
        .order_by(Unit.id)
    ).first()
    resp = client.post("/api/v1/field/shift", headers=officer.headers, json={"unit_id": unit.id})
    assert resp.status_code == 201, resp.text
    return officer, unit


def _dispatched(client, session, unit: Unit) -> dict:
    dispatcher = login_as(client, "dispatcher")
    grid = session.scalars(select(Grid).where(Grid.station_code == unit.station_code)).first()
    incident = create_incident(client, dispatcher.headers, grid)
    resp = client.post(
        f"/api/v1/incidents/{incident['id']}/dispatch", headers=dispatcher.headers,
        json={"unit_ids": [unit.id]},
    )
    assert resp.status_code == 200, resp.text
    return incident


def _action(kind: str, clock, **fields) -> dict:
    return {"key": new_id(clock), "kind": kind, "at": clock.now().isoformat(), **fields}


def _send(client, login, *actions):
    return client.post("/api/v1/field/actions", headers=login.headers,
                       json={"actions": list(actions)})


def _transitions(session, incident_id: str) -> int:
    return session.scalar(
        select(func.count()).select_from(IncidentTransition)
        .where(IncidentTransition.incident_id == incident_id)
    )


def test_the_phone_sees_its_dispatch_and_works_it_to_resolved(client, session, clock):
    officer, unit = _crew(client, session)
    incident = _dispatched(client, session, unit)
    me = client.get("/api/v1/field/me", headers=officer.headers).json()
    assert me["shift"]["unit_id"] == unit.id
    assert [d["incident_id"] for d in me["dispatches"]] == [incident["id"]]
    assert "****" in me["dispatches"][0]["caller_phone_masked"]

    resp = _send(
        client, officer,
        _action("acknowledge", clock, incident_id=incident["id"]),
        _action("arrive", clock, incident_id=incident["id"]),
        _action("clear", clock, incident_id=incident["id"], outcome="mediated", note="双方和解"),
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert [r["status"] for r in body["results"]] == ["applied"] * 3
    assert body["applied"] == 3 and body["replayed"] == 0
    session.expire_all()
    assert session.get(Incident, incident["id"]).status == "resolved"
    assert session.get(Unit, unit.id).status == "available"
    timeline = client.get(f"/api/v1/incidents/{incident['id']}/timeline",
                          headers=login_as(client, "dispatcher").headers).json()
    assert any("已调解" in (t["note"] or "") and "双方和解" in t["note"] for t in timeline)
    assert client.get("/api/v1/field/me", headers=officer.headers).json()["dispatches"] == []


def test_a_replayed_queue_is_applied_once_and_answered_as_the_first_time(client, session, clock):
    officer, unit = _crew(client, session)
    incident = _dispatched(client, session, unit)
    queue = [
        _action("acknowledge", clock, incident_id=incident["id"]),
        _action("arrive", clock, incident_id=incident["id"]),
    ]
    first = _send(client, officer, *queue).json()
    before = _transitions(session, incident["id"])
    # The answer was lost on the way back: the phone sends the same queue twice more.
    again = _send(client, officer, *queue).json()
    third = _send(client, officer, *queue).json()
    assert _transitions(session, incident["id"]) == before
    assert again["replayed"] == 2 and again["applied"] == 0
    assert [r["status"] for r in third["results"]] == [r["status"] for r in first["results"]]
    assert all(r["replayed"] for r in third["results"])


def test_a_key_reused_for_another_action_is_refused_not_replayed(client, session, clock):
    officer, unit = _crew(client, session)
    incident = _dispatched(client, session, unit)
    ack = _action("acknowledge", clock, incident_id=incident["id"])
    _send(client, officer, ack)
    forged = dict(_action("arrive", clock, incident_id=incident["id"]), key=ack["key"])
    result = _send(client, officer, forged).json()["results"][0]
    assert result["status"] == "rejected" and "key" in result["reason_en"]
    session.expire_all()
    assert session.get(Incident, incident["id"]).arrived_at is None


def test_an_action_on_an_incident_cancelled_meanwhile_is_a_conflict_shown_to_the_crew(
    client, session, clock
):
    officer, unit = _crew(client, session)
    incident = _dispatched(client, session, unit)
    dispatcher = login_as(client, "dispatcher")
    # The phone is offline; meanwhile the center cancels the incident.
    resp = client.post(f"/api/v1/incidents/{incident['id']}/transitions",
                       headers=dispatcher.headers, json={"to": "cancelled", "note": "重复报警"})
    assert resp.status_code == 200, resp.text
    clock.advance(timedelta(minutes=2))
    result = _send(client, officer, _action("arrive", clock, incident_id=incident["id"])).json()
    answer = result["results"][0]
    assert answer["status"] == "conflict" and answer["incident_status"] == "cancelled"
    assert "已撤销" in answer["reason_zh"] and "cancelled" in answer["reason_en"]
    session.expire_all()
    assert session.get(Incident, incident["id"]).arrived_at is None


def test_a_crew_cannot_act_on_an_incident_its_unit_was_not_sent_to(client, session, clock):
    officer, unit = _crew(client, session)
    other = session.scalars(
        select(Unit).where(Unit.id != unit.id, Unit.status == "available").order_by(Unit.id)
    ).first()
    incident = _dispatched(client, session, other)
    for target in (incident["id"], "01JUNKNOWNINCIDENT00000000"):
        answer = _send(client, officer, _action("arrive", clock, incident_id=target)).json()
        assert answer["results"][0]["status"] == "rejected"
        assert answer["results"][0]["reason_en"].startswith("this unit was not sent")
    session.expire_all()
    assert session.get(Incident, incident["id"]).arrived_at is None


def test_one_bad_action_leaves_the_rest_of_the_queue_applied(client, session, clock):
    officer, unit = _crew(client, session)
    incident = _dispatched(client, session, unit)
    future = (clock.now() + timedelta(hours=2)).isoformat()
    result = _send(
        client, officer,
        _action("acknowledge", clock, incident_id=incident["id"]),
        dict(_action("position", clock, lng=unit.lng, lat=unit.lat), at=future),
        _action("arrive", clock, incident_id=incident["id"]),
    ).json()
    assert [r["status"] for r in result["results"]] == ["applied", "rejected", "applied"]
    assert result["rejected"] == 1
    assert "future" in result["results"][1]["reason_en"]


def test_positions_move_the_unit_and_need_a_sign_on(client, session, clock):
    officer = login_as(client, "officer")
    lost = _send(client, officer, _action("position", clock, lng=112.6, lat=26.9)).json()
    assert lost["results"][0]["status"] == "rejected"
    assert "signed on" in lost["results"][0]["reason_en"]
    officer, unit = _crew(client, session)
    moved_to = unit.lng + 0.001
    clock.advance(timedelta(seconds=30))
    result = _send(client, officer, _action("position", clock, lng=moved_to, lat=unit.lat)).json()
    assert result["applied"] == 1
    session.expire_all()
    assert abs(session.get(Unit, unit.id).lng - moved_to) < 1e-9


def test_a_phone_signs_on_only_to_units_of_its_area(client, session):
    officer = login_as(client, "officer")
    station = _station_of(client, officer)
    foreign = session.scalars(select(Unit).where(Unit.station_code != station)).first()
    resp = client.post("/api/v1/field/shift", headers=officer.headers,
                       json={"unit_id": foreign.id})
    assert resp.status_code == 404
    dispatcher = login_as(client, "dispatcher")
    assert client.get("/api/v1/field/me", headers=dispatcher.headers).status_code == 403


def test_bad_input_is_named(client, clock):
    officer = login_as(client, "officer")
    short = _send(client, officer, dict(_action("acknowledge", clock, incident_id="x"), key="k1"))
    assert short.status_code == 422 and short.json()["error"]["field"] == "actions.0.key"
    no_outcome = _send(client, officer, _action("clear", clock, incident_id="x"))
    assert no_outcome.status_code == 422 and "处置结果" in no_outcome.text
    too_many = _send(client, officer, *[_action("position", clock, lng=1.0, lat=1.0)] * 1001)
    assert too_many.status_code == 422
