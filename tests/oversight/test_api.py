"""Supervised tasks over HTTP: who sees which task, who may verify, the lifecycle, the work list."""

from datetime import timedelta

from tests.conftest import login_as
from tests.oversight.helpers import other_station, station_of
from yanyun.auth.schemas import UserCreate
from yanyun.auth.service import create_user

TASKS = "/api/v1/oversight/tasks"


def _me(client, login):
    return client.get("/api/v1/auth/me", headers=login.headers).json()["user"]


def _give(client, login, **body):
    body.setdefault("title", "走访辖区重点单位")
    resp = client.post(TASKS, headers=login.headers, json=body)
    assert resp.status_code == 201, resp.text
    return resp.json()


def _ids(client, login, **params):
    resp = client.get(TASKS, headers=login.headers, params=params)
    assert resp.status_code == 200, resp.text
    return {t["id"] for t in resp.json()["items"]}


def _second_officer(session, clock, org_code, username="officer2"):
    user = create_user(session=session, clock=clock, user_in=UserCreate(
        username=username, display_name="社区民警 吴", password="officer2-pass-2026",
        roles=["station_officer"], org_code=org_code))
    session.commit()
    return user


def _login(client, username, password):
    resp = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert resp.status_code == 200, resp.text
    return type("L", (), {"headers": {"Authorization": f"Bearer {resp.json()['access_token']}"}})


def test_officer_sees_own_tasks_chief_the_station_supervisor_the_city(client, session, clock):
    supervisor, chief, officer = (login_as(client, u) for u in ("supervisor", "chief", "officer"))
    station = station_of(session, "officer")
    elsewhere = other_station(session, station.code)
    _second_officer(session, clock, station.code)
    colleague = _login(client, "officer2", "officer2-pass-2026")

    mine = _give(client, chief, owner_user_id=_me(client, officer)["id"])
    theirs = _give(client, chief, owner_user_id=_me(client, colleague)["id"])
    station_task = _give(client, chief, owner_org_code=station.code)
    far = _give(client, supervisor, owner_org_code=elsewhere.code)

    assert _ids(client, officer) == {mine["id"]}
    assert _ids(client, colleague) == {theirs["id"]}
    assert _ids(client, chief) >= {mine["id"], theirs["id"], station_task["id"]}
    assert far["id"] not in _ids(client, chief)
    assert _ids(client, supervisor) >= {mine["id"], theirs["id"], station_task["id"], far["id"]}
    # Out of sight is absent, not forbidden: existence does not leak.
    assert client.get(f"{TASKS}/{theirs['id']}", headers=officer.headers).status_code == 404
    assert client.get(f"{TASKS}/{far['id']}", headers=chief.headers).status_code == 404
    # A chief cannot hand work to another station; an officer cannot hand out work at all.
    resp = client.post(TASKS, headers=chief.headers,
                       json={"title": "越权交办", "owner_org_code": elsewhere.code})
    assert resp.status_code == 422 and resp.json()["error"]["field"] == "owner_org_code"
    resp = client.post(TASKS, headers=officer.headers,
                       json={"title": "自行交办", "owner_org_code": station.code})
    assert resp.status_code == 403


def test_the_verifier_must_be_someone_other_than_the_doer(client, session):
    supervisor, chief, officer = (login_as(client, u) for u in ("supervisor", "chief", "officer"))
    task = _give(client, chief, owner_org_code=station_of(session, "chief").code)
    url = f"{TASKS}/{task['id']}/actions"
    resp = client.post(url, headers=chief.headers,
                       json={"action": "done", "note": "已走访", "evidence": ["doc:visit-001"]})
    assert resp.status_code == 200 and resp.json()["status"] == "done"
    resp = client.post(url, headers=chief.headers, json={"action": "verify"})
    assert resp.status_code == 403
    assert "他人核验" in resp.json()["error"]["message"]["zh-CN"]
    # An officer does not even see a station task, let alone verify it.
    assert client.post(url, headers=officer.headers, json={"action": "verify"}).status_code == 404
    resp = client.post(url, headers=supervisor.headers, json={"action": "verify"})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["status"] == "verified" and body["verified_by"] != body["done_by"]
    assert [s["kind"] for s in body["steps"]] == ["created", "done", "verified"]
    assert body["evidence"] == ["doc:visit-001"]


