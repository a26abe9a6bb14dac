"""A watch hit reaches who may act on it, live: the case's members wherever they sit and the
watch's area, never another station's users; the verdict on the read follows the same way."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.bus import consumers_from_now, drain
from tests.cases.helpers import open_case
from tests.conftest import Login, login_as
from yanyun.auth import service as auth_service
from yanyun.auth.models import OrgUnit
from yanyun.core import events
from yanyun.core.bus import EventRunner
from yanyun.web.live import EventHub, Subscriber

PLATE = "湘D8B012"


def _investigator(client, admin: Login, username: str, station: str) -> Login:
    """An investigator (sightings search, case work) at a station; logged in."""
    made = client.post("/api/v1/users", headers=admin.headers, json={
        "username": username, "display_name": username, "password": "a-long-password-1",
        "roles": ["analyst"], "org_code": station})
    assert made.status_code == 201, made.text
    resp = client.post("/api/v1/auth/login",
                       json={"username": username, "password": "a-long-password-1"})
    client.cookies.clear()
    return Login(resp.json()["access_token"])


def _watched_case(client, session, clock, admin: Login):
    """A case of the bureau's analyst with a member from station A; its plate on watch."""
    stations = session.scalars(select(OrgUnit.code).where(OrgUnit.kind == "station")
                               .order_by(OrgUnit.code)).all()
    member = _investigator(client, admin, "inv.a", stations[0])
    stranger = _investigator(client, admin, "inv.b", stations[1])
    analyst = login_as(client, "analyst")
    case = open_case(client, analyst)
    added = client.post(f"/api/v1/cases/{case['id']}/members", headers=analyst.headers,
                        json={"username": "inv.a"})
    assert added.status_code == 201, added.text
    entry = client.post("/api/v1/intel/watches", headers=analyst.headers, json={
        "plate": PLATE, "case_number": case["number"], "reason": "肇事逃逸嫌疑车辆",
        "expires_at": (clock.now() + timedelta(days=1)).isoformat()}).json()["id"]
    approved = client.post(f"/api/v1/intel/watches/{entry}/decision",
                           headers=login_as(client, "supervisor").headers, json={"approve": True})
    assert approved.json()["status"] == "active"
    return case, member, stranger


def _ingest(client, admin: Login, clock, batch: str, camera: str, plate: str = PLATE):
    seen = (clock.now() - timedelta(minutes=5)).isoformat()
    return client.post("/api/v1/intel/sightings/batches", headers=admin.headers, json={
        "batch_id": batch, "rows": [{"plate": plate, "camera": camera, "seen_at": seen}]})


def _kinds(client, login: Login, after: int) -> list[dict]:
    got = client.get(f"/api/v1/events?after={after}&limit=1000", headers=login.headers)
    assert got.status_code == 200, got.text
    return [e for e in got.json() if e["kind"].startswith(("watch.", "case."))]


def _subscriber(session, clock, login: Login) -> Subscriber:
    """A live subscriber as the socket makes one for this login."""
    actor = auth_service.authenticate(session=session, clock=clock, token=login.token)
    return Subscriber(scope_path=actor.org_path, user_id=actor.user_id,
                      hidden_kinds=events.kinds_needing(p.value for p in actor.permissions))


