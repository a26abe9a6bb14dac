"""The 1-3-5 clock: late dispatch and arrival announced once, when they happen."""


from tests.command.helpers import available_units, create_incident, grid_point
from tests.conftest import login_as
from yanyun.command.models import Incident


def test_late_dispatch_is_a_breach_event(client, session, clock):
    dispatcher = login_as(client, "dispatcher")
    inc = create_incident(client, dispatcher.headers, grid_point(session))
    [unit] = available_units(session, limit=1)
    clock.advance(95)
    resp = client.post(
        f"/api/v1/incidents/{inc['id']}/dispatch",
        headers=dispatcher.headers,
        json={"unit_ids": [unit.id]},
    )
    assert resp.json()["clock"]["dispatch_breached"] is True
    admin = login_as(client, "admin")
    evts = client.get("/api/v1/events", headers=admin.headers, params={"limit": 1000}).json()
    breaches = [e for e in evts if e["kind"] == "incident.breach" and e["resource_id"] == inc["id"]]
    assert [b["payload"]["breach"] for b in breaches] == ["dispatch"]
    assert breaches[0]["payload"]["elapsed_s"] == 95.0


def test_scan_flags_an_undispatched_incident_once(client, session, clock):
    from yanyun.command import breaches

    dispatcher = login_as(client, "dispatcher")
    inc = create_incident(client, dispatcher.headers, grid_point(session))
    assert breaches.scan_breaches(session=session, clock=clock) == 0
    clock.advance(61)
    assert breaches.scan_breaches(session=session, clock=clock) >= 1
    assert breaches.scan_breaches(session=session, clock=clock) == 0
    session.commit()
    assert session.get(Incident, inc["id"]).dispatch_breached is True
    admin = login_as(client, "admin")
    evts = client.get("/api/v1/events", headers=admin.headers, params={"limit": 1000}).json()
    kinds = [
        e["payload"]["breach"]
        for e in evts
        if e["kind"] == "incident.breach" and e["resource_id"] == inc["id"]
    ]
    assert kinds.count("dispatch") == 1
