"""The demo's invented posts go through the real ingest and form one event per situation."""

from __future__ import annotations

from sqlalchemy import func, select

from yanyun.geo import service as geo_service
from yanyun.opinion import demo
from yanyun.opinion.analysis import shared_analyzer
from yanyun.opinion.models import OpinionEvent, Post, Story


def test_demo_posts_group_into_one_event_per_situation_once(session, clock, settings) -> None:
    index = geo_service.load_index(session=session)
    analyzer = shared_analyzer(settings.opinion.city).with_locator(index)
    report = demo.build_demo(
        session=session, clock=clock, settings=settings, analyzer=analyzer, seed=7
    )
    assert report.posts == session.scalar(select(func.count()).select_from(Post))
    assert report.posts > 3 * len(demo.SITUATIONS)  # originals, reposts, news
    events = list(session.scalars(select(OpinionEvent)))
    assert len(events) == report.events
    # Reposts quote their original, so a situation's posts share one event; a news
    # brief retells it in other words and may stand as an event of its own.
    rows = session.execute(select(Post.external_id, Story.event_id).join(Story)).all()
    by_situation: dict[str, set[str | None]] = {}
    for external_id, event_id in rows:
        _, situation, part = external_id.split("-")
        if part != "news":
            by_situation.setdefault(situation, set()).add(event_id)
    assert len(by_situation) == len(demo.SITUATIONS)
    assert all(len(ids) == 1 and None not in ids for ids in by_situation.values())
    assert len(demo.SITUATIONS) <= len(events) <= 2 * len(demo.SITUATIONS)
    # The child-snatching rumour has no matching incident: the desk sees it flagged.
    assert any("人贩子" in e.title for e in events if e.unverified_claim)
    again = demo.build_demo(
        session=session, clock=clock, settings=settings, analyzer=analyzer, seed=7
    )
    assert again.posts == 0
    assert session.scalar(select(func.count()).select_from(Post)) == report.posts
