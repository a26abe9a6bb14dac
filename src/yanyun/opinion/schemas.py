"""API shapes of posts, ingest reports, opinion events and their handling."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from yanyun.core.params import Instant
from yanyun.core.schemas import InputModel

#: Counts are stored as 32-bit integers; no real post has more reposts than this.
MAX_COUNT = 2_000_000_000


class EventStatus(StrEnum):
    open = "open"
    assigned = "assigned"
    verifying = "verifying"
    responded = "responded"
    closed = "closed"


STATUS_LABELS: dict[str, tuple[str, str]] = {
    "open": ("待处置", "open"),
    "assigned": ("已指派", "assigned"),
    "verifying": ("核查中", "verifying"),
    "responded": ("已回应", "responded"),
    "closed": ("已办结", "closed"),
}


class ActionKind(StrEnum):
    verify = "verify"
    respond = "respond"
    clarify = "clarify"
    note = "note"


class PostCreate(InputModel):
    """One post as a source delivers it; text may be HTML, traditional or full-width."""

    source: str = Field(
        min_length=1, max_length=64, description="Where it came from (weibo, rss:...)."
    )
    external_id: str | None = Field(
        None, max_length=200, description="The source's own id; redelivery with it is idempotent."
    )
    url: str | None = Field(None, max_length=500)
    published_at: Instant | None = Field(None, description="Defaults to the time received.")
    title: str | None = Field(None, max_length=300)
    text: str = Field(description="The post or article body.")
    author: str | None = Field(
        None, max_length=200, description="Author handle; stored only as a salted hash."
    )
    reposts: int | None = Field(None, ge=0, le=MAX_COUNT)
    comments: int | None = Field(None, ge=0, le=MAX_COUNT)
    likes: int | None = Field(None, ge=0, le=MAX_COUNT)


class PostBatch(InputModel):
    posts: list[PostCreate] = Field(min_length=1)


class IngestResult(BaseModel):
    """What became of a delivery: nothing is dropped without being counted here."""

    received: int = 0
    accepted: int = 0
    duplicates: int = 0
    stories: int = 0
    rejected: dict[str, int] = Field(default_factory=dict)
    rejections: list[dict[str, str | int]] = Field(default_factory=list)
    events: list[str] = Field(default_factory=list)


class StoryRead(BaseModel):
    id: str
    post_id: str
    title: str
    excerpt: str
    source: str
    url: str | None
    published_at: datetime
    group_id: str
    places: list[str]
    keywords: list[str]
    times: list[str]
    district_code: str | None
    grid_code: str | None
    category_code: str | None
    relevance: float
    claim: bool
    reach: int


class IncidentLink(BaseModel):
    id: str
    number: str | None
    category_code: str | None
    district_code: str | None
    lng: float
    lat: float
    received_at: datetime


class ActionRead(BaseModel):
    id: str
    at: datetime
    kind: str
    actor_name: str | None
    note: str | None
    detail: dict


class EventRead(BaseModel):
    id: str
    title: str
    status: str
    status_zh: str
    category_code: str | None
    sub_code: str | None
    district_code: str | None
    grid_code: str | None
    lng: float | None
    lat: float | None
    places: list[str]
    keywords: list[str]
    first_seen_at: datetime
    last_seen_at: datetime
    volume: int
    voices: int
    reach: int
    velocity_per_h: float
    heat: float
    heat_level: int
    heat_label_zh: str
    unverified_claim: bool
    rumor_score: float | None
    linked_incident_ids: list[str]
    officer_name: str | None
    groups: int = 0


class EventPage(BaseModel):
    total: int
    items: list[EventRead]


class TimelineHour(BaseModel):
    """Posts published in one hour (the hour's start, ISO 8601 UTC)."""

    hour: str
    posts: int


class EventDetail(EventRead):
    stories: list[StoryRead]
    incidents: list[IncidentLink]
    actions: list[ActionRead]
    timeline: list[TimelineHour]


class AssignIn(InputModel):
    officer_id: str = Field(min_length=1, max_length=26)
    officer_name: str | None = Field(None, max_length=64)
    note: str | None = Field(None, max_length=2000)


class ActionIn(InputModel):
    kind: ActionKind
    note: str = Field(min_length=1, max_length=4000)
    verified_false: bool | None = Field(
        None, description="For verify: true when the claim was checked and found false."
    )


class CloseIn(InputModel):
    note: str = Field(min_length=1, max_length=4000)


class FeedCreate(InputModel):
    name: str = Field(min_length=1, max_length=100)
    url: str = Field(min_length=8, max_length=500, pattern=r"^https?://")


class FeedRead(BaseModel):
    id: str
    name: str
    url: str
    enabled: bool
    last_polled_at: datetime | None
    last_ok_at: datetime | None
    last_error: str | None
    failures: int
    items_seen: int


class FeedPollResult(BaseModel):
    feed_id: str
    name: str
    ok: bool
    reason: str | None = None
    items: int = 0
    ingest: IngestResult | None = None


class RejectionCount(BaseModel):
    source: str
    reason: str
    count: int


class OfficerRead(BaseModel):
    """An opinion officer an event may be assigned to."""

    id: str
    name: str
