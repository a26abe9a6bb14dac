"""An opinion event handled to the end, each step announced in the outbox."""

from __future__ import annotations

from tests.conftest import login_as
from tests.opinion.helpers import ARTICLE, outbox_of_kind, post_json, push_posts


def test_event_is_handled_to_the_end_with_outbox_events(client, session) -> None:
    login = login_as(client, "opinion")
    event_id = push_posts(client, login, [post_json(ARTICLE, external_id="h1")])["events"][0]
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
    closed = outbox_of_kind(session, "opinion.event_closed")
    assert closed and closed[0].payload["district_code"] == "430405"
    again = client.post(url + "/close", headers=login.headers, json={"note": "x"})
    assert again.status_code == 409
