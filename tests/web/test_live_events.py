"""The live event stream over a real database with committed data."""

import asyncio
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from tests.conftest import (
    drop_database,
    fresh_database_url,
    login_as,
    make_settings,
    prepare_database,
)
from yanyun.core.bus import EventRunner
from yanyun.core.clock import SystemClock
from yanyun.core.db import build_runtime
from yanyun.web.app import create_app
from yanyun.web.live import EventHub


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def live_client(request, tmp_path_factory, worker_id) -> Iterator[TestClient]:
    url = fresh_database_url(request.param, f"live_{worker_id}", tmp_path_factory.mktemp("live"))
    clock = SystemClock()
    prepare_database(url, clock)
    settings = make_settings(url)
    settings.web.event_poll_s = 0.05
    runtime = build_runtime(settings, clock=clock)
    with TestClient(create_app(settings, runtime=runtime)) as client:
        yield client
    runtime.engine.dispose()
    drop_database(url)


def _create_user(client, admin, username, org_code="430400"):
    resp = client.post(
        "/api/v1/users",
        headers=admin.headers,
        json={
            "username": username,
            "display_name": username,
            "password": "a-long-password-1",
            "roles": ["dispatcher"],
            "org_code": org_code,
        },
    )
    assert resp.status_code == 201, resp.text
    return resp.json()["id"]


def _next_event(ws, kind: str = "user.created"):
    """The next event of `kind`; the app's jobs may publish others (notifications) meanwhile."""
    while True:
        message = ws.receive_json()
        if message["type"] == "event" and message["kind"] == kind:
            return message


def test_committed_change_reaches_subscriber(live_client):
    admin = login_as(live_client, "admin")
    with live_client.websocket_connect("/api/v1/events/ws") as ws:
        ws.send_json({"token": admin.token, "after": 0})
        assert ws.receive_json()["type"] == "ready"
        user_id = _create_user(live_client, admin, "live.one")
        event = _next_event(ws)
    assert (event["kind"], event["resource_id"]) == ("user.created", user_id)


def test_reconnect_resumes_from_last_seen_id(live_client):
    admin = login_as(live_client, "admin")
    with live_client.websocket_connect("/api/v1/events/ws") as ws:
        ws.send_json({"token": admin.token, "after": 0})
        ws.receive_json()
        _create_user(live_client, admin, "live.two")
        last_seen = _next_event(ws)["id"]
    missed = [_create_user(live_client, admin, f"live.missed{n}") for n in range(3)]
    newest = live_client.get(
        "/api/v1/events", headers=admin.headers, params={"after": last_seen}
    ).json()[-1]["id"]
    hub = live_client.app.state.event_hub
    for _ in range(200):  # let the hub pass them, so only the catch-up can deliver them
        if hub.cursor >= newest:
            break
        time.sleep(0.025)
    assert hub.cursor >= newest
    with live_client.websocket_connect("/api/v1/events/ws") as ws:
        ws.send_json({"token": admin.token, "after": last_seen})
        messages = [ws.receive_json() for _ in range(len(missed) + 1)]
    assert [m["type"] for m in messages] == ["event"] * len(missed) + ["ready"]
    assert [m["resource_id"] for m in messages[:-1]] == missed
    assert messages[-1]["last_id"] >= messages[-2]["id"]


def test_station_officer_only_receives_events_in_their_scope(live_client):
    admin = login_as(live_client, "admin")
    officer = login_as(live_client, "officer")
    station = live_client.get("/api/v1/auth/me", headers=officer.headers).json()["user"]["org_code"]
    with live_client.websocket_connect("/api/v1/events/ws") as ws:
        ws.send_json({"token": officer.token, "after": 0})
        ws.receive_json()
        _create_user(live_client, admin, "live.city")  # city level: not for the station
        local = _create_user(live_client, admin, "live.local", org_code=station)
        event = _next_event(ws)
    assert event["resource_id"] == local


def test_bad_token_closes_the_socket_with_a_reason(live_client):
    with live_client.websocket_connect("/api/v1/events/ws") as ws:
        ws.send_json({"token": "nope", "after": 0})
        message = ws.receive_json()
    assert message["type"] == "error" and message["code"] == "unauthenticated"
    assert "登录" in message["message"]["zh-CN"]


def test_hub_knows_its_start_position_before_serving(live_client):
    """A client served before the first poll must not take cursor 0 for "now"."""
    admin = login_as(live_client, "admin")
    _create_user(live_client, admin, "live.before")
    runtime = live_client.app.state.runtime
    latest = live_client.get("/api/v1/events", headers=admin.headers, params={"limit": 1000})
    newest = latest.json()[-1]["id"]

    async def start_and_read() -> int:
        hub = EventHub(runtime, EventRunner(runtime, []))
        await hub.start()
        return hub.cursor  # read before the runner gets a turn

    assert asyncio.run(start_and_read()) >= newest


