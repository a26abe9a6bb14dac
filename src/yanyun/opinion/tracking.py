"""Stories placed in events: events opened, recounted, relinked and alerted on a rise."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from yanyun.auth.models import OrgUnit
from yanyun.auth.service import Actor
from yanyun.core import events
from yanyun.core.clock import Clock, as_utc
from yanyun.core.config import CoreSettings as Settings
from yanyun.core.ids import new_id
from yanyun.events.opinion import OpinionEventChanged, OpinionHeatAlert
from yanyun.opinion import heat, known_incidents, linking
from yanyun.opinion.models import EventAction, OpinionEvent, Post, Story
from yanyun.opinion.rumor import RumorModel, story_score
from yanyun.opinion.schemas import EventStatus
from yanyun.opinion.settings import OpinionSettings

#: Outbox kinds this context emits; payloads are documented in docs/opinion.md.
EVENT_OPENED = "opinion.event_opened"
EVENT_ASSIGNED = "opinion.event_assigned"
EVENT_ACTION = "opinion.event_action"
EVENT_CLOSED = "opinion.event_closed"
HEAT_ALERT = "opinion.heat_alert"


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


def announce(
    session: Session,
    clock: Clock,
    event: OpinionEvent,
    message: type[events.Event],
    *,
    kind: str | None = None,
    **extra: Any,
) -> None:
    """Publish an opinion event message carrying the event's current fields."""
    events.publish(
        session,
        message(**{**_payload(event), **extra}),
        clock=clock,
        kind=kind,
        resource_id=event.id,
        org_path=event.org_path,
    )


def log_action(
    session: Session,
    clock: Clock,
    event: OpinionEvent,
    kind: str,
    actor: Actor | None,
    note: str | None,
    detail: dict[str, Any] | None = None,
) -> EventAction:
    """Add a line to the event's handling log."""
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


def place_in_event(
    session: Session, clock: Clock, settings: Settings, story: Story
) -> OpinionEvent | None:
    """The event a new story belongs to: its group's, a nearby open one, or a new one."""
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
    log_action(session, clock, event, "opened", None, story.title, {"story_id": story.id})
    announce(session, clock, event, OpinionEventChanged, kind=EVENT_OPENED)
    return event


def refresh_event(
    *,
    session: Session,
    clock: Clock,
    settings: Settings,
    event: OpinionEvent,
    rumor_model: RumorModel | None = None,
    words: Callable[[str], list[str]] | None = None,
) -> OpinionEvent:
    """Recount volume, voices, reach, velocity and heat; relink incidents; alert on a rise.

    With a story rumour model (trained with replies) and a segmenter, the
    event's rumour score is the story's: its first post and the reposts and
    comments grouped with it so far, oldest first.
    """
    cfg = settings.opinion
    rows = _story_facts(session, event)
    if not rows:
        return event
    _recount(event, rows, cfg)
    if rumor_model is not None and rumor_model.replies_k > 0 and words is not None:
        ordered = sorted(rows, key=lambda r: (as_utc(r.published_at), r.ordinal))
        event.rumor_score = round(
            story_score(rumor_model, ordered[0].text, [r.text for r in ordered[1:]], words), 3
        )
    linked = _relink(session, event, cfg)
    verified_false = session.scalar(
        select(func.count())
        .select_from(EventAction)
        .where(EventAction.event_id == event.id, EventAction.kind == "verify")
    )
    event.unverified_claim = (
        linking.unverified_claim(claim=any(r.claim for r in rows), linked=linked)
        and not verified_false
    )
    event.heat = heat.heat_score(
        volume=event.volume, velocity=event.velocity_per_h, reach=event.reach, voices=event.voices
    )
    level = heat.heat_level(event.heat, cfg.heat_thresholds)
    if level > event.heat_level:
        _alert(session, clock, event, level)
    event.heat_level = level
    return event


def _story_facts(session: Session, event: OpinionEvent) -> Sequence[Row[Any]]:
    return session.execute(
        select(
            Story.published_at,
            Story.ordinal,
            Story.text,
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


def _recount(event: OpinionEvent, rows: Sequence[Row[Any]], cfg: OpinionSettings) -> None:
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


def _relink(
    session: Session, event: OpinionEvent, cfg: OpinionSettings
) -> list[linking.IncidentRecord]:
    linked = linking.matching_incidents(
        known_incidents.near_in_time(session, as_utc(event.first_seen_at), cfg.link_window_s),
        category_code=event.category_code,
        district_code=event.district_code,
        lng=event.lng,
        lat=event.lat,
        at=as_utc(event.first_seen_at),
        radius_m=cfg.link_radius_m,
        window_s=cfg.link_window_s,
    )
    event.linked_incident_ids = [i.id for i in linked[:20]]
    return linked


def _alert(session: Session, clock: Clock, event: OpinionEvent, level: int) -> None:
    log_action(session, clock, event, "alert", None, None, {"from": event.heat_level, "to": level})
    announce(
        session, clock, event, OpinionHeatAlert, heat_level=level, previous_level=event.heat_level
    )
