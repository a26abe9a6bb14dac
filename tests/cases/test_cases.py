"""Cases (合成作战): members from any unit, one timeline, and the searches bound to them."""

from __future__ import annotations

from sqlalchemy import select

from tests.cases.helpers import open_case
from tests.command.helpers import create_incident, grid_point
from tests.conftest import login_as
from yanyun.core.audit import AuditEntry


def _contact(client, login, case_number: str):
    """A personal-data read (an officer's contact) under ``case_number``."""
    me = client.get("/api/v1/auth/me", headers=login.headers).json()["user"]["id"]
    return client.get(f"/api/v1/users/{me}/contact", headers=login.headers,
                      params={"purpose": "联系肇事电动车车主", "case_number": case_number})


def test_a_case_opened_from_an_incident_carries_its_place_time_and_story(client, session):
    dispatcher = login_as(client, "dispatcher")
    incident = create_incident(client, dispatcher.headers, grid_point(session),
                               narrative="107国道向阳街道路段电动车撞人后逃逸", sub_code="1002")
    case = open_case(client, dispatcher, title=None, incident_id=incident["id"])
    assert case["number"].startswith("AJ") and case["status"] == "open"
    assert case["title"].startswith("107国道") and "逃逸" in case["summary"]
    assert (case["lng"], case["lat"]) == (incident["lng"], incident["lat"])
    assert case["incident_ids"] == [incident["id"]] and case["my_role"] == "owner"
    assert case["incidents"] == [{"id": incident["id"], "number": incident["number"]}]
    assert [e["kind"] for e in case["timeline"]] == ["opened", "incident_linked"]
    foreign = open_case(client, login_as(client, "officer"))
    assert foreign["number"] != case["number"]


def test_members_from_any_unit_are_added_by_the_owner_and_audited(client, session):
    dispatcher, analyst = login_as(client, "dispatcher"), login_as(client, "analyst")
    case = open_case(client, dispatcher)
    url = f"/api/v1/cases/{case['id']}"
    # Not a member: the case does not exist for the analyst, nor may they search under it.
    assert client.get(url, headers=analyst.headers).status_code == 404
    assert _contact(client, analyst, case["number"]).status_code == 422
    added = client.post(f"{url}/members", headers=dispatcher.headers,
                        json={"username": "analyst"})
    assert added.status_code == 201
    assert {m["username"] for m in added.json()["members"]} == {"dispatcher", "analyst"}
    # A member works on it, but only the owner changes who is on it.
    assert client.post(f"{url}/members", headers=analyst.headers,
                       json={"username": "officer"}).status_code == 403
    assert _contact(client, analyst, case["number"]).status_code == 200
    analyst_id = next(m["user_id"] for m in added.json()["members"] if m["username"] == "analyst")
    removed = client.delete(f"{url}/members/{analyst_id}", headers=dispatcher.headers)
    assert {m["username"] for m in removed.json()["members"]} == {"dispatcher"}
    assert _contact(client, analyst, case["number"]).status_code == 422
    changes = session.scalars(select(AuditEntry).where(
        AuditEntry.resource_type == "case_member")).all()
    assert len(changes) >= 2 and {e.username for e in changes} == {"dispatcher"}
    timeline = client.get(url, headers=dispatcher.headers).json()["timeline"]
    kinds = [e["kind"] for e in timeline]
    assert "member_added" in kinds and "member_removed" in kinds
    assert [e for e in timeline if e["kind"] == "search" and e["actor"] == "analyst"]


def test_a_closed_case_grants_nothing_and_solving_records_the_yardsticks_figures(client):
    analyst = login_as(client, "analyst")
    case = open_case(client, analyst, kind="criminal")
    url = f"/api/v1/cases/{case['id']}/status"
    solved = client.post(url, headers=analyst.headers, json={
        "status": "solved", "suspects_detained": 2, "amount_recovered_yuan": 38000,
        "note": "嫌疑人已刑拘"})
    assert solved.status_code == 200
    body = solved.json()
    assert body["solved_at"] and body["suspects_detained"] == 2
    assert body["amount_recovered_yuan"] == 38000
    assert _contact(client, analyst, case["number"]).status_code == 422
    assert client.post(url, headers=analyst.headers,
                       json={"status": "suspended"}).status_code == 409
    closed = client.post(url, headers=analyst.headers, json={"status": "closed"})
    assert closed.json()["closed_at"]
    assert _contact(client, analyst, case["number"]).status_code == 422
    reopened = client.post(url, headers=analyst.headers, json={"status": "open"})
    assert reopened.json()["status"] == "open"
    assert _contact(client, analyst, case["number"]).status_code == 200