def test_one_incident_event_reaches_the_page_and_every_consumer_through_the_one_runner(
    live_client,
):
    """Published once in the dispatcher's transaction; the runner, woken by the commit, hands it
    to the WebSocket and to each context that follows incidents."""
    from sqlalchemy import select

    from yanyun.community.models import IncidentRef
    from yanyun.core.cursors import EventCursor
    from yanyun.core.db import read_session
    from yanyun.opinion.models import KnownIncident

    dispatcher = login_as(live_client, "dispatcher")
    runtime = live_client.app.state.runtime
    with live_client.websocket_connect("/api/v1/events/ws") as ws:
        ws.send_json({"token": dispatcher.token, "after": 0})
        assert ws.receive_json()["type"] == "ready"
        resp = live_client.post("/api/v1/incidents", headers=dispatcher.headers, json={
            "narrative": "衡阳东站门口有人打架", "lng": 112.6885, "lat": 26.8992,
            "category_code": "20",
        })
        assert resp.status_code == 201, resp.text
        incident_id = resp.json()["id"]
        event = _next_event(ws, "incident.received")
    assert (event["kind"], event["resource_id"]) == ("incident.received", incident_id)
    followers = ("community.incidents", "opinion.incidents")
    deadline = time.monotonic() + 10
    while True:
        with read_session(runtime) as session:
            cursors = {c.name: c.last_id for c in session.scalars(
                select(EventCursor).where(EventCursor.name.in_(followers)))}
            copies = (session.get(IncidentRef, incident_id),
                      session.get(KnownIncident, incident_id))
        if all(cursors.get(name, 0) >= event["id"] for name in followers) and all(copies):
            break
        assert time.monotonic() < deadline, (cursors, copies)
        time.sleep(0.05)
    assert copies[0].number == copies[1].number == event["payload"]["number"]


@pytest.fixture
def quick_recheck(live_client):
    web = live_client.app.state.runtime.settings.web
    before = web.socket_recheck_s
    web.socket_recheck_s = 0.2
    yield
    web.socket_recheck_s = before


def test_a_socket_closes_soon_after_its_user_logs_out(live_client, quick_recheck):
    duty = login_as(live_client, "duty")
    with live_client.websocket_connect("/api/v1/events/ws") as ws:
        ws.send_json({"token": duty.token, "after": 0})
        assert ws.receive_json()["type"] == "ready"
        assert live_client.post("/api/v1/auth/logout", headers=duty.headers).status_code == 204
        message = ws.receive_json()
        assert message["type"] == "error" and message["code"] == "unauthenticated"
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 4401


def test_opinion_events_reach_only_those_who_may_read_opinion(live_client):
    admin = login_as(live_client, "admin")
    opinion = login_as(live_client, "opinion")
    dispatcher = login_as(live_client, "dispatcher")
    marker = live_client.get("/api/v1/events", headers=admin.headers,
                             params={"after": 0, "limit": 1000}).json()
    after = marker[-1]["id"] if marker else 0
    text = "网传衡阳东站进站口有人持刀伤人，现场旅客惊慌逃散，尚无官方通报。"
    posts = [{"source": "weibo", "external_id": f"live-op-{n}", "text": f"{text}{n}"}
             for n in range(4)]
    resp = live_client.post("/api/v1/opinion/posts", headers=opinion.headers,
                            json={"posts": posts})
    assert resp.status_code in (200, 201), resp.text

    def kinds(login) -> set[str]:
        got = live_client.get("/api/v1/events", headers=login.headers,
                              params={"after": after, "limit": 1000}).json()
        return {e["kind"] for e in got}

    assert any(k.startswith("opinion.") for k in kinds(opinion))
    assert not any(k.startswith("opinion.") for k in kinds(dispatcher))


def test_a_station_user_pages_past_events_of_other_stations(live_client):
    admin = login_as(live_client, "admin")
    officer = login_as(live_client, "officer")
    station = live_client.get("/api/v1/auth/me", headers=officer.headers).json()["user"]["org_code"]
    start = live_client.get("/api/v1/events", headers=admin.headers,
                            params={"after": 0, "limit": 1000}).json()
    after = start[-1]["id"] if start else 0
    for n in range(5):
        _create_user(live_client, admin, f"live.page.city{n}")
    local = _create_user(live_client, admin, "live.page.local", org_code=station)
    # Five events the officer may not see come first: a page of two still finds theirs.
    page = live_client.get("/api/v1/events", headers=officer.headers,
                           params={"after": after, "limit": 2}).json()
    assert [e["resource_id"] for e in page] == [local]


