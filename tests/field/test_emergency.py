"""一键求助: one press opens one priority-1 incident; only the officer's PIN calls it off."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.conftest import login_as
from yanyun.command.models import Incident, Unit
from yanyun.core.ids import new_id


def _signed_on(client, session, username: str = "officer", pin: str | None = "2468"):
    login = login_as(client, username)
    station = client.get("/api/v1/auth/me", headers=login.headers).json()["user"]["org_code"]
    unit = session.scalars(
        select(Unit).where(Unit.station_code == station, Unit.status == "available")
        .order_by(Unit.id)
    ).first()
    body = {"unit_id": unit.id} | ({"pin": pin} if pin else {})
    resp = client.post("/api/v1/field/shift", headers=login.headers, json=body)
    assert resp.status_code == 201, resp.text
    assert resp.json()["has_pin"] is (pin is not None)
    return login, unit


def _press(client, login, clock, **fields):
    body = {"key": new_id(clock), "at": clock.now().isoformat(), **fields}
    return client.post("/api/v1/field/emergency", headers=login.headers, json=body)


def _emergencies(session) -> int:
    return session.scalar(
        select(func.count()).select_from(Incident)
        .where(Incident.source == "officer_emergency")
    )


def test_one_press_opens_one_priority_one_incident_and_takes_the_unit_out(client, session, clock):
    login, unit = _signed_on(client, session)
    before = _emergencies(session)
    body = {"key": new_id(clock), "at": clock.now().isoformat(),
            "lng": unit.lng + 0.001, "lat": unit.lat}
    first = client.post("/api/v1/field/emergency", headers=login.headers, json=body)
    assert first.status_code == 201, first.text
    # No answer reached the phone: it presses for the officer again with the same key.
    again = client.post("/api/v1/field/emergency", headers=login.headers, json=body)
    assert again.json()["incident_id"] == first.json()["incident_id"]
    assert again.json()["replayed"] is True
    assert _emergencies(session) == before + 1
    session.expire_all()
    incident = session.get(Incident, first.json()["incident_id"])
    assert incident.priority == 1 and incident.sub_code == "9501"
    assert abs(incident.lng - (unit.lng + 0.001)) < 1e-9
    assert session.get(Unit, unit.id).status == "emergency"
    # A unit whose crew needs help is sent nowhere else.
    dispatcher = login_as(client, "dispatcher")
    other = client.post("/api/v1/incidents", headers=dispatcher.headers, json={
        "narrative": "路口有人打架", "lng": unit.lng, "lat": unit.lat,
        "category_code": "20", "sub_code": "2001"}).json()
    sent = client.post(f"/api/v1/incidents/{other['id']}/dispatch", headers=dispatcher.headers,
                       json={"unit_ids": [unit.id]})
    assert sent.status_code == 409


def test_only_the_officers_pin_calls_it_off_and_wrong_pins_run_out(client, session, clock):
    login, unit = _signed_on(client, session)
    raised = _press(client, login, clock).json()
    cancel = "/api/v1/field/emergency/cancel"
    wrong = client.post(cancel, headers=login.headers,
                        json={"incident_id": raised["incident_id"], "pin": "0000"})
    assert wrong.status_code == 422 and wrong.json()["error"]["field"] == "pin"
    assert "4" in wrong.json()["error"]["message"]["zh-CN"]
    # A colleague cannot cancel someone else's call for help.
    chief, _ = _signed_on(client, session, "chief", pin="1357")
    foreign = client.post(cancel, headers=chief.headers,
                          json={"incident_id": raised["incident_id"], "pin": "1357"})
    assert foreign.status_code == 404
    ok = client.post(cancel, headers=login.headers,
                     json={"incident_id": raised["incident_id"], "pin": "2468"})
    assert ok.status_code == 200, ok.text
    assert ok.json()["status"] == "cancelled" and ok.json()["unit_status"] == "available"
    session.expire_all()
    assert session.get(Unit, unit.id).status == "available"


def test_after_five_wrong_pins_only_the_center_can_cancel(client, session, clock):
    login, _ = _signed_on(client, session)
    raised = _press(client, login, clock).json()
    cancel = "/api/v1/field/emergency/cancel"
    codes = [
        client.post(cancel, headers=login.headers,
                    json={"incident_id": raised["incident_id"], "pin": "9999"}).status_code
        for _ in range(6)
    ]
    assert codes == [422] * 5 + [409]
    right = client.post(cancel, headers=login.headers,
                        json={"incident_id": raised["incident_id"], "pin": "2468"})
    assert right.status_code == 409
    session.expire_all()
    assert session.get(Incident, raised["incident_id"]).status == "received"


def test_a_press_with_no_fix_and_no_unit_says_why(client, clock):
    login = login_as(client, "officer")
    resp = _press(client, login, clock)
    assert resp.status_code == 422 and resp.json()["error"]["field"] == "lng"
    bad_pin = client.post("/api/v1/field/shift", headers=login.headers,
                          json={"unit_id": "x", "pin": "12ab"})
    assert bad_pin.status_code == 422
