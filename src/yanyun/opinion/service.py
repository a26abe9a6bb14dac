"""Posts in, stories grouped, events opened, heated, linked, handled and closed."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yanyun.auth.models import OrgUnit, User
from yanyun.auth.scope import visible
from yanyun.auth.service import Actor
from yanyun.core import events
from yanyun.core.bus import Delivery
from yanyun.core.clock import Clock, as_utc
from yanyun.core.config import CoreSettings as Settings
from yanyun.core.db import count_by, fetch_page
from yanyun.core.errors import Conflict, Invalid
from yanyun.core.ids import new_id
from yanyun.events.command import IncidentFacts
from yanyun.events.opinion import (
    OpinionEventActed,
    OpinionEventChanged,
    OpinionEventClosed,
    OpinionHeatAlert,
)
from yanyun.opinion import feed_guard, grouping, heat, ingest, linking
from yanyun.opinion.analysis import Analyzer
from yanyun.opinion.models import (
    EventAction,
    Feed,
    KnownIncident,
    OpinionEvent,
    Post,
    Rejection,
    Story,
    StoryKey,
)
from yanyun.opinion.rumor import RumorModel
from yanyun.opinion.schemas import (
    STATUS_LABELS,
    ActionIn,
    ActionRead,
    AssignIn,
    CloseIn,
    EventDetail,
    EventPage,
    EventRead,
    EventStatus,
    FeedCreate,
    FeedPollResult,
    IncidentLink,
    IngestResult,
    PostCreate,
    StoryRead,
)
from yanyun.opinion.text import Rejected, normalise, rejected

#: Outbox kinds this context emits; payloads are documented in docs/opinion.md.
EVENT_OPENED = "opinion.event_opened"
EVENT_ASSIGNED = "opinion.event_assigned"
EVENT_ACTION = "opinion.event_action"
EVENT_CLOSED = "opinion.event_closed"
HEAT_ALERT = "opinion.heat_alert"


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


@dataclass
class _NewStory:
    story: Story
    shingles: np.ndarray
    keys: list[int]
    author: str | None


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
            body = normalise(((post.title + "\n") if post.title else "") + post.text)
            if len(body) > cfg.max_post_chars:
                raise rejected("too_large", f"{len(body)} characters")
        except Rejected as exc:
            _count(result, session, clock, post.source, exc, n)
            continue
        ext = _external_id(post, body)
        if (post.source, ext) in seen or session.scalar(
            select(Post.id).where(Post.source == post.source, Post.external_id == ext)
        ):
            result.duplicates += 1
            continue
        seen.add((post.source, ext))
        published = as_utc(post.published_at) if post.published_at else now
        row = Post(
            id=new_id(clock),
            source=post.source,
            external_id=ext,
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
            event = _place_in_event(session, clock, settings, story)
            if event is not None:
                touched[event.id] = event
    session.flush()
    for event in touched.values():
        refresh_event(session=session, clock=clock, settings=settings, event=event)
    result.events = sorted(touched)
    return result


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


def _place_in_event(
    session: Session, clock: Clock, settings: Settings, story: Story
) -> OpinionEvent | None:
    cfg = settings.opinion
    event_id = session.scalar(
        select(Story.event_id)
        .where(Story.group_id == story.group_id, Story.event_id.is_not(None))
        .limit(1)
    )
    if event_id is None and story.relevance >= cfg.min_relevance and story.category_code:
        since = story.published_at - timedelta(seconds=cfg.event_window_s)
        stmt = select(OpinionEvent.id).where(
            OpinionEvent.status != EventStatus.closed.value,
            OpinionEvent.category_code == story.category_code,
            OpinionEvent.last_seen_at >= since,
        )
        if story.district_code:
            stmt = stmt.where(OpinionEvent.district_code == story.district_code)
        else:
            stmt = None  # a story placed nowhere joins others only through its own group
        event_id = (
            session.scalar(stmt.order_by(OpinionEvent.heat.desc()).limit(1))
            if stmt is not None
            else None
        )
    if event_id is None and story.relevance >= cfg.min_relevance:
        event = _open_event(session, clock, story)
    elif event_id is None:
        return None
    else:
        event = session.get(OpinionEvent, event_id)
    story.event_id = event.id
    return event


def _org_path(session: Session, district_code: str | None) -> str:
    if district_code:
        path = session.scalar(select(OrgUnit.path).where(OrgUnit.code == district_code))
        if path:
            return path
    return session.scalar(select(OrgUnit.path).where(OrgUnit.kind == "bureau")) or ""


def _open_event(session: Session, clock: Clock, story: Story) -> OpinionEvent:
    event = OpinionEvent(
        id=new_id(clock),
        title=story.title,
        status=EventStatus.open.value,
        category_code=story.category_code,
        sub_code=story.sub_code,
        district_code=story.district_code,
        grid_code=story.grid_code,
        lng=story.lng,
        lat=story.lat,
        places=list(story.places),
        keywords=list(story.keywords),
        org_path=_org_path(session, story.district_code),
        first_seen_at=story.published_at,
        last_seen_at=story.published_at,
        volume=0,
        voices=0,
        reach=0,
        velocity_per_h=0.0,
        heat=0.0,
        heat_level=0,
        unverified_claim=False,
        linked_incident_ids=[],
    )
    session.add(event)
    session.flush()
    _log(session, clock, event, "opened", None, story.title, {"story_id": story.id})
    events.publish(
        session,
        OpinionEventChanged(**_payload(event)),
        clock=clock,
        kind=EVENT_OPENED,
        resource_id=event.id,
        org_path=event.org_path,
    )
    return event


def _payload(event: OpinionEvent) -> dict[str, Any]:
    return {
        "title": event.title,
        "status": event.status,
        "category_code": event.category_code,
        "district_code": event.district_code,
        "grid_code": event.grid_code,
        "first_seen_at": as_utc(event.first_seen_at),
        "heat": event.heat,
        "heat_level": event.heat_level,
        "unverified_claim": event.unverified_claim,
        "officer_id": event.officer_id,
    }


def _log(
    session: Session,
    clock: Clock,
    event: OpinionEvent,
    kind: str,
    actor: Actor | None,
    note: str | None,
    detail: dict[str, Any] | None = None,
) -> EventAction:
    row = EventAction(
        id=new_id(clock),
        event_id=event.id,
        at=clock.now(),
        kind=kind,
        actor_id=actor.user_id if actor else None,
        actor_name=actor.username if actor else None,
        note=note,
        detail=detail or {},
    )
    session.add(row)
    return row


def refresh_event(
    *, session: Session, clock: Clock, settings: Settings, event: OpinionEvent
) -> OpinionEvent:
    """Recount volume, voices, reach, velocity and heat; relink incidents; alert on a rise."""
    cfg = settings.opinion
    rows = session.execute(
        select(
            Story.published_at,
            Story.reach,
            Story.claim,
            Story.places,
            Story.lng,
            Story.lat,
            Story.grid_code,
            Post.author_hash,
            Post.rumor_score,
        )
        .join(Post, Post.id == Story.post_id)
        .where(Story.event_id == event.id)
    ).all()
    if not rows:
        return event
    times = [as_utc(r.published_at) for r in rows]
    event.volume = len(rows)
    event.voices = len({r.author_hash for r in rows if r.author_hash})
    event.reach = int(sum(r.reach or 0 for r in rows))
    event.first_seen_at = min(times)
    event.last_seen_at = max(times)
    event.velocity_per_h = heat.velocity_per_h(times, window_s=cfg.velocity_window_s)
    places: list[str] = []
    for r in rows:
        places.extend(p for p in (r.places or []) if p not in places)
        if event.lng is None and r.lng is not None:
            event.lng, event.lat, event.grid_code = r.lng, r.lat, r.grid_code
    event.places = places[:10]
    rumor = [r.rumor_score for r in rows if r.rumor_score is not None]
    event.rumor_score = max(rumor) if rumor else None
    claim = any(r.claim for r in rows)
    linked = linking.matching_incidents(
        _known_incidents(session, as_utc(event.first_seen_at), cfg.link_window_s),
        category_code=event.category_code,
        district_code=event.district_code,
        lng=event.lng,
        lat=event.lat,
        at=as_utc(event.first_seen_at),
        radius_m=cfg.link_radius_m,
        window_s=cfg.link_window_s,
    )
    event.linked_incident_ids = [i.id for i in linked[:20]]
    verified_false = session.scalar(
        select(func.count())
        .select_from(EventAction)
        .where(EventAction.event_id == event.id, EventAction.kind == "verify")
    )
    event.unverified_claim = linking.unverified_claim(claim=claim, linked=linked) and not (
        verified_false
    )
    event.heat = heat.heat_score(
        volume=event.volume, velocity=event.velocity_per_h, reach=event.reach, voices=event.voices
    )
    level = heat.heat_level(event.heat, cfg.heat_thresholds)
    if level > event.heat_level:
        _log(session, clock, event, "alert", None, None, {"from": event.heat_level, "to": level})
        events.publish(
            session,
            OpinionHeatAlert(**{**_payload(event), "heat_level": level},
                             previous_level=event.heat_level),
            clock=clock,
            resource_id=event.id,
            org_path=event.org_path,
        )
    event.heat_level = level
    return event


def _known_incidents(session: Session, at: datetime, window_s: int) -> list[linking.IncidentRecord]:
    lo, hi = at - timedelta(seconds=window_s), at + timedelta(seconds=window_s)
    rows = session.scalars(select(KnownIncident).where(KnownIncident.received_at.between(lo, hi)))
    return [
        linking.IncidentRecord(
            id=r.id,
            category_code=r.category_code,
            district_code=r.district_code,
            lng=r.lng,
            lat=r.lat,
            received_at=as_utc(r.received_at),
            number=r.number,
        )
        for r in rows
    ]


INCIDENT_CONSUMER = "opinion.incidents"


def copy_incident(d: Delivery) -> None:
    """Keep opinion's own copy of an incident announced by command (to link posts to it)."""
    e: IncidentFacts = d.event
    row = d.session.get(KnownIncident, d.envelope.resource_id)
    if row is None:
        row = KnownIncident(id=d.envelope.resource_id)
        d.session.add(row)
    row.number = e.number
    row.status = e.status
    row.category_code = e.category_code
    row.sub_code = e.sub_code
    row.district_code = e.district_code
    row.lng = e.lng
    row.lat = e.lat
    row.received_at = e.received_at
    d.session.flush()


