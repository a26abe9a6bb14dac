"""Tables of the opinion context: posts and their stories, groups, events, handling.

No table describes a person. An author handle is kept only as a salted hash,
enough to count distinct voices in an event and nothing more.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from yanyun.core.tables import Base


class Feed(Base):
    """An RSS or Atom feed polled on a schedule."""

    __tablename__ = "opinion_feed"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    url: Mapped[str] = mapped_column(String(500), unique=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    last_polled_at: Mapped[datetime | None]
    last_ok_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(300))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    items_seen: Mapped[int] = mapped_column(Integer, default=0)


class Post(Base):
    """One delivered post or article, as the source gave it (normalised text)."""

    __tablename__ = "opinion_post"
    # Machine ingest of public text at thousands a second: the ingest report
    # and the events are the record, not one audit row per post.
    __audited__ = False
    __table_args__ = (UniqueConstraint("source", "external_id"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    source: Mapped[str] = mapped_column(String(64), index=True)
    external_id: Mapped[str] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(500))
    published_at: Mapped[datetime] = mapped_column(index=True)
    received_at: Mapped[datetime]
    # HMAC of the handle under the server secret: counts voices, names no one.
    author_hash: Mapped[str | None] = mapped_column(String(32))
    title: Mapped[str | None] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    reposts: Mapped[int | None] = mapped_column(Integer)
    comments: Mapped[int | None] = mapped_column(Integer)
    likes: Mapped[int | None] = mapped_column(Integer)
    rumor_score: Mapped[float | None] = mapped_column(Float)


class Story(Base):
    """One story of a post (a page may carry several); the unit that is grouped."""

    __tablename__ = "opinion_story"
    __audited__ = False

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    post_id: Mapped[str] = mapped_column(ForeignKey("opinion_post.id"), index=True)
    ordinal: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(index=True)
    group_id: Mapped[str] = mapped_column(String(26), index=True)
    event_id: Mapped[str | None] = mapped_column(String(26), index=True)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    places: Mapped[list[str]] = mapped_column(JSON, default=list)
    times: Mapped[list[str]] = mapped_column(JSON, default=list)
    district_code: Mapped[str | None] = mapped_column(String(12))
    grid_code: Mapped[str | None] = mapped_column(String(32))
    lng: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    category_code: Mapped[str | None] = mapped_column(String(8))
    sub_code: Mapped[str | None] = mapped_column(String(8))
    relevance: Mapped[float] = mapped_column(Float, default=0.0)
    claim: Mapped[bool] = mapped_column(Boolean, default=False)
    reach: Mapped[int] = mapped_column(Integer, default=0)


class StoryKey(Base):
    """An LSH band key or sentence key of a story: where near-duplicate candidates meet."""

    __tablename__ = "opinion_story_key"
    __audited__ = False

    key: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    story_id: Mapped[str] = mapped_column(String(26), primary_key=True)


class OpinionEvent(Base):
    """舆情事件: the groups of stories about one happening, with its heat and handling."""

    __tablename__ = "opinion_event"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), index=True)
    category_code: Mapped[str | None] = mapped_column(String(8))
    sub_code: Mapped[str | None] = mapped_column(String(8))
    district_code: Mapped[str | None] = mapped_column(String(12), index=True)
    grid_code: Mapped[str | None] = mapped_column(String(32))
    lng: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    places: Mapped[list[str]] = mapped_column(JSON, default=list)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    org_path: Mapped[str] = mapped_column(String(255), default="", index=True)
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime] = mapped_column(index=True)
    volume: Mapped[int] = mapped_column(Integer, default=0)
    voices: Mapped[int] = mapped_column(Integer, default=0)
    reach: Mapped[int] = mapped_column(Integer, default=0)
    velocity_per_h: Mapped[float] = mapped_column(Float, default=0.0)
    heat: Mapped[float] = mapped_column(Float, default=0.0, index=True)
    heat_level: Mapped[int] = mapped_column(Integer, default=0)
    unverified_claim: Mapped[bool] = mapped_column(Boolean, default=False)
    rumor_score: Mapped[float | None] = mapped_column(Float)
    linked_incident_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    officer_id: Mapped[str | None] = mapped_column(String(26))
    officer_name: Mapped[str | None] = mapped_column(String(64))
    closed_at: Mapped[datetime | None]


class EventAction(Base):
    """A line of an event's handling log: assigned, verified, answered, clarified, closed."""

    __tablename__ = "opinion_event_action"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("opinion_event.id"), index=True)
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[str | None] = mapped_column(String(26))
    actor_name: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Rejection(Base):
    """A delivery refused, with the reason; counted per source and reason."""

    __tablename__ = "opinion_rejection"
    __audited__ = False

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    source: Mapped[str] = mapped_column(String(64), index=True)
    reason: Mapped[str] = mapped_column(String(24), index=True)
    detail: Mapped[str | None] = mapped_column(String(300))


class KnownIncident(Base):
    """An incident as the command context announced it (outbox `incident.*`), for linking."""

    __tablename__ = "opinion_known_incident"
    __audited__ = False

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    number: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str | None] = mapped_column(String(16))
    category_code: Mapped[str | None] = mapped_column(String(8))
    sub_code: Mapped[str | None] = mapped_column(String(8))
    district_code: Mapped[str | None] = mapped_column(String(12))
    lng: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    received_at: Mapped[datetime] = mapped_column(index=True)

