from tests.cases.helpers import open_case
from tests.conftest import login_as


def _officer_station(client, login):
    return client.get("/api/v1/auth/me", headers=login.headers).json()["user"]["org_code"]


def test_station_officer_sees_only_their_station(client):
    officer = login_as(client, "officer")
    station = _officer_station(client, officer)
    stations = client.get("/api/v1/geo/stations", headers=officer.headers).json()["features"]
    assert [f["properties"]["code"] for f in stations] == [station]
    grids = client.get("/api/v1/geo/grids", headers=officer.headers).json()["features"]
    assert grids and {f["properties"]["station_code"] for f in grids} == {station}
    units = client.get("/api/v1/org/units", headers=officer.headers).json()
    assert all(u["path"].split("/")[2] == station for u in units)


def test_city_level_user_sees_every_station(client):
    admin = login_as(client, "admin")
    stations = client.get("/api/v1/geo/stations", headers=admin.headers).json()["features"]
    assert len(stations) == 40


def test_phone_is_masked_in_listings(client):
    admin = login_as(client, "admin")
    users = client.get("/api/v1/users", headers=admin.headers).json()
    assert users and all("*" in u["phone_masked"] for u in users)
    assert all("phone" not in u for u in users)


def test_contact_read_needs_purpose_and_case_and_is_audited(client):
    analyst = login_as(client, "analyst")
    admin = login_as(client, "admin")
    target = client.get("/api/v1/users", headers=admin.headers).json()[0]["id"]
    url = f"/api/v1/users/{target}/contact"
    refused = client.get(url, headers=analyst.headers)
    assert refused.status_code == 422
    assert refused.json()["error"]["field"] == "case_number"
    case = open_case(client, analyst)["number"]
    ok = client.get(
        url,
        headers=analyst.headers,
        params={"purpose": "核实报警人身份", "case_number": case},
    )
    assert ok.status_code == 200
    assert "*" not in ok.json()["phone"]
    supervisor = login_as(client, "supervisor")
    trail = client.get(
        "/api/v1/audit",
        headers=supervisor.headers,
        params={"action": "read_personal", "case_number": case},
    )
    assert trail.status_code == 200
    [entry] = trail.json()
    assert entry["username"] == "analyst" and entry["purpose"] == "核实报警人身份"
    assert entry["resource_id"] == target


def test_creating_a_user_is_audited_and_emits_an_event(client):
    admin = login_as(client, "admin")
    resp = client.post(
        "/api/v1/users",
        headers=admin.headers,
        json={
            "username": "new.dispatcher",
            "display_name": "新接警员",
            "password": "a-long-password-1",
            "roles": ["dispatcher"],
            "org_code": "430400",
        },
    )
    assert resp.status_code == 201, resp.text
    user_id = resp.json()["id"]
    trail = client.get(
        "/api/v1/audit",
        headers=admin.headers,
        params={"resource_type": "app_user", "resource_id": user_id},
    ).json()
    assert [e["action"] for e in trail] == ["create"]
    assert trail[0]["username"] == "admin"
    evts = client.get("/api/v1/events", headers=admin.headers).json()
    assert any(e["kind"] == "user.created" and e["resource_id"] == user_id for e in evts)


def test_duplicate_username_is_a_conflict_not_a_500(client):
    admin = login_as(client, "admin")
    body = {
        "username": "admin",
        "display_name": "x",
        "password": "a-long-password-1",
        "roles": ["admin"],
        "org_code": "430400",
    }
    resp = client.post("/api/v1/users", headers=admin.headers, json=body)
    assert resp.status_code == 409
    assert resp.json()["error"]["field"] == "username"


def test_no_route_can_change_the_audit_log(client):
    admin = login_as(client, "admin")
    for method in ("put", "patch", "delete", "post"):
        resp = client.request(method, "/api/v1/audit", headers=admin.headers)
        assert resp.status_code == 405


def test_audit_time_filters_need_a_timezone(client):
    supervisor = login_as(client, "supervisor")
    naive = client.get("/api/v1/audit", headers=supervisor.headers,
                       params={"since": "2026-11-23T08:00:00"})
    assert naive.status_code == 422 and naive.json()["error"]["field"] == "since"
    aware = client.get("/api/v1/audit", headers=supervisor.headers,
                       params={"since": "2026-11-23T08:00:00+08:00", "action": "login"})
    assert aware.status_code == 200
    assert any(e["username"] == "supervisor" for e in aware.json())
