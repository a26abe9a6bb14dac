"""Routes of public opinion: posts in, events out, handling steps."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from yanyun.auth.deps import require
from yanyun.auth.permissions import Perm
from yanyun.auth.service import Actor
from yanyun.core.db import Provider
from yanyun.core.errors import Invalid
from yanyun.core.http import ClockDep, SessionDep, SettingsDep
from yanyun.core.params import Offset, PathKey
from yanyun.opinion import service
from yanyun.opinion.analysis import Analyzer, shared_analyzer
from yanyun.opinion.schemas import (
    ActionIn,
    AssignIn,
    CloseIn,
    EventDetail,
    EventPage,
    FeedCreate,
    FeedPollResult,
    FeedRead,
    IngestResult,
    OfficerRead,
    PostBatch,
    RejectionCount,
)

router = APIRouter(prefix="/api/v1/opinion", tags=["opinion"])

Reader = Annotated[Actor, Depends(require(Perm.opinion_read))]
Handler = Annotated[Actor, Depends(require(Perm.opinion_write))]
Ingester = Annotated[Actor, Depends(require(Perm.opinion_ingest))]


def _build_analyzer(runtime: Any) -> Analyzer:
    from yanyun.geo import service as geo_service

    index = geo_service.city_index(runtime=runtime)
    return shared_analyzer(runtime.settings.opinion.city).with_locator(index)


#: One analyzer per process: its dictionaries take a second or two to load.
ANALYZER: Provider[Analyzer] = Provider("opinion.analyzer", _build_analyzer)


def get_analyzer(request: Request) -> Analyzer:
    return request.app.state.runtime.provide(ANALYZER)


AnalyzerDep = Annotated[Analyzer, Depends(get_analyzer)]

MAX_UPLOAD_BYTES = 50_000_000


@router.post("/posts", response_model=IngestResult)
def push_posts(
    body: PostBatch,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    analyzer: AnalyzerDep,
    actor: Ingester,
) -> IngestResult:
    """Push posts; redeliveries are counted as duplicates, bad ones rejected with a reason."""
    return service.ingest_posts(
        session=session,
        clock=clock,
        settings=settings,
        analyzer=analyzer,
        posts=body.posts,
        rumor_model=service.load_rumor_model(settings.opinion.rumor_model_path),
    )


@router.post("/files", response_model=IngestResult)
async def upload_file(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    analyzer: AnalyzerDep,
    actor: Ingester,
    filename: Annotated[str, Query(min_length=1, max_length=200)] = "upload.txt",
    source: Annotated[str, Query(min_length=1, max_length=64)] = "file",
) -> IngestResult:
    """Ingest a file sent as the raw body: .txt, .jsonl or .csv (a 'text' column), any encoding."""
    raw = bytearray()
    async for chunk in request.stream():
        raw.extend(chunk)
        if len(raw) > MAX_UPLOAD_BYTES:
            raise Invalid("file", "文件过大", f"file over {MAX_UPLOAD_BYTES} bytes")
    return service.ingest_file(
        session=session,
        clock=clock,
        settings=settings,
        analyzer=analyzer,
        raw=bytes(raw),
        filename=filename,
        source=source,
        rumor_model=service.load_rumor_model(settings.opinion.rumor_model_path),
    )


@router.get("/events", response_model=EventPage)
def list_events(
    session: SessionDep,
    actor: Reader,
    status: Annotated[str | None, Query(max_length=16)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Offset = 0,
) -> EventPage:
    """Opinion events in the caller's scope, hottest first."""
    return service.list_events(
        session=session, actor=actor, status=status, limit=limit, offset=offset
    )


@router.get("/events/{event_id}", response_model=EventDetail)
def event_detail(event_id: PathKey, session: SessionDep, actor: Reader) -> EventDetail:
    """An event with its posts, linked incidents, timeline and handling log."""
    return service.event_detail(session=session, actor=actor, event_id=event_id)


@router.post("/events/{event_id}/assign", response_model=EventDetail)
def assign(
    event_id: PathKey, body: AssignIn, session: SessionDep, clock: ClockDep, actor: Handler
) -> EventDetail:
    """Assign the event to an opinion officer (网上快警)."""
    service.assign_event(
        session=session, actor=actor, clock=clock, event_id=event_id, assign_in=body
    )
    return service.event_detail(session=session, actor=actor, event_id=event_id)


@router.post("/events/{event_id}/actions", response_model=EventDetail)
def act(
    event_id: PathKey, body: ActionIn, session: SessionDep, clock: ClockDep, actor: Handler
) -> EventDetail:
    """Record a verification, a response or a published clarification."""
    service.record_action(
        session=session, actor=actor, clock=clock, event_id=event_id, action_in=body
    )
    return service.event_detail(session=session, actor=actor, event_id=event_id)


@router.post("/events/{event_id}/close", response_model=EventDetail)
def close(
    event_id: PathKey, body: CloseIn, session: SessionDep, clock: ClockDep, actor: Handler
) -> EventDetail:
    """Close a handled event."""
    service.close_event(session=session, actor=actor, clock=clock, event_id=event_id, close_in=body)
    return service.event_detail(session=session, actor=actor, event_id=event_id)


@router.get("/officers", response_model=list[OfficerRead])
def officers(session: SessionDep, actor: Handler) -> list[OfficerRead]:
    """Opinion officers an event may be assigned to."""
    return service.opinion_officers(session=session)


@router.get("/rejections", response_model=list[RejectionCount])
def rejections(session: SessionDep, actor: Reader) -> list[RejectionCount]:
    """Refused deliveries counted per source and reason."""
    return service.rejection_counts(session=session)


@router.get("/feeds", response_model=list[FeedRead])
def feeds(session: SessionDep, actor: Reader) -> list[Any]:
    """Registered feeds with their last poll outcome."""
    return service.list_feeds(session=session)


@router.post("/feeds", response_model=FeedRead, status_code=201)
def add_feed(
    body: FeedCreate, session: SessionDep, clock: ClockDep, settings: SettingsDep, actor: Ingester
) -> Any:
    """Register an RSS or Atom feed."""
    return service.create_feed(
        session=session, clock=clock, feed_in=body, allowed_hosts=settings.opinion.feed_hosts
    )


@router.post("/feeds/poll", response_model=list[FeedPollResult])
def poll(
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    analyzer: AnalyzerDep,
    actor: Ingester,
) -> list[FeedPollResult]:
    """Poll every enabled feed once now."""
    return service.poll_feeds(
        session=session,
        clock=clock,
        settings=settings,
        analyzer=analyzer,
        rumor_model=service.load_rumor_model(settings.opinion.rumor_model_path),
    )