def test_a_hit_and_its_verdict_reach_the_members_and_the_area_not_another_station(
    client, cameras, session, clock, runtime
):
    start = consumers_from_now(session, clock, "cases.watch_hits", "cases.watch_decisions")
    session.commit()
    admin = login_as(client, "admin")
    case, member, stranger = _watched_case(client, session, clock, admin)
    operator, officer = login_as(client, "dispatcher"), login_as(client, "officer")
    supervisor = login_as(client, "supervisor")
    runner = EventRunner(runtime, [])
    runner.live.cursor = start
    runner.read_live()  # the setup's events: the socket below joins after them
    hub = EventHub(runtime, runner)
    subs = {name: _subscriber(session, clock, login) for name, login in
            (("member", member), ("stranger", stranger), ("operator", operator),
             ("supervisor", supervisor))}
    hub.subscribers.update(subs.values())

    assert _ingest(client, admin, clock, "watched-1", cameras.codes[0]).json()["accepted"] == 1
    hub.publish_many(runner.read_live())
    raised = [subs["member"].queue.get_nowait().wire
              for _ in range(subs["member"].queue.qsize())]
    [hit] = [e for e in raised if e["kind"] == "watch.hit"]
    assert hit["payload"]["case_number"] == case["number"]
    assert hit["payload"]["read_plate"] == PLATE and hit["payload"]["hit_id"]
    assert hit["payload"]["image_ref"].startswith(cameras.codes[0] + "/")
    assert "audience" not in hit  # who else follows it is not on the wire
    assert subs["operator"].queue.qsize() == 1  # the command centre's operator: by area
    assert subs["stranger"].queue.empty()
    assert subs["supervisor"].queue.empty()  # by area, but without the right to search
    # The list (what a socket catches up from) follows the same rule.
    assert [e["kind"] for e in _kinds(client, member, start)].count("watch.hit") == 1
    assert _kinds(client, stranger, start) == []
    assert _kinds(client, officer, start) == []  # no sightings search: not even its kind

    # The member checks the image and confirms; the others' consoles hear it.
    done = client.post(f"/api/v1/intel/watch-hits/{hit['payload']['hit_id']}/decision",
                       headers=member.headers, json={"confirm": True})
    assert done.status_code == 200 and done.json()["status"] == "confirmed"
    hub.publish_many(runner.read_live())
    subs["operator"].queue.get_nowait()
    [decided] = [subs["operator"].queue.get_nowait().wire for _ in range(1)]
    assert (decided["kind"], decided["payload"]["status"]) == ("watch.hit_decided", "confirmed")
    assert subs["member"].queue.qsize() == 1 and subs["stranger"].queue.empty()

    # The case's timeline takes both, and says so to its members' workspaces.
    assert drain(runtime, "cases.watch_hits", session=session) == 1
    assert drain(runtime, "cases.watch_decisions", session=session) == 1
    kinds = [e["kind"] for e in client.get(f"/api/v1/cases/{case['id']}",
                                           headers=member.headers).json()["timeline"]]
    assert "watch_hit" in kinds and "watch_decided" in kinds
    changed = [e for e in _kinds(client, member, start) if e["kind"] == "case.changed"]
    assert {e["payload"]["what"] for e in changed} >= {"watch_hit", "watch_decided"}
    assert all(e["kind"] != "case.changed" for e in _kinds(client, stranger, start))


def test_a_watch_past_its_expiry_matches_nothing(client, cameras, session, clock):
    """Not ended by anyone: its time ran out, and the next batch passes it by."""
    admin = login_as(client, "admin")
    case, _, _ = _watched_case(client, session, clock, admin)
    assert _ingest(client, admin, clock, "in-time", cameras.codes[1]).json()["accepted"] == 1
    analyst = login_as(client, "analyst")
    assert len(client.get("/api/v1/intel/watch-hits", headers=analyst.headers).json()) == 1
    clock.advance(timedelta(days=1, minutes=1))
    admin, analyst = login_as(client, "admin"), login_as(client, "analyst")  # new day, new login
    assert _ingest(client, admin, clock, "too-late", cameras.codes[2]).json()["accepted"] == 1
    hits = client.get("/api/v1/intel/watch-hits", headers=analyst.headers).json()
    assert [h["camera"] for h in hits] == [cameras.codes[1]]
    assert all(h["case_number"] == case["number"] for h in hits)


def test_a_pending_hit_waits_in_the_operators_inbox_until_its_verdict(
    client, cameras, session, clock
):
    admin = login_as(client, "admin")
    case, _member, _stranger = _watched_case(client, session, clock, admin)
    operator, officer = login_as(client, "dispatcher"), login_as(client, "officer")
    assert _ingest(client, admin, clock, "inbox-1", cameras.codes[0]).json()["accepted"] == 1

    def watch_items(login: Login) -> list[dict]:
        resp = client.get("/api/v1/me/inbox", headers=login.headers)
        assert resp.status_code == 200, resp.text
        return [i for i in resp.json()["items"] if i["kind"] == "watch"]

    [item] = watch_items(operator)
    assert item["title"] == f"{case['number']} · {cameras.codes[0]}"
    assert PLATE not in item["title"]  # the plate stays on the console's alert card
    assert watch_items(officer) == []  # no sightings search, no watch hits
    home = client.get("/api/v1/me/home", headers=operator.headers).json()
    [count] = [c for c in home["counts"] if c["key"] == "watch_pending"]
    assert count["count"] == 1 and count["urgent"]

    hit_id = item["key"].removeprefix("watch:")
    done = client.post(f"/api/v1/intel/watch-hits/{hit_id}/decision",
                       headers=operator.headers, json={"confirm": False})
    assert done.status_code == 200, done.text
    assert watch_items(operator) == []
