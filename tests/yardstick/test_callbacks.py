"""警情回访: closed incidents queued (not the sensitive ones), answered by phone or by a
one-time link; 不满意 becomes a supervised task for the station; satisfaction is counted."""

from datetime import timedelta

from sqlalchemy import select

from tests.bus import consumers_from_now, drain
from tests.command.helpers import available_units, create_incident, grid_point
from tests.conftest import login_as
from yanyun.core.audit import AuditEntry
from yanyun.oversight.models import SupervisedTask
from yanyun.yardstick.models import Callback

CONSUMERS = ("yardstick.figures", "oversight.tasks")


def _closed(client, session, headers, **overrides):
    grid = grid_point(session)
    incident = create_incident(client, headers, grid, **overrides)
    unit = available_units(session, limit=1)[0]
    assert client.post(f"/api/v1/incidents/{incident['id']}/dispatch", headers=headers,
                       json={"unit_ids": [unit.id]}).status_code == 200
    outcome = next(iter(client.get("/api/v1/incident-outcomes", headers=headers).json()))
    for step in ({"to": "on_scene"}, {"to": "resolved", "outcome": outcome}, {"to": "closed"}):
        resp = client.post(f"/api/v1/incidents/{incident['id']}/transitions", headers=headers,
                           json=step)
        assert resp.status_code == 200, resp.text
    return incident


def _queue(runtime, session, clock, client, headers, **overrides):
    consumers_from_now(session, clock, *CONSUMERS)
    session.commit()
    incident = _closed(client, session, headers, **overrides)
    drain(runtime, "yardstick.figures", session=session)
    return incident


def test_a_closed_incident_is_queued_once_and_a_sensitive_one_never(client, runtime, session,
                                                                    clock):
    dispatcher = login_as(client, "dispatcher").headers
    incident = _queue(runtime, session, clock, client, dispatcher)
    queued = client.get("/api/v1/callbacks", headers=dispatcher).json()
    assert [c["incident_id"] for c in queued] == [incident["id"]]
    assert queued[0]["status"] == "queued"
    consumers_from_now(session, clock, *CONSUMERS)
    session.commit()
    sensitive = _closed(client, session, dispatcher, category_code="20", sub_code="2008",
                        narrative="报警人称被丈夫殴打")
    drain(runtime, "yardstick.figures", session=session)
    ids = {c["incident_id"] for c in client.get("/api/v1/callbacks", headers=dispatcher).json()}
    assert sensitive["id"] not in ids


def test_an_unsatisfied_phone_answer_becomes_the_stations_task(client, runtime, session, clock):
    dispatcher = login_as(client, "dispatcher").headers
    incident = _queue(runtime, session, clock, client, dispatcher)
    callback = client.get("/api/v1/callbacks", headers=dispatcher).json()[0]
    # Dialling reads the caller's number: audited, bound to this callback.
    phone = client.get(f"/api/v1/callbacks/{callback['id']}/phone", headers=dispatcher)
    assert phone.status_code == 200 and phone.json()["phone"] == "13807341234"
    read = session.scalars(select(AuditEntry).where(AuditEntry.action == "read_personal",
                                                    AuditEntry.case_number == incident["number"])
                           ).all()
    assert read and "回访" in read[-1].purpose
    no_reason = client.post(f"/api/v1/callbacks/{callback['id']}/answer", headers=dispatcher,
                            json={"result": "unsatisfied"})
    assert no_reason.status_code == 422 and "reason" in no_reason.text
    answered = client.post(f"/api/v1/callbacks/{callback['id']}/answer", headers=dispatcher,
                           json={"result": "unsatisfied", "reason": "民警到场太慢"})
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    again = client.post(f"/api/v1/callbacks/{callback['id']}/answer", headers=dispatcher,
                        json={"result": "satisfied"})
    assert again.status_code == 409
    assert drain(runtime, "oversight.tasks", session=session) >= 1
    task = session.scalars(select(SupervisedTask).where(
        SupervisedTask.title.contains(incident["number"]))).one()
    assert task.owner_org_code == incident["station_code"] and "民警到场太慢" in task.detail
    # The number is no longer anyone's work once the callback is answered.
    late = client.get(f"/api/v1/callbacks/{callback['id']}/phone", headers=dispatcher)
    assert late.status_code == 422


def test_the_sms_link_answers_once_and_refuses_forged_used_or_expired(client, runtime, session,
                                                                      clock):
    dispatcher = login_as(client, "dispatcher").headers
    _queue(runtime, session, clock, client, dispatcher)
    callback = client.get("/api/v1/callbacks", headers=dispatcher).json()[0]
    link = client.post(f"/api/v1/callbacks/{callback['id']}/link", headers=dispatcher)
    assert link.status_code == 201
    token = link.json()["url"].split("#", 1)[1]
    cid, expires, nonce, signature = token.split(".")
    forged = ".".join([cid, str(int(expires) + 86400), nonce, signature])
    for bad in (forged, token[:-2] + "AA", "x" * 30):
        resp = client.post("/api/v1/public/callbacks/answer",
                           json={"token": bad, "result": "satisfied"})
        assert resp.status_code == 422 and "token" in resp.text, bad
    ok = client.post("/api/v1/public/callbacks/answer",
                     json={"token": token, "result": "fair", "reason": "还行"})
    assert ok.status_code == 200, ok.text
    reused = client.post("/api/v1/public/callbacks/answer",
                         json={"token": token, "result": "unsatisfied", "reason": "再答一次"})
    assert reused.status_code == 422
    row = session.get(Callback, callback["id"])
    assert (row.result, row.channel) == ("fair", "sms")


def test_an_expired_link_is_refused(client, runtime, session, clock):
    dispatcher = login_as(client, "dispatcher").headers
    _queue(runtime, session, clock, client, dispatcher)
    callback = client.get("/api/v1/callbacks", headers=dispatcher).json()[0]
    token = client.post(f"/api/v1/callbacks/{callback['id']}/link",
                        headers=dispatcher).json()["url"].split("#", 1)[1]
    clock.advance(timedelta(days=8))
    resp = client.post("/api/v1/public/callbacks/answer",
                       json={"token": token, "result": "satisfied"})
    assert resp.status_code == 422


def test_satisfaction_counts_the_answers_of_the_month(client, runtime, session, clock):
    dispatcher = login_as(client, "dispatcher").headers
    _queue(runtime, session, clock, client, dispatcher)
    callback = client.get("/api/v1/callbacks", headers=dispatcher).json()[0]
    client.post(f"/api/v1/callbacks/{callback['id']}/answer", headers=dispatcher,
                json={"result": "satisfied"})
    admin = login_as(client, "admin").headers
    month = clock.now().strftime("%Y-%m")
    figures = client.get("/api/v1/kpi", headers=admin, params={"month": month}).json()
    satisfaction = next(i for i in figures["indicators"] if i["id"] == "satisfaction")
    assert satisfaction["value"] == 1.0 and satisfaction["records"] == 1
