"""Builders for opinion tests: sample posts, pushing them through the API, outbox rows."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import START
from yanyun.core.events import OutboxEvent

ARTICLE = (
    "网传11月23日上午,衡阳东站进站口附近有人持刀砍人,造成一人死亡,现场很多旅客惊慌逃散。"
    "有网友称听到了尖叫声,看到地上有血迹,车站一度封闭。目前尚无官方通报,大家出行注意安全。"
)


FIRE = (
    "雁峰区一小区今天下午起火,浓烟从十几楼的窗户冒出来,消防车已经赶到现场,"
    "楼下围了很多居民,希望没有人受伤。据说起火原因是电动车在楼道里充电。"
)


def push_posts(client, login, posts, status=200):
    """Push posts through the API; the ingest report."""
    resp = client.post("/api/v1/opinion/posts", headers=login.headers, json={"posts": posts})
    assert resp.status_code == status, resp.text
    return resp.json()


def post_json(text, **extra):
    """A weibo post published at the test start."""
    return {"source": "weibo", "text": text, "published_at": START.isoformat(), **extra}


def outbox_of_kind(session, kind):
    """Outbox rows of one kind."""
    return list(session.scalars(select(OutboxEvent).where(OutboxEvent.kind == kind)))
