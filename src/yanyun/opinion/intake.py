"""Posts taken in: refused with a reason, redeliveries skipped, split into stories, grouped."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.core.clock import Clock, as_utc
from yanyun.core.config import CoreSettings as Settings
from yanyun.core.errors import Invalid
from yanyun.core.ids import new_id
from yanyun.opinion import grouping, ingest, tracking
from yanyun.opinion.analysis import Analyzer
from yanyun.opinion.models import OpinionEvent, Post, Rejection, Story, StoryKey
from yanyun.opinion.rumor import RumorModel
from yanyun.opinion.schemas import IngestResult, PostCreate
from yanyun.opinion.text import Rejected, normalise, rejected


def author_hash(handle: str | None, *, secret: str) -> str | None:
    """A salted hash of an author handle: equal handles match, none can be read back.

    >>> author_hash("@衡阳身边事", secret="s") == author_hash("@衡阳身边事", secret="s")
    True
    >>> author_hash("@衡阳身边事", secret="s") == author_hash("@衡阳身边事", secret="t")
    False
    """
    if not handle or not handle.strip():
        return None
    digest = hmac.new(secret.encode(), handle.strip().encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def record_rejection(
    session: Session, *, clock: Clock, source: str, reason: str, detail: str = ""
) -> None:
    """Count a refused delivery (kept, so the rejection figures survive restarts)."""
    session.add(
        Rejection(
            id=new_id(clock),
            at=clock.now(),
            source=source[:64],
            reason=reason,
            detail=detail[:300] or None,
        )
    )


def _external_id(post: PostCreate, text: str) -> str:
    if post.external_id:
        return post.external_id
    basis = post.url or text
    return "h:" + hashlib.sha1(basis.encode("utf-8")).hexdigest()


def ingest_posts(
    *,
    session: Session,
    clock: Clock,
    settings: Settings,
    analyzer: Analyzer,
    posts: Sequence[PostCreate],
    rumor_model: RumorModel | None = None,
) -> IngestResult:
    """Take posts in: refuse bad ones with a reason, skip redeliveries, group, open events."""
    cfg = settings.opinion
    result = IngestResult(received=len(posts))
    if len(posts) > cfg.max_batch:
        raise Invalid(
            "posts",
            f"一次最多提交{cfg.max_batch}条",
            f"at most {cfg.max_batch} posts per delivery",
        )
    secret = settings.secret_key.get_secret_value()
    thresholds = grouping.Thresholds(jaccard=cfg.jaccard, containment=cfg.containment)
    seen: set[tuple[str, str]] = set()
    touched: dict[str, OpinionEvent] = {}
    now = clock.now()
    for n, post in enumerate(posts):
        try:
            body = _body(post, max_chars=cfg.max_post_chars)
        except Rejected as exc:
            _count(result, session, clock, post.source, exc, n)
            continue
        ext = _external_id(post, body)
        if (post.source, ext) in seen or _stored(session, post.source, ext):
            result.duplicates += 1
            continue
        seen.add((post.source, ext))
        published = as_utc(post.published_at) if post.published_at else now
        row = _post_row(clock, post, ext, body, published=published, now=now, secret=secret)
        if rumor_model is not None:
            row.rumor_score = round(float(rumor_model.score_many([body], analyzer.segment)[0]), 3)
        session.add(row)
        result.accepted += 1
        reach = (post.reposts or 0) + (post.comments or 0) + (post.likes or 0)
        for ordinal, part in enumerate(grouping.split_stories(body)):
            story = _add_story(
                session, clock, analyzer, thresholds, row, ordinal, part, reach, published
            )
            result.stories += 1
            event = tracking.place_in_event(session, clock, settings, story)
            if event is not None:
                touched[event.id] = event
    session.flush()
    for event in touched.values():
        tracking.refresh_event(
            session=session,
            clock=clock,
            settings=settings,
            event=event,
            rumor_model=rumor_model,
            words=analyzer.segment,
        )
    result.events = sorted(touched)
    return result


def _body(post: PostCreate, *, max_chars: int) -> str:
    body = normalise(((post.title + "\n") if post.title else "") + post.text)
    if len(body) > max_chars:
        raise rejected("too_large", f"{len(body)} characters")
    return body


def _stored(session: Session, source: str, external_id: str) -> bool:
    return bool(
        session.scalar(
            select(Post.id).where(Post.source == source, Post.external_id == external_id)
        )
    )


def _post_row(
    clock: Clock,
    post: PostCreate,
    external_id: str,
    body: str,
    *,
    published: datetime,
    now: datetime,
    secret: str,
) -> Post:
    return Post(
        id=new_id(clock),
        source=post.source,
        external_id=external_id,
        url=post.url,
        published_at=published,
        received_at=now,
        author_hash=author_hash(post.author, secret=secret),
        title=post.title,
        text=body,
        reposts=post.reposts,
        comments=post.comments,
        likes=post.likes,
    )


def _count(
    result: IngestResult, session: Session, clock: Clock, source: str, exc: Rejected, index: int
) -> None:
    result.rejected[exc.reason] = result.rejected.get(exc.reason, 0) + 1
    if len(result.rejections) < 50:
        result.rejections.append({"index": index, "reason": exc.reason, "zh": exc.zh, "en": exc.en})
    record_rejection(session, clock=clock, source=source, reason=exc.reason, detail=exc.en)


def _add_story(
    session: Session,
    clock: Clock,
    analyzer: Analyzer,
    thresholds: grouping.Thresholds,
    post: Post,
    ordinal: int,
    part: grouping.Story,
    reach: int,
    published: datetime,
) -> Story:
    sk = grouping.sketch([part.text])
    shingles = np.unique(sk.run(0))
    keys = sk.keys_of(0)
    group_id = None
    if keys:
        candidates = list(
            session.scalars(
                select(StoryKey.story_id).where(StoryKey.key.in_(keys)).distinct().limit(200)
            )
        )
        if candidates:
            rows = session.execute(
                select(Story.id, Story.text, Story.group_id, Story.published_at)
                .where(Story.id.in_(candidates))
                .order_by(Story.published_at, Story.id)
            ).all()
            for r in rows:
                if thresholds.same(shingles, grouping.shingle_array(r.text)):
                    group_id = r.group_id
                    break
    a = analyzer.analyse(part.text, published_at=published)
    story = Story(
        id=new_id(clock),
        post_id=post.id,
        ordinal=ordinal,
        title=(part.title or part.text[:40])[:200],
        text=part.text,
        published_at=published,
        group_id=group_id or "",
        keywords=a.keywords,
        places=a.places,
        times=a.times,
        district_code=a.district_code,
        grid_code=a.grid_code,
        lng=a.lng,
        lat=a.lat,
        category_code=a.category_code,
        sub_code=a.sub_code,
        relevance=a.relevance,
        claim=a.claim,
        reach=reach,
    )
    story.group_id = group_id or story.id
    session.add(story)
    session.add_all(StoryKey(key=k, story_id=story.id) for k in keys)
    session.flush()
    return story


def iter_chunks(items: Iterable[Any], size: int) -> Iterable[list[Any]]:
    """Split a long delivery into batches the service accepts."""
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def ingest_file(
    *,
    session: Session,
    clock: Clock,
    settings: Settings,
    analyzer: Analyzer,
    raw: bytes,
    filename: str,
    source: str,
    rumor_model: RumorModel | None = None,
) -> IngestResult:
    """Ingest a delivered file (txt, JSON lines, CSV); refused rows counted with reasons."""
    parsed = ingest.read_delivery(raw, filename=filename, source=source)
    result = IngestResult()
    for chunk in iter_chunks(parsed.posts, settings.opinion.max_batch):
        part = ingest_posts(
            session=session,
            clock=clock,
            settings=settings,
            analyzer=analyzer,
            posts=chunk,
            rumor_model=rumor_model,
        )
        merge_results(result, part)
    for index, exc in parsed.rejections:
        result.received += 1
        _count(result, session, clock, source, exc, index)
    return result


def merge_results(into: IngestResult, part: IngestResult) -> None:
    """Add one batch's outcome to a whole delivery's."""
    into.received += part.received
    into.accepted += part.accepted
    into.duplicates += part.duplicates
    into.stories += part.stories
    for k, v in part.rejected.items():
        into.rejected[k] = into.rejected.get(k, 0) + v
    into.rejections.extend(part.rejections[: 50 - len(into.rejections)])
    into.events = sorted(set(into.events) | set(part.events))
