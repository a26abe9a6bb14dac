"""Posts through the API into stories, groups and events; handling to the end; bad input counted."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.bus import consumers_from_now, drain
from tests.conftest import START, login_as
from yanyun.core.events import OutboxEvent
from yanyun.opinion.models import OpinionEvent, Post, Rejection

ARTICLE = (
    "网传11月23日上午,衡阳东站进站口附近有人持刀砍人,造成一人死亡,现场很多旅客惊慌逃散。"
    "有网友称听到了尖叫声,看到地上有血迹,车站一度封闭。目前尚无官方通报,大家出行注意安全。"
)
FIRE = (
    "雁峰区一小区今天下午起火,浓烟从十几楼的窗户冒出来,消防车已经赶到现场,"
    "楼下围了很多居民,希望没有人受伤。据说起火原因是电动车在楼道里充电。"
)


def _push(client, login, posts, status=200):
    resp = client.post("/api/v1/opinion/posts", headers=login.headers, json={"posts": posts})
    assert resp.status_code == status, resp.text
    return resp.json()


def _post(text, **extra):
    return {"source": "weibo", "text": text, "published_at": START.isoformat(), **extra}


def _kinds(session, kind):
    return list(session.scalars(select(OutboxEvent).where(OutboxEvent.kind == kind)))


def test_reposts_join_one_event_and_redelivery_is_idempotent(client, session) -> None:
    login = login_as(client, "opinion")
    later = (START + timedelta(minutes=20)).isoformat()
    first = _push(client, login, [_post(ARTICLE, external_id="m1", author="@甲", reposts=40)])
    assert first["accepted"] == 1 and len(first["events"]) == 1
    again = _push(
        client,
        login,
        [
            _post(ARTICLE, external_id="m1", author="@甲"),
            _post("//@乙:太吓人了 " + ARTICLE, external_id="m2", author="@乙", published_at=later),
        ],
    )
    assert again["duplicates"] == 1 and again["accepted"] == 1
    assert again["events"] == first["events"]
    event = session.get(OpinionEvent, first["events"][0])
    assert event.volume == 2 and event.voices == 2 and event.reach == 40
    assert event.district_code == "430405"
    assert event.velocity_per_h == 2.0
    opened = _kinds(session, "opinion.event_opened")
    assert [e.resource_id for e in opened] == [event.id]
    # Handles are stored only as salted hashes.
    hashes = list(session.scalars(select(Post.author_hash)))
    assert all(h and "甲" not in h and "乙" not in h and len(h) == 32 for h in hashes)


def test_claim_without_incident_is_flagged_until_an_incident_matches(
    client, runtime, session, clock
) -> None:
    consumers_from_now(session, clock, "opinion.incidents")
    session.commit()
    opinion = login_as(client, "opinion")
    body = _push(client, opinion, [_post(ARTICLE, external_id="c1")])
    event = session.get(OpinionEvent, body["events"][0])
    assert event.unverified_claim
    assert event.linked_incident_ids == []

    dispatcher = login_as(client, "dispatcher")
    incident = client.post(
        "/api/v1/incidents",
        headers=dispatcher.headers,
        json={
            "source": "call_110",
            "narrative": "衡阳东站进站口有人持刀伤人",
            "lng": 112.6885,
            "lat": 26.8992,
            "category_code": "10",
            "sub_code": "1004",
            "received_at": START.isoformat(),
        },
    )
    assert incident.status_code == 201, incident.text
    # Opinion keeps its copy of the incident from command's event.
    assert drain(runtime, "opinion.incidents") == 1
    later = (START + timedelta(minutes=30)).isoformat()
    _push(client, opinion, [_post("转发 " + ARTICLE, external_id="c2", published_at=later)])
    session.expire_all()
    event = session.get(OpinionEvent, event.id)
    assert event.linked_incident_ids == [incident.json()["id"]]
    assert not event.unverified_claim
    detail = client.get(f"/api/v1/opinion/events/{event.id}", headers=opinion.headers).json()
    assert detail["incidents"][0]["number"] == incident.json()["number"]
    assert len(detail["stories"]) == 2


def test_different_stories_of_one_place_and_category_form_one_event(client, session) -> None:
    login = login_as(client, "opinion")
    other = (
        "雁峰区那个小区着火了,我在对面楼看到火很大,听说是电动车充电引起的,"
        "大家千万不要把电动车推进楼道充电啊。物业说已经报警了。"
    )
    first = _push(client, login, [_post(FIRE, external_id="f1")])
    second = _push(client, login, [_post(other, external_id="f2")])
    assert first["events"] == second["events"]
    detail = client.get(
        f"/api/v1/opinion/events/{first['events'][0]}", headers=login.headers
    ).json()
    assert detail["groups"] == 2 and detail["category_code"] == "40"


def test_bad_posts_are_rejected_with_reasons_and_counted(client, session) -> None:
    login = login_as(client, "opinion")
    body = _push(
        client,
        login,
        [
            _post("   "),
            _post("<p> </p>"),
            _post("长" * 250_000),
            _post("网传蒸湘区发生火灾,浓烟很大,大家注意安全。", external_id="ok"),
        ],
    )
    assert body["accepted"] == 1
    assert body["rejected"] == {"empty": 2, "too_large": 1}
    assert {r["reason"] for r in body["rejections"]} == {"empty", "too_large"}
    counts = client.get("/api/v1/opinion/rejections", headers=login.headers).json()
    assert {(c["reason"], c["count"]) for c in counts} == {("empty", 2), ("too_large", 1)}
    assert session.scalar(select(Rejection.id).limit(1))


def test_files_in_gbk_jsonl_and_csv_are_read_and_bad_rows_counted(client) -> None:
    login = login_as(client, "opinion")
    gbk = FIRE.encode("gbk")
    r = client.post(
        "/api/v1/opinion/files?filename=page.txt&source=scrape",
        headers=login.headers,
        content=gbk,
    )
    assert r.status_code == 200, r.text
    assert r.json()["accepted"] == 1
    lines = "\n".join(
        [
            '{"id": "j1", "text": "石鼓区一男子醉酒闹事砸店,民警已到场处置。", "reposts": 3}',
            "{not json",
            '{"id": "j2", "text": "石鼓区一男子醉酒闹事砸店,民警已到场处置。"}',
        ]
    ).encode()
    r = client.post(
        "/api/v1/opinion/files?filename=posts.jsonl&source=weibo",
        headers=login.headers,
        content=lines,
    ).json()
    assert (r["accepted"], r["rejected"]) == (2, {"malformed": 1})
    csv_body = "id,text,likes\nc1,珠晖区发生交通事故 有人受伤,5\nc2,,1\n".encode("gbk")
    r = client.post(
        "/api/v1/opinion/files?filename=posts.csv&source=forum",
        headers=login.headers,
        content=csv_body,
    ).json()
    assert r["accepted"] == 1 and r["rejected"] == {"malformed": 1}
    binary = client.post(
        "/api/v1/opinion/files?filename=x.txt", headers=login.headers, content=b"\x00\x01" * 100
    ).json()
    assert binary["rejected"] == {"binary": 1}


def test_event_is_handled_to_the_end_with_outbox_events(client, session) -> None:
    login = login_as(client, "opinion")
    event_id = _push(client, login, [_post(ARTICLE, external_id="h1")])["events"][0]
    url = f"/api/v1/opinion/events/{event_id}"
    early = client.post(url + "/close", headers=login.headers, json={"note": "结束"})
    assert early.status_code == 409
    officers = client.get("/api/v1/opinion/officers", headers=login.headers).json()
    r = client.post(url + "/assign", headers=login.headers, json={"officer_id": officers[0]["id"]})
    assert r.status_code == 200 and r.json()["status"] == "assigned"
    r = client.post(
        url + "/actions",
        headers=login.headers,
        json={"kind": "verify", "note": "经核查,车站无此警情", "verified_false": True},
    )
    assert r.json()["status"] == "verifying" and not r.json()["unverified_claim"]
    client.post(
        url + "/actions",
        headers=login.headers,
        json={"kind": "clarify", "note": "已发布警情通报:网传信息不实"},
    )
    r = client.post(url + "/close", headers=login.headers, json={"note": "已辟谣,办结"})
    assert r.status_code == 200 and r.json()["status"] == "closed"
    log = [a["kind"] for a in r.json()["actions"]]
    assert log == ["opened", "assign", "verify", "clarify", "close"]
    closed = _kinds(session, "opinion.event_closed")
    assert closed and closed[0].payload["district_code"] == "430405"
    again = client.post(url + "/close", headers=login.headers, json={"note": "x"})
    assert again.status_code == 409


def test_rising_heat_raises_one_alert_per_level(client, session, settings) -> None:
    login = login_as(client, "opinion")
    posts = [
        _post(
            f"//@网友{i}:转发 " + FIRE,
            external_id=f"r{i}",
            author=f"@网友{i}",
            reposts=100,
            published_at=(START + timedelta(minutes=i)).isoformat(),
        )
        for i in range(30)
    ]
    body = _push(client, login, posts)
    event = session.get(OpinionEvent, body["events"][0])
    assert event.volume == 30
    assert event.heat_level >= 2
    alerts = _kinds(session, "opinion.heat_alert")
    assert len(alerts) == 1 and alerts[0].payload["heat_level"] == event.heat_level


def test_reading_events_needs_opinion_permission(client) -> None:
    station = login_as(client, "officer")
    r = client.get("/api/v1/opinion/events", headers=station.headers)
    assert r.status_code == 403
    assert client.get("/api/v1/opinion/events").status_code == 401