def test_supervisors_see_their_areas_cases_and_others_see_none(client):
    dispatcher = login_as(client, "dispatcher")
    case = open_case(client, dispatcher)
    supervisor = login_as(client, "supervisor")
    listed = client.get("/api/v1/cases", headers=supervisor.headers).json()
    assert case["id"] in {c["id"] for c in listed}
    seen = client.get(f"/api/v1/cases/{case['id']}", headers=supervisor.headers).json()
    assert seen["my_role"] is None
    # Seeing is not working on it: a supervisor's read grants no search.
    note = client.post(f"/api/v1/cases/{case['id']}/notes", headers=supervisor.headers,
                       json={"text": "请加快进度"})
    assert note.status_code == 403
    opinion = login_as(client, "opinion")
    assert client.get("/api/v1/cases", headers=opinion.headers).status_code == 403


def test_an_incident_being_worked_binds_its_dispatchers_reads_until_it_closes(
    client, session
):
    dispatcher = login_as(client, "dispatcher")
    incident = create_incident(client, dispatcher.headers, grid_point(session))
    assert _contact(client, dispatcher, incident["number"]).status_code == 200
    detail = client.get(f"/api/v1/incidents/{incident['id']}", headers=dispatcher.headers)
    assert "*" not in detail.json()["caller_phone"]
    client.post(f"/api/v1/incidents/{incident['id']}/transitions", headers=dispatcher.headers,
                json={"to": "cancelled", "note": "重复报警"})
    assert _contact(client, dispatcher, incident["number"]).status_code == 422
    # The closed incident still opens, with the caller's number masked and no read logged.
    after = client.get(f"/api/v1/incidents/{incident['id']}", headers=dispatcher.headers)
    assert after.status_code == 200 and "*" in after.json()["caller_phone"]


def test_a_case_gives_tasks_to_any_unit_through_supervision(client, session, clock, runtime):
    from datetime import timedelta

    from tests.bus import consumers_from_now, drain

    consumers_from_now(session, clock, "oversight.tasks")
    session.commit()
    dispatcher = login_as(client, "dispatcher")
    officer = login_as(client, "officer")
    station = client.get("/api/v1/auth/me", headers=officer.headers).json()["user"]["org_code"]
    case = open_case(client, dispatcher)
    due = (clock.now() + timedelta(hours=4)).isoformat()
    asked = client.post(f"/api/v1/cases/{case['id']}/tasks", headers=dispatcher.headers, json={
        "title": "传唤电动车车主到所接受调查", "org_code": station, "due_at": due})
    assert asked.status_code == 201, asked.text
    assert drain(runtime, "oversight.tasks", session=session) == 1
    detail = client.get(f"/api/v1/cases/{case['id']}", headers=dispatcher.headers).json()
    [task] = detail["tasks"]
    assert task["owner_org_code"] == station and case["number"] in task["title"]
    # The station's chief sees it on the station's work list, as any supervised task.
    mine = client.get("/api/v1/oversight/tasks", headers=login_as(client, "chief").headers).json()
    items = mine["items"] if isinstance(mine, dict) else mine
    assert task["id"] in {t["id"] for t in items}
    late = client.post(f"/api/v1/cases/{case['id']}/tasks", headers=dispatcher.headers,
                       json={"title": "过期任务", "org_code": station,
                             "due_at": (clock.now() - timedelta(hours=1)).isoformat()})
    assert late.status_code == 422 and late.json()["error"]["field"] == "due_at"
    nowhere = client.post(f"/api/v1/cases/{case['id']}/tasks", headers=dispatcher.headers,
                          json={"title": "无承办单位", "due_at": due})
    assert nowhere.status_code == 422 and nowhere.json()["error"]["field"] == "org_code"