def test_rejected_task_goes_back_to_open_with_a_reason(client, session):
    supervisor, officer = login_as(client, "supervisor"), login_as(client, "officer")
    task = _give(client, supervisor, owner_user_id=_me(client, officer)["id"])
    url = f"{TASKS}/{task['id']}/actions"
    assert client.post(url, headers=officer.headers, json={"action": "start"}).json()[
        "status"] == "in_progress"
    assert client.post(url, headers=officer.headers, json={"action": "done"}).status_code == 200
    # The owner may do the task but holds no permission to verify it.
    resp = client.post(url, headers=officer.headers, json={"action": "verify"})
    assert resp.status_code == 403
    resp = client.post(url, headers=supervisor.headers, json={"action": "reject"})
    assert resp.status_code == 422 and resp.json()["error"]["field"] == "note"
    resp = client.post(url, headers=supervisor.headers,
                       json={"action": "reject", "note": "缺少整改照片"})
    assert resp.status_code == 200 and resp.json()["status"] == "open"
    assert resp.json()["done_by"] is None
    # Verifying an open task is a conflict, not a silent no-op.
    resp = client.post(url, headers=supervisor.headers, json={"action": "verify"})
    assert resp.status_code == 409


def test_work_list_splits_due_today_overdue_and_done_today(client, session, clock):
    supervisor, officer = login_as(client, "supervisor"), login_as(client, "officer")
    me = _me(client, officer)["id"]
    soon = _give(client, supervisor, owner_user_id=me, title="上午交办",
                 due_at=(clock.now() + timedelta(hours=1)).isoformat())
    later = _give(client, supervisor, owner_user_id=me, title="今日办结")
    tomorrow = _give(client, supervisor, owner_user_id=me, title="明日任务",
                     due_at=(clock.now() + timedelta(days=1)).isoformat())
    client.post(f"{TASKS}/{later['id']}/actions", headers=officer.headers, json={"action": "done"})
    clock.advance(timedelta(hours=2))
    officer = login_as(client, "officer")
    work = client.get("/api/v1/oversight/worklist", headers=officer.headers).json()
    assert work["day"] == "2026-11-23"
    assert [t["id"] for t in work["overdue"]] == [soon["id"]]
    assert work["overdue"][0]["overdue"] is True
    assert [t["id"] for t in work["done_today"]] == [later["id"]]
    assert tomorrow["id"] not in {t["id"] for t in work["due_today"]}


def test_bad_task_input_answers_422_with_the_field(client, session, clock):
    chief = login_as(client, "chief")
    station = station_of(session, "chief").code
    for body, field in (
        ({"title": "x", "owner_org_code": station}, "title"),
        ({"title": "无责任人"}, "owner_org_code"),
        ({"title": "未知单位", "owner_org_code": "NOPE"}, "owner_org_code"),
        ({"title": "过去的截止", "owner_org_code": station,
          "due_at": (clock.now() - timedelta(hours=1)).isoformat()}, "due_at"),
        ({"title": "无时区", "owner_org_code": station, "due_at": "2026-11-23T18:00:00"},
         "due_at"),
    ):
        resp = client.post(TASKS, headers=chief.headers, json=body)
        assert resp.status_code == 422, (body, resp.text)
        assert resp.json()["error"]["field"] == field, (body, resp.json())
    resp = client.post(f"{TASKS}/nope/actions", headers=chief.headers, json={"action": "fly"})
    assert resp.status_code == 422
