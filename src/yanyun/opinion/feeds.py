"""Feeds polled for posts: registered from allowed hosts, polled, failures recorded."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.core.clock import Clock
from yanyun.core.config import CoreSettings as Settings
from yanyun.core.errors import Conflict, Invalid
from yanyun.core.ids import new_id
from yanyun.opinion import feed_guard, ingest
from yanyun.opinion.analysis import Analyzer
from yanyun.opinion.intake import ingest_posts, iter_chunks, merge_results, record_rejection
from yanyun.opinion.models import Feed
from yanyun.opinion.rumor import RumorModel
from yanyun.opinion.schemas import FeedCreate, FeedPollResult, IngestResult
from yanyun.opinion.text import Rejected


def create_feed(
    *, session: Session, clock: Clock, feed_in: FeedCreate, allowed_hosts: list[str]
) -> Feed:
    """Register a feed to poll, from a host the bureau allows."""
    try:
        feed_guard.check_url(feed_in.url, allowed_hosts)
    except Rejected as exc:
        raise Invalid("url", "订阅源地址不在允许的主机名单内", exc.en) from exc
    if session.scalar(select(Feed.id).where(Feed.url == feed_in.url)):
        raise Conflict("订阅源已存在", "feed already registered", url=feed_in.url)
    feed = Feed(
        id=new_id(clock), name=feed_in.name, url=feed_in.url, enabled=True, failures=0, items_seen=0
    )
    session.add(feed)
    session.flush()
    return feed


def list_feeds(*, session: Session) -> list[Feed]:
    """Registered feeds by name."""
    return list(session.scalars(select(Feed).order_by(Feed.name, Feed.id)))


@lru_cache(maxsize=4)
def load_rumor_model(path: Path | None) -> RumorModel | None:
    """The configured rumour model, read once per process; none when not configured."""
    return RumorModel.load(path) if path else None


def poll_feeds(
    *,
    session: Session,
    clock: Clock,
    settings: Settings,
    analyzer: Analyzer,
    fetch: ingest.Fetcher | None = None,
    rumor_model: RumorModel | None = None,
) -> list[FeedPollResult]:
    """Poll every enabled feed once; a failing feed is recorded and never stops the others."""
    cfg = settings.opinion
    fetch = fetch or ingest.guarded_fetch(
        ingest.FeedAccess(tuple(cfg.feed_hosts), cfg.feed_allow_private_addresses)
    )
    results = []
    for feed in session.scalars(select(Feed).where(Feed.enabled.is_(True)).order_by(Feed.id)):
        feed.last_polled_at = clock.now()
        source = f"rss:{feed.name}"[:64]
        try:
            posts = ingest.fetch_feed(
                feed.url,
                source=source,
                timeout_s=cfg.feed_timeout_s,
                max_bytes=cfg.feed_max_bytes,
                fetch=fetch,
            )
        except Rejected as exc:
            feed.failures += 1
            feed.last_error = f"{exc.reason}: {exc.en}"[:300]
            record_rejection(session, clock=clock, source=source, reason=exc.reason, detail=exc.en)
            results.append(
                FeedPollResult(feed_id=feed.id, name=feed.name, ok=False, reason=exc.reason)
            )
            continue
        outcome = IngestResult()
        for chunk in iter_chunks(posts, cfg.max_batch):
            merge_results(
                outcome,
                ingest_posts(
                    session=session,
                    clock=clock,
                    settings=settings,
                    analyzer=analyzer,
                    posts=chunk,
                    rumor_model=rumor_model,
                ),
            )
        feed.last_ok_at = clock.now()
        feed.last_error = None
        feed.items_seen += outcome.accepted
        results.append(
            FeedPollResult(
                feed_id=feed.id, name=feed.name, ok=True, items=len(posts), ingest=outcome
            )
        )
    session.flush()
    return results
