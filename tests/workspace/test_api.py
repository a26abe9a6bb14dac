"""The shell's API: the menu follows the pages' permissions, the inbox and search their scope."""

from __future__ import annotations

from sqlalchemy import select

from tests.command.helpers import create_incident, grid_point
from tests.conftest import login_as
from tests.oversight.helpers import other_station, station_of
from yanyun import registry
from yanyun.auth.demo import DEMO_USERS
from yanyun.auth.models import User
from yanyun.auth.permissions import Perm, permissions_of
from yanyun.geo.models import Grid

HOME = "/api/v1/me/home"
INBOX = "/api/v1/me/inbox"
READ = "/api/v1/me/inbox/read"
SEARCH = "/api/v1/search"
TASKS = "/api/v1/oversight/tasks"

OFFICE_USERS = [u for u in DEMO_USERS if u.role.value != "volunteer"]


def _user_id(session, username: str) -> str:
    return session.scalars(select(User.id).where(User.username == username)).one()


def test_menu_offers_exactly_the_pages_each_role_may_open(client):
    pages = {p.path: p for _, p in registry.pages()}
    for demo in OFFICE_USERS:
        login = login_as(client, demo.username)
        resp = client.get(HOME, headers=login.headers)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        granted = permissions_of([demo.role.value])
        offered = {m["path"] for m in body["modules"]}
        assert not any(p == "/m" or p.startswith("/m/") for p in offered), demo.username
        for path, page in pages.items():
            may = (page.nav and "{" not in path and path != "/m" and not path.startswith("/m/")
                   and page.permission is not None and Perm(page.permission) in granted)
            assert (path in offered) == may, (demo.username, path)
        assert body["home"] in offered | {"/home"}, (demo.username, body["home"])


def test_each_role_starts_at_its_own_desk(client):
    homes = {}
    for demo in OFFICE_USERS:
        resp = client.get(HOME, headers=login_as(client, demo.username).headers)
        homes[demo.username] = resp.json()["home"]
    assert homes == {
        "admin": "/map", "dispatcher": "/console", "analyst": "/forecast", "duty": "/wall",
        "opinion": "/opinion", "supervisor": "/oversight/board", "officer": "/home",
        "chief": "/home",
    }


def test_a_page_not_offered_still_refuses_its_data(client):
    officer = login_as(client, "officer")
    offered = {m["path"] for m in client.get(HOME, headers=officer.headers).json()["modules"]}
    assert "/opinion" not in offered and "/console" not in offered
    assert client.get("/api/v1/opinion/events", headers=officer.headers).status_code == 403


def test_a_task_given_to_me_reaches_my_inbox_and_my_read_mark_is_mine_alone(client, session):
    supervisor = login_as(client, "supervisor")
    officer = login_as(client, "officer")
    chief = login_as(client, "chief")
    before = client.get(INBOX, headers=officer.headers).json()
    resp = client.post(TASKS, headers=supervisor.headers, json={
        "title": "核查幸福路夜市消防通道", "owner_user_id": _user_id(session, "officer")})
    assert resp.status_code == 201, resp.text
    task_key = f"task:{resp.json()['id']}"

    inbox = client.get(INBOX, headers=officer.headers).json()
    assert inbox["unread"] == before["unread"] + 1
    item = next(i for i in inbox["items"] if i["key"] == task_key)
    assert item["kind"] == "task" and not item["read"] and item["title"].startswith("核查")
    home = client.get(HOME, headers=officer.headers).json()
    assert home["unread"] == inbox["unread"]
    assert next(c for c in home["counts"] if c["key"] == "tasks_mine")["count"] >= 1

    # Another user (the chief, same station) has no such item on their own desk.
    chief_keys = {i["key"] for i in client.get(INBOX, headers=chief.headers).json()["items"]}
    assert task_key not in chief_keys

    marked = client.post(READ, headers=officer.headers, json={"keys": [task_key]})
    assert marked.status_code == 200, marked.text
    assert marked.json() == {"changed": 1, "unread": inbox["unread"] - 1}
    again = client.get(INBOX, headers=officer.headers).json()
    assert next(i for i in again["items"] if i["key"] == task_key)["read"]
    # Marking an item not on my desk stores nothing; unread again restores the count.
    assert client.post(READ, headers=chief.headers,
                       json={"keys": [task_key]}).json()["changed"] == 0
    undo = client.post(READ, headers=officer.headers, json={"keys": [task_key], "read": False})
    assert undo.json() == {"changed": 1, "unread": inbox["unread"]}


def test_a_unit_task_reaches_the_chief_of_that_station_not_another(client, session):
    supervisor = login_as(client, "supervisor")
    chief = login_as(client, "chief")
    mine = station_of(session, "chief")
    other = other_station(session, mine.code)
    keys = []
    for code in (mine.code, other.code):
        resp = client.post(TASKS, headers=supervisor.headers,
                           json={"title": f"清查出租屋 {code}", "owner_org_code": code})
        assert resp.status_code == 201, resp.text
        keys.append(f"task:{resp.json()['id']}")
    desk = {i["key"] for i in client.get(INBOX, headers=chief.headers).json()["items"]}
    assert keys[0] in desk and keys[1] not in desk


