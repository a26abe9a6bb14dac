"""Routes of the field app: sign on to a unit, see its dispatches, send what was done."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request, Response

from yanyun.auth.deps import require
from yanyun.auth.permissions import Perm
from yanyun.auth.service import Actor
from yanyun.command.deps import CATALOGUE, UnitReader
from yanyun.core.errors import Invalid
from yanyun.core.http import ClockDep, RuntimeDep, SessionDep, SettingsDep
from yanyun.core.params import PathKey
from yanyun.field import actions, avl, emergency, photos, service, tracks
from yanyun.field.schemas import (
    TRACK_MAX_DAYS,
    ActionBatch,
    BatchResult,
    EmergencyCancel,
    EmergencyIn,
    EmergencyRead,
    FixIn,
    FixTaken,
    MeRead,
    PhotoRead,
    ShiftRead,
    ShiftStart,
    TrackQuery,
    TrackRead,
)
from yanyun.geo.api import IndexDep

router = APIRouter(prefix="/api/v1/field", tags=["field"])

Crew = Annotated[Actor, Depends(require(Perm.field_act))]
Reader = Annotated[Actor, Depends(require(Perm.incidents_read))]
GridStaff = Annotated[Actor, Depends(require(Perm.community_write))]


@router.get("/me", response_model=MeRead)
def me(
    session: SessionDep, clock: ClockDep, settings: SettingsDep, runtime: RuntimeDep, actor: Crew
) -> MeRead:
    """The phone's whole screen: the user, their unit, its open dispatches."""
    return service.me(
        session=session, clock=clock, actor=actor, settings=settings.field,
        catalogue=runtime.provide(CATALOGUE),
    )


@router.post("/shift", response_model=ShiftRead, status_code=201)
def sign_on(body: ShiftStart, session: SessionDep, clock: ClockDep, actor: Crew) -> ShiftRead:
    """上岗: this phone acts for the unit from now on."""
    shift = service.sign_on(
        session=session, clock=clock, actor=actor, unit_id=body.unit_id, pin=body.pin
    )
    return service.me_shift(session, shift)


@router.post("/shift/end", status_code=204)
def sign_off(session: SessionDep, clock: ClockDep, actor: Crew) -> None:
    """下岗: the phone stops acting for its unit."""
    service.sign_off(session=session, clock=clock, actor=actor)


@router.post("/position", response_model=FixTaken, status_code=202)
def send_position(
    body: FixIn, session: SessionDep, clock: ClockDep, runtime: RuntimeDep, actor: Crew
) -> FixTaken:
    """The phone's fix: kept for its unit and written with the second's others (AVL)."""
    unit_id = avl.take_fix(session=session, runtime=runtime, clock=clock, actor=actor,
                           lng=body.lng, lat=body.lat, at=body.at)
    return FixTaken(unit_id=unit_id)


@router.post("/units/{unit_id}/track", response_model=TrackRead)
def unit_track(
    unit_id: PathKey, body: TrackQuery, session: SessionDep, clock: ClockDep,
    runtime: RuntimeDep, actor: UnitReader,
) -> TrackRead:
    """A unit's track from the data pool: needs a case or dispatch of one's own and a purpose;
    audited."""
    if body.until <= body.since:
        raise Invalid("until", "结束时间须晚于开始时间", "until must be after since")
    if body.until - body.since > timedelta(days=TRACK_MAX_DAYS):
        raise Invalid("until", f"一次最多查询{TRACK_MAX_DAYS}天的轨迹",
                      f"a track read covers at most {TRACK_MAX_DAYS} days")
    points = tracks.unit_track(
        session=session, runtime=runtime, clock=clock, actor=actor, unit_id=unit_id,
        since=body.since, until=body.until, purpose=body.purpose,
        case_number=body.case_number, limit=body.limit,
    )
    return TrackRead(unit_id=unit_id, points=points)


@router.post("/heartbeat", status_code=204)
def heartbeat(session: SessionDep, clock: ClockDep, actor: Crew) -> None:
    """The app is open: dispatches reach it live, so none is texted to this phone."""
    service.heard_from(session=session, clock=clock, actor=actor)