def _item(event_id: int, kind: str, org_path: str, audience: str = "") -> dict:
    return {"type": "event", "id": event_id, "at": "2026-03-01T08:00:00+00:00", "kind": kind,
            "resource_type": "incident", "resource_id": f"r{event_id}", "org_path": org_path,
            "actor": None, "payload": {"n": "一"}, "audience": audience}


def test_the_hub_encodes_an_event_once_for_every_socket_that_follows_it(live_client):
    import json

    from yanyun.web.live import Subscriber

    hub = live_client.app.state.event_hub
    hub = EventHub(hub.runtime, hub.runner)  # a hub of its own: no socket of the app's
    city = [Subscriber(scope_path="4304") for _ in range(3)]
    station = Subscriber(scope_path="4304/430405/S99")
    member = Subscriber(scope_path="4304/430406/S01", user_id="u-member")
    colleague = Subscriber(scope_path="4304/430406/S01", user_id="u-colleague")
    hidden = Subscriber(scope_path="4304", hidden_kinds=frozenset({"incident.received"}))
    hub.subscribers.update([*city, station, member, colleague, hidden])

    hub.publish(_item(7, "incident.received", "4304/430405/S01", audience=" u-member "))

    sent = [s.queue.get_nowait() for s in city]
    assert all(o is sent[0] for o in sent)  # one object, one encoding, for every socket
    assert json.loads(sent[0].text) == sent[0].wire and "audience" not in sent[0].wire
    assert sent[0].wire["payload"] == {"n": "一"} and "一" in sent[0].text
    assert member.queue.get_nowait() is sent[0]  # named in the audience, from another station
    assert colleague.queue.empty() and station.queue.empty() and hidden.queue.empty()


def test_a_socket_backlog_sends_incidents_before_positions_otherwise_in_id_order():
    from yanyun.web.live import Outgoing, take_backlog

    queue: asyncio.Queue = asyncio.Queue()
    kinds = ["units.moved", "incident.received", "units.moved", "unit.dispatched",
             "units.moved"]
    items = [Outgoing.of(_item(n, kind, "4304")) for n, kind in enumerate(kinds, start=10)]
    for item in items[1:]:
        queue.put_nowait(item)
    assert [o.id for o in take_backlog(items[0], queue)] == [11, 13, 10, 12, 14]
    assert queue.empty()
    assert take_backlog(items[0], queue) == [items[0]]


def test_an_incident_reaches_the_socket_while_positions_flow(live_client):
    """Batches of fixes before and after a new incident: the socket gets every event the
    dispatcher may follow, each once, the incident's among them."""
    from datetime import timedelta

    dispatcher = login_as(live_client, "dispatcher")
    clock = live_client.app.state.runtime.clock
    fleet = live_client.get("/api/v1/units", headers=dispatcher.headers,
                            params={"limit": 40}).json()
    assert len(fleet) >= 10
    base = clock.now()

    def send_fixes(step: int) -> None:
        at = (base + timedelta(milliseconds=step)).isoformat()
        batch = [{"unit_id": u["id"], "lng": u["lng"] + 0.0001 * step, "lat": u["lat"], "at": at}
                 for u in fleet]
        resp = live_client.post("/api/v1/units/positions", headers=dispatcher.headers,
                                json={"positions": batch})
        assert resp.status_code == 200 and resp.json()["accepted"] == len(fleet), resp.text

    with live_client.websocket_connect("/api/v1/events/ws") as ws:
        ws.send_json({"token": dispatcher.token, "after": 0})
        ready = ws.receive_json()
        assert ready["type"] == "ready"
        for step in range(1, 4):
            send_fixes(step)
        resp = live_client.post("/api/v1/incidents", headers=dispatcher.headers, json={
            "narrative": "定位上报期间的新警情", "lng": 112.6885, "lat": 26.8992,
            "category_code": "20",
        })
        assert resp.status_code == 201, resp.text
        incident_id = resp.json()["id"]
        for step in range(4, 7):
            send_fixes(step)
        listed = live_client.get("/api/v1/events", headers=dispatcher.headers,
                                 params={"after": ready["last_id"], "limit": 1000}).json()
        expected = {e["id"] for e in listed}
        got: list[dict] = []
        while not expected <= {e["id"] for e in got}:
            message = ws.receive_json()
            if message["type"] == "event":
                got.append(message)
    ids = [e["id"] for e in got]
    assert len(ids) == len(set(ids))
    moved = [e for e in got if e["kind"] == "units.moved"]
    assert sum(len(e["payload"]["positions"]) for e in moved) >= 6 * len(fleet)
    assert any(e["kind"] == "incident.received" and e["resource_id"] == incident_id for e in got)
