"""Reads of opinion events: the hottest first, one in full, refusals, assignable officers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yanyun.auth.models import User
from yanyun.auth.scope import visible
from yanyun.auth.service import Actor
from yanyun.core.clock import as_utc
from yanyun.core.db import count_by, fetch_page
from yanyun.opinion import heat
from yanyun.opinion.models import EventAction, KnownIncident, OpinionEvent, Post, Rejection, Story
from yanyun.opinion.schemas import (
    STATUS_LABELS,
    ActionRead,
    EventDetail,
    EventPage,
    EventRead,
    EventStatus,
    IncidentLink,
    OfficerRead,
    RejectionCount,
    StoryRead,
    TimelineHour,
)


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
        session,
        stmt,
        OpinionEvent.heat.desc(),
        OpinionEvent.id,
        limit=limit,
        offset=offset,
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
    stories = _stories_of(session, event)
    return EventDetail(
        **_event_read(event, len({s.group_id for s in stories})),
        stories=stories,
        incidents=_incidents_of(session, event),
        actions=_actions_of(session, event),
        timeline=_timeline(stories),
    )


def _stories_of(session: Session, event: OpinionEvent) -> list[StoryRead]:
    rows = session.execute(
        select(Story, Post.source, Post.url)
        .join(Post, Post.id == Story.post_id)
        .where(Story.event_id == event.id)
        .order_by(Story.published_at, Story.id)
    ).all()
    return [
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


def _incidents_of(session: Session, event: OpinionEvent) -> list[IncidentLink]:
    return [
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


def _actions_of(session: Session, event: OpinionEvent) -> list[ActionRead]:
    return [
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


def _timeline(stories: list[StoryRead]) -> list[TimelineHour]:
    timeline: dict[str, int] = {}
    for s in stories:
        hour = s.published_at.replace(minute=0, second=0, microsecond=0).isoformat()
        timeline[hour] = timeline.get(hour, 0) + 1
    return [TimelineHour(hour=h, posts=n) for h, n in sorted(timeline.items())]


def rejection_counts(*, session: Session) -> list[RejectionCount]:
    """Refused deliveries per source and reason."""
    rows = session.execute(
        select(Rejection.source, Rejection.reason, func.count())
        .group_by(Rejection.source, Rejection.reason)
        .order_by(Rejection.source, Rejection.reason)
    ).all()
    return [RejectionCount(source=s, reason=r, count=n) for s, r, n in rows]


def opinion_officers(*, session: Session) -> list[OfficerRead]:
    """Users who may be assigned events (for the assign menu)."""
    users = session.scalars(select(User).where(User.active.is_(True)).order_by(User.username))
    return [
        OfficerRead(id=u.id, name=u.display_name)
        for u in users
        if "opinion_officer" in (u.roles or [])
    ]


def events_titled(
    *, session: Session, actor: Actor, text: str, limit: int = 8
) -> list[OpinionEvent]:
    """Opinion events in scope whose title holds ``text`` (the shell's search box)."""
    stmt = actor.scope(select(OpinionEvent), OpinionEvent.org_path).where(
        OpinionEvent.title.contains(text, autoescape=True)
    )
    return list(session.scalars(stmt.order_by(OpinionEvent.heat.desc(), OpinionEvent.id)
                                .limit(limit)))