def test_the_dispatcher_inbox_holds_an_incident_waiting_for_dispatch(client, session):
    dispatcher = login_as(client, "dispatcher")
    incident = create_incident(client, dispatcher.headers, grid_point(session))
    items = client.get(INBOX, headers=dispatcher.headers).json()["items"]
    assert f"dispatch:{incident['id']}" in {i["key"] for i in items}
    counts = {c["key"]: c for c in client.get(HOME, headers=dispatcher.headers).json()["counts"]}
    assert counts["incidents_waiting"]["count"] >= 1
    assert counts["incidents_waiting"]["href"] == "/console"


def test_mark_read_is_bounded_and_named(client):
    officer = login_as(client, "officer")
    resp = client.post(READ, headers=officer.headers, json={"keys": []})
    assert resp.status_code == 422
    assert resp.json()["error"]["field"]
    resp = client.post(READ, headers=officer.headers, json={"keys": ["x" * 65]})
    assert resp.status_code == 422


def test_search_finds_an_incident_by_number_only_within_scope(client, session):
    dispatcher = login_as(client, "dispatcher")
    grid = grid_point(session)
    incident = create_incident(client, dispatcher.headers, grid)
    found = client.get(SEARCH, params={"q": incident["number"]}, headers=dispatcher.headers)
    assert found.status_code == 200, found.text
    hits = [r for r in found.json()["results"] if r["kind"] == "incident"]
    assert [h["title"] for h in hits] == [incident["number"]]

    officer = login_as(client, "officer")
    officer_station = station_of(session, "officer").code
    hits = [r for r in client.get(SEARCH, params={"q": incident["number"]},
                                  headers=officer.headers).json()["results"]
            if r["kind"] == "incident"]
    assert bool(hits) == (grid.station_code == officer_station)


def test_search_finds_a_grid_by_name_and_a_station_by_code(client, session):
    officer = login_as(client, "officer")
    grid = session.scalars(select(Grid).order_by(Grid.code.desc())).first()
    body = client.get(SEARCH, params={"q": grid.name_zh}, headers=officer.headers).json()
    assert any(r["kind"] == "grid" and r["sub"] == grid.code for r in body["results"])
    body = client.get(SEARCH, params={"q": grid.station_code}, headers=officer.headers).json()
    assert any(r["kind"] == "station" and r["sub"] == grid.station_code for r in body["results"])


def test_search_finds_a_place_through_the_gazetteer(client):
    analyst = login_as(client, "analyst")
    body = client.get(SEARCH, params={"q": "衡阳东站"}, headers=analyst.headers).json()
    assert any(r["kind"] == "place" and r["title"] == "衡阳东站" for r in body["results"])


def test_search_finds_a_task_only_for_those_who_see_it(client, session):
    supervisor = login_as(client, "supervisor")
    resp = client.post(TASKS, headers=supervisor.headers, json={
        "title": "督办蒸湘北路占道经营整治", "owner_user_id": _user_id(session, "officer")})
    assert resp.status_code == 201, resp.text
    for username, sees in (("officer", True), ("supervisor", True), ("analyst", False)):
        login = login_as(client, username)
        body = client.get(SEARCH, params={"q": "占道经营整治"}, headers=login.headers).json()
        assert any(r["kind"] == "task" for r in body["results"]) == sees, username


def test_plates_and_phones_are_not_searched_here_but_pointed_to_cases(client):
    analyst = login_as(client, "analyst")
    for q in ("湘D12345", "13807341234", "430405199001011234"):
        body = client.get(SEARCH, params={"q": q}, headers=analyst.headers).json()
        assert body["personal"] and body["results"] == [], q
        assert body["hint"]["href"] == "/cases"
    opinion = login_as(client, "opinion")
    body = client.get(SEARCH, params={"q": "湘D12345"}, headers=opinion.headers).json()
    assert body["personal"] and body["hint"]["href"] is None


def test_search_query_is_bounded(client):
    officer = login_as(client, "officer")
    assert client.get(SEARCH, params={"q": ""}, headers=officer.headers).status_code == 422
    resp = client.get(SEARCH, params={"q": "路" * 65}, headers=officer.headers)
    assert resp.status_code == 422 and resp.json()["error"]["field"]
    assert client.get(SEARCH, params={"q": "%_"}, headers=officer.headers).status_code == 200


def test_volunteers_get_no_office_menu(client):
    volunteer = login_as(client, "volunteer")
    body = client.get(HOME, headers=volunteer.headers).json()
    assert body["modules"] == [] and body["home"] == "/m/volunteer"
