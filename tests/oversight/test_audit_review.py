"""The audit viewer: search, personal reads flagged, a seeded sample, reviews recorded."""

from datetime import timedelta

from tests.cases.helpers import open_case
from tests.conftest import login_as

AUDIT = "/api/v1/oversight/audit"


def _read_contacts(client, login, n, purpose="核实报警人身份"):
    target = client.get("/api/v1/auth/me", headers=login.headers).json()["user"]["id"]
    for _ in range(n):
        case = open_case(client, login)["number"]
        resp = client.get(f"/api/v1/users/{target}/contact", headers=login.headers,
                          params={"purpose": purpose, "case_number": case})
        assert resp.status_code == 200, resp.text


def test_search_by_user_role_action_purpose_and_time_flags_personal_reads(client, clock):
    analyst, admin = login_as(client, "analyst"), login_as(client, "admin")
    since = clock.now()
    _read_contacts(client, admin, 2, purpose="走访核实身份")
    clock.advance(60)
    _read_contacts(client, analyst, 3)
    supervisor = login_as(client, "supervisor")
    found = client.get(AUDIT, headers=supervisor.headers,
                       params={"username": "analyst", "personal_only": True}).json()["items"]
    assert len(found) == 3
    assert all(e["personal"] and e["role"] == "analyst" for e in found)
    by_purpose = client.get(AUDIT, headers=supervisor.headers,
                            params={"purpose": "走访", "since": since.isoformat()}).json()["items"]
    assert {e["username"] for e in by_purpose} == {"admin"}
    window = client.get(AUDIT, headers=supervisor.headers, params={
        "action": "read_personal", "since": since.isoformat(),
        "until": (since + timedelta(seconds=30)).isoformat()}).json()["items"]
    assert len(window) == 2
    logins = client.get(AUDIT, headers=supervisor.headers,
                        params={"action": "login", "role": "supervisor"}).json()["items"]
    assert logins and not any(e["personal"] for e in logins)
    # Officers and analysts do not read the audit log.
    officer = login_as(client, "officer")
    assert client.get(AUDIT, headers=officer.headers).status_code == 403


def test_sample_is_reproducible_and_each_review_is_recorded_once(client, clock):
    analyst = login_as(client, "analyst")
    since = clock.now()
    _read_contacts(client, analyst, 8)
    clock.advance(60)
    supervisor = login_as(client, "supervisor")
    window = {"since": since.isoformat(), "until": clock.now().isoformat(), "size": 3,
              "seed": 42}
    first = client.post(f"{AUDIT}/samples", headers=supervisor.headers, json=window)
    assert first.status_code == 201, first.text
    again = client.post(f"{AUDIT}/samples", headers=supervisor.headers, json=window).json()
    first = first.json()
    assert first["population"] == 8 and len(first["entries"]) == 3
    assert [e["id"] for e in first["entries"]] == [e["id"] for e in again["entries"]]
    assert all(e["personal"] for e in first["entries"])

    url = f"{AUDIT}/samples/{first['id']}/reviews"
    entry = first["entries"][0]["id"]
    resp = client.post(url, headers=supervisor.headers,
                       json={"entry_id": entry, "outcome": "violation"})
    assert resp.status_code == 422 and resp.json()["error"]["field"] == "note"
    resp = client.post(url, headers=supervisor.headers,
                       json={"entry_id": entry, "outcome": "questionable",
                             "note": "案件编号与查询对象不符"})
    assert resp.status_code == 201, resp.text
    assert client.post(url, headers=supervisor.headers,
                       json={"entry_id": entry, "outcome": "justified"}).status_code == 409
    outside = client.post(url, headers=supervisor.headers,
                          json={"entry_id": 1, "outcome": "justified"})
    assert outside.status_code == 422 and outside.json()["error"]["field"] == "entry_id"
    sample = client.get(f"{AUDIT}/samples/{first['id']}", headers=supervisor.headers).json()
    assert [(r["entry_id"], r["outcome"]) for r in sample["reviews"]] == [
        (entry, "questionable")]
    # The review is itself in the audit log, attributed to the reviewer.
    logged = client.get(AUDIT, headers=supervisor.headers,
                        params={"action": "audit_review", "resource_id": str(entry)}).json()
    assert [e["username"] for e in logged["items"]] == ["supervisor"]
    # Analysts may not draw samples.
    assert client.post(f"{AUDIT}/samples", headers=analyst.headers,
                       json=window).status_code == 403
