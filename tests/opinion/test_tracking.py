"""Events tracked: stories placed, claims flagged until an incident matches, heat alerts."""

from __future__ import annotations

from datetime import timedelta

from tests.bus import consumers_from_now, drain
from tests.conftest import START, login_as
from tests.opinion.helpers import ARTICLE, FIRE, outbox_of_kind, post_json, push_posts
from yanyun.opinion.models import OpinionEvent


def test_claim_without_incident_is_flagged_until_an_incident_matches(
    client, runtime, session, clock
) -> None:
    consumers_from_now(session, clock, "opinion.incidents")
    session.commit()
    opinion = login_as(client, "opinion")
    body = push_posts(client, opinion, [post_json(ARTICLE, external_id="c1")])
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
    push_posts(
        client, opinion, [post_json("转发 " + ARTICLE, external_id="c2", published_at=later)]
    )
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
    first = push_posts(client, login, [post_json(FIRE, external_id="f1")])
    second = push_posts(client, login, [post_json(other, external_id="f2")])
    assert first["events"] == second["events"]
    detail = client.get(
        f"/api/v1/opinion/events/{first['events'][0]}", headers=login.headers
    ).json()
    assert detail["groups"] == 2 and detail["category_code"] == "40"


def test_rising_heat_raises_one_alert_per_level(client, session, settings) -> None:
    login = login_as(client, "opinion")
    posts = [
        post_json(
            f"//@网友{i}:转发 " + FIRE,
            external_id=f"r{i}",
            author=f"@网友{i}",
            reposts=100,
            published_at=(START + timedelta(minutes=i)).isoformat(),
        )
        for i in range(30)
    ]
    body = push_posts(client, login, posts)
    event = session.get(OpinionEvent, body["events"][0])
    assert event.volume == 30
    assert event.heat_level >= 2
    alerts = outbox_of_kind(session, "opinion.heat_alert")
    assert len(alerts) == 1 and alerts[0].payload["heat_level"] == event.heat_level