def _event_read(event: OpinionEvent, groups: int = 0) -> dict[str, Any]:
    return {
        "id": event.id,
        "title": event.title,
        "status": event.status,
        "status_zh": STATUS_LABELS.get(event.status, (event.status, ""))[0],
        "category_code": event.category_code,
        "sub_code": event.sub_code,
        "district_code": event.district_code,
        "grid_code": event.grid_code,
        "lng": event.lng,
        "lat": event.lat,
        "places": event.places or [],
        "keywords": event.keywords or [],
        "first_seen_at": as_utc(event.first_seen_at),
        "last_seen_at": as_utc(event.last_seen_at),
        "volume": event.volume,
        "voices": event.voices,
        "reach": event.reach,
        "velocity_per_h": event.velocity_per_h,
        "heat": event.heat,
        "heat_level": event.heat_level,
        "heat_label_zh": heat.LEVEL_LABELS[event.heat_level][0],
        "unverified_claim": event.unverified_claim,
        "rumor_score": event.rumor_score,
        "linked_incident_ids": event.linked_incident_ids or [],
        "officer_name": event.officer_name,
        "groups": groups,
    }


def list_events(
    *,
    session: Session,
    actor: Actor,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> EventPage:
    """Events in the actor's scope, hottest first."""
    stmt = actor.scope(select(OpinionEvent), OpinionEvent.org_path)
    if status == "active":
        stmt = stmt.where(OpinionEvent.status != EventStatus.closed.value)
    elif status:
        stmt = stmt.where(OpinionEvent.status == status)
    total, rows = fetch_page(
        session, stmt, OpinionEvent.heat.desc(), OpinionEvent.id, limit=limit, offset=offset,
    )
    groups = func.count(func.distinct(Story.group_id))
    counts = count_by(session, Story.event_id, [r.id for r in rows], measure=groups)
    return EventPage(
        total=total, items=[EventRead(**_event_read(r, counts.get(r.id, 0))) for r in rows]
    )


def get_event(*, session: Session, actor: Actor, event_id: str) -> OpinionEvent:
    """The event, if it lies within the actor's scope."""
    event = visible(session, OpinionEvent, event_id, actor, what="opinion_event")
    return event


def event_detail(*, session: Session, actor: Actor, event_id: str) -> EventDetail:
    """An event with its stories, linked incidents, handling log and hourly timeline."""
    event = get_event(session=session, actor=actor, event_id=event_id)
    rows = session.execute(
        select(Story, Post.source, Post.url)
        .join(Post, Post.id == Story.post_id)
        .where(Story.event_id == event.id)
        .order_by(Story.published_at, Story.id)
    ).all()
    stories = [
        StoryRead(
            id=s.id,
            post_id=s.post_id,
            title=s.title,
            excerpt=s.text[:240],
            source=source,
            url=url,
            published_at=as_utc(s.published_at),
            group_id=s.group_id,
            places=s.places or [],
            keywords=s.keywords or [],
            times=s.times or [],
            district_code=s.district_code,
            grid_code=s.grid_code,
            category_code=s.category_code,
            relevance=s.relevance,
            claim=s.claim,
            reach=s.reach,
        )
        for s, source, url in rows
    ]
    incidents = [
        IncidentLink(
            id=i.id,
            number=i.number,
            category_code=i.category_code,
            district_code=i.district_code,
            lng=i.lng,
            lat=i.lat,
            received_at=as_utc(i.received_at),
        )
        for i in session.scalars(
            select(KnownIncident).where(KnownIncident.id.in_(event.linked_incident_ids or []))
        )
    ]
    actions = [
        ActionRead(
            id=a.id,
            at=as_utc(a.at),
            kind=a.kind,
            actor_name=a.actor_name,
            note=a.note,
            detail=a.detail or {},
        )
        for a in session.scalars(
            select(EventAction)
            .where(EventAction.event_id == event.id)
            .order_by(EventAction.at, EventAction.id)
        )
    ]
    timeline: dict[str, int] = {}
    for s in stories:
        hour = s.published_at.replace(minute=0, second=0, microsecond=0).isoformat()
        timeline[hour] = timeline.get(hour, 0) + 1
    return EventDetail(
        **_event_read(event, len({s.group_id for s in stories})),
        stories=stories,
        incidents=incidents,
        actions=actions,
        timeline=[{"hour": h, "posts": n} for h, n in sorted(timeline.items())],
    )


def _open_for_handling(session: Session, actor: Actor, event_id: str) -> OpinionEvent:
    event = get_event(session=session, actor=actor, event_id=event_id)
    if event.status == EventStatus.closed.value:
        raise Conflict("舆情事件已办结", "opinion event already closed", event_id=event_id)
    return event


def assign_event(
    *, session: Session, actor: Actor, clock: Clock, event_id: str, assign_in: AssignIn
) -> OpinionEvent:
    """Hand the event to an opinion officer (网上快警)."""
    event = _open_for_handling(session, actor, event_id)
    officer = session.get(User, assign_in.officer_id)
    if officer is None or not officer.active:
        raise Invalid("officer_id", "指派对象不存在或已停用", "no such active user to assign")
    if "opinion_officer" not in (officer.roles or []) and "admin" not in (officer.roles or []):
        raise Invalid("officer_id", "只能指派给舆情处置人员", "assign only to an opinion officer")
    event.officer_id = officer.id
    event.officer_name = assign_in.officer_name or officer.display_name
    event.status = EventStatus.assigned.value
    _log(session, clock, event, "assign", actor, assign_in.note, {"officer_id": officer.id})
    events.publish(
        session,
        OpinionEventChanged(**_payload(event)),
        clock=clock,
        kind=EVENT_ASSIGNED,
        resource_id=event.id,
        org_path=event.org_path,
    )
    return event


def record_action(
    *, session: Session, actor: Actor, clock: Clock, event_id: str, action_in: ActionIn
) -> OpinionEvent:
    """Record a verification, a response or a published clarification."""
    event = _open_for_handling(session, actor, event_id)
    kind = action_in.kind.value
    if kind == "verify":
        event.status = EventStatus.verifying.value
        event.unverified_claim = False
    elif kind in ("respond", "clarify"):
        event.status = EventStatus.responded.value
    detail = (
        {} if action_in.verified_false is None else {"verified_false": action_in.verified_false}
    )
    _log(session, clock, event, kind, actor, action_in.note, detail)
    events.publish(
        session,
        OpinionEventActed(**_payload(event), action=kind),
        clock=clock,
        resource_id=event.id,
        org_path=event.org_path,
    )
    return event


def close_event(
    *, session: Session, actor: Actor, clock: Clock, event_id: str, close_in: CloseIn
) -> OpinionEvent:
    """Close the event once handled; supervision closes its task on the event."""
    event = _open_for_handling(session, actor, event_id)
    if event.status in (EventStatus.open.value,):
        raise Conflict(
            "舆情事件尚未指派处置,不能办结",
            "assign and handle the event before closing it",
            event_id=event_id,
        )
    event.status = EventStatus.closed.value
    event.closed_at = clock.now()
    _log(session, clock, event, "close", actor, close_in.note)
    events.publish(
        session,
        OpinionEventClosed(**_payload(event), closed_at=as_utc(event.closed_at)),
        clock=clock,
        resource_id=event.id,
        org_path=event.org_path,
    )
    return event


def rejection_counts(*, session: Session) -> list[dict[str, Any]]:
    """Refused deliveries per source and reason."""
    rows = session.execute(
        select(Rejection.source, Rejection.reason, func.count())
        .group_by(Rejection.source, Rejection.reason)
        .order_by(Rejection.source, Rejection.reason)
    ).all()
    return [{"source": s, "reason": r, "count": n} for s, r, n in rows]


def opinion_officers(*, session: Session) -> list[dict[str, str]]:
    """Users who may be assigned events (for the assign menu)."""
    users = session.scalars(select(User).where(User.active.is_(True)).order_by(User.username))
    return [
        {"id": u.id, "name": u.display_name} for u in users if "opinion_officer" in (u.roles or [])
    ]


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
        _merge(result, part)
    for index, exc in parsed.rejections:
        result.received += 1
        _count(result, session, clock, source, exc, index)
    return result


def _merge(into: IngestResult, part: IngestResult) -> None:
    into.received += part.received
    into.accepted += part.accepted
    into.duplicates += part.duplicates
    into.stories += part.stories
    for k, v in part.rejected.items():
        into.rejected[k] = into.rejected.get(k, 0) + v
    into.rejections.extend(part.rejections[: 50 - len(into.rejections)])
    into.events = sorted(set(into.events) | set(part.events))


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
            _merge(
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