@router.post("/actions", response_model=BatchResult)
def send_actions(
    body: ActionBatch, session: SessionDep, clock: ClockDep, settings: SettingsDep, actor: Crew
) -> BatchResult:
    """Apply the phone's queued actions in order, each exactly once (a resent key is
    answered as it was the first time); each gets its own answer."""
    return actions.apply_actions(
        session=session, clock=clock, actor=actor, settings=settings.field,
        command_settings=settings.command, actions=body.actions,
    )


@router.post("/emergency", response_model=EmergencyRead, status_code=201)
def raise_emergency(
    body: EmergencyIn, session: SessionDep, clock: ClockDep, settings: SettingsDep,
    runtime: RuntimeDep, index: IndexDep, actor: Crew,
) -> EmergencyRead:
    """一键求助: a priority-1 incident at the officer's last position, the unit in emergency."""
    return emergency.raise_emergency(
        session=session, clock=clock, actor=actor, index=index,
        catalogue=runtime.provide(CATALOGUE), settings=settings.command, press=body,
    )


@router.post("/emergency/cancel", response_model=EmergencyRead)
def cancel_emergency(
    body: EmergencyCancel, session: SessionDep, clock: ClockDep, actor: Crew
) -> EmergencyRead:
    """The officer is safe: the PIN set at sign-on cancels their own call for help."""
    return emergency.cancel_emergency(session=session, clock=clock, actor=actor, cancel=body)


async def photo_body(request: Request) -> bytes:
    """The request body, refused (413) as soon as it passes the photo limit, never read on."""
    settings = request.app.state.runtime.settings.field
    limit = settings.max_photo_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise photos.too_large(settings)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise photos.too_large(settings)
        chunks.append(chunk)
    return b"".join(chunks)


@router.post("/incidents/{incident_id}/photos", response_model=PhotoRead, status_code=201)
def add_photo(
    incident_id: PathKey,
    data: Annotated[bytes, Depends(photo_body)],
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Crew,
    key: Annotated[str, Header(alias="X-Yanyun-Key", min_length=8, max_length=64,
                               pattern=r"^[A-Za-z0-9_-]+$")],
) -> PhotoRead:
    """A scene photo as the raw request body; its bytes decide what it is, not its name.
    Sent again with the same key (the answer was lost), it is kept once."""
    return photos.add_photo(
        session=session, clock=clock, actor=actor, settings=settings.field,
        incident_id=incident_id, key=key, data=data,
    )


@router.post("/photos", response_model=PhotoRead, status_code=201)
def add_report_photo(
    data: Annotated[bytes, Depends(photo_body)],
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: GridStaff,
    key: Annotated[str, Header(alias="X-Yanyun-Key", min_length=8, max_length=64,
                               pattern=r"^[A-Za-z0-9_-]+$")],
) -> PhotoRead:
    """A photo for a grid report (隐患, 走访), before the report: named in it as ``photo:<id>``."""
    return photos.add_report_photo(session=session, clock=clock, actor=actor,
                                   settings=settings.field, key=key, data=data)


@router.get("/incidents/{incident_id}/photos", response_model=list[PhotoRead])
def list_photos(incident_id: PathKey, session: SessionDep, actor: Reader) -> list[PhotoRead]:
    """The scene photos of an incident the caller sees (metadata only)."""
    return photos.photos_of(session=session, actor=actor, incident_id=incident_id)


@router.get("/photos/{photo_id}", response_class=Response)
def open_photo(
    photo_id: PathKey, session: SessionDep, clock: ClockDep, settings: SettingsDep,
    actor: Reader,
) -> Response:
    """A scene photo's bytes; each view is audited with the incident's number."""
    data, content_type = photos.open_photo(
        session=session, clock=clock, actor=actor, settings=settings.field, photo_id=photo_id
    )
    return Response(data, media_type=content_type,
                    headers={"Content-Disposition": "inline", "Cache-Control": "no-store"})
