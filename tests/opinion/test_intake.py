"""Posts taken in: redeliveries skipped, bad posts and rows refused with reasons, files read."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.conftest import START, login_as
from tests.opinion.helpers import ARTICLE, FIRE, outbox_of_kind, post_json, push_posts
from yanyun.opinion.models import OpinionEvent, Post, Rejection


def test_reposts_join_one_event_and_redelivery_is_idempotent(client, session) -> None:
    login = login_as(client, "opinion")
    later = (START + timedelta(minutes=20)).isoformat()
    first = push_posts(
        client, login, [post_json(ARTICLE, external_id="m1", author="@甲", reposts=40)]
    )
    assert first["accepted"] == 1 and len(first["events"]) == 1
    again = push_posts(
        client,
        login,
        [
            post_json(ARTICLE, external_id="m1", author="@甲"),
            post_json(
                "//@乙:太吓人了 " + ARTICLE, external_id="m2", author="@乙", published_at=later
            ),
        ],
    )
    assert again["duplicates"] == 1 and again["accepted"] == 1
    assert again["events"] == first["events"]
    event = session.get(OpinionEvent, first["events"][0])
    assert event.volume == 2 and event.voices == 2 and event.reach == 40
    assert event.district_code == "430405"
    assert event.velocity_per_h == 2.0
    opened = outbox_of_kind(session, "opinion.event_opened")
    assert [e.resource_id for e in opened] == [event.id]
    # Handles are stored only as salted hashes.
    hashes = list(session.scalars(select(Post.author_hash)))
    assert all(h and "甲" not in h and "乙" not in h and len(h) == 32 for h in hashes)


def test_bad_posts_are_rejected_with_reasons_and_counted(client, session) -> None:
    login = login_as(client, "opinion")
    body = push_posts(
        client,
        login,
        [
            post_json("   "),
            post_json("<p> </p>"),
            post_json("长" * 250_000),
            post_json("网传蒸湘区发生火灾,浓烟很大,大家注意安全。", external_id="ok"),
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
