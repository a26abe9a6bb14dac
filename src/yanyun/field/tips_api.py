"""Routes of 线索举报: the public's door (no account) and the officers' queue."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from yanyun.auth.deps import public, require
from yanyun.auth.permissions import Perm
from yanyun.auth.service import Actor
from yanyun.command.deps import CATALOGUE
from yanyun.core.http import ClockDep, RuntimeDep, SessionDep, SettingsDep
from yanyun.core.params import Offset, PathKey
from yanyun.field import tips
from yanyun.field.tip_schemas import (
    TipChallenge,
    TipCreate,
    TipLookup,
    TipPage,
    TipRead,
    TipReceipt,
    TipStatusRead,
    TipTriage,
)
from yanyun.geo.api import IndexDep

router = APIRouter(prefix="/api/v1/tips", tags=["tips"])

Handler = Annotated[Actor, Depends(require(Perm.tips_handle))]


@router.get("/challenge", response_model=TipChallenge, dependencies=[Depends(public)])
def challenge(clock: ClockDep, settings: SettingsDep) -> TipChallenge:
    """A proof-of-work challenge for one tip (the form solves it in the browser)."""
    return tips.challenge(clock=clock, secret=settings.secret_key.get_secret_value(),
                          settings=settings.field)


@router.post("", response_model=TipReceipt, status_code=201, dependencies=[Depends(public)])
def file_tip(
    body: TipCreate, request: Request, session: SessionDep, clock: ClockDep,
    settings: SettingsDep, index: IndexDep,
) -> TipReceipt:
    """File a tip without an account; the receipt code is shown once, keep it."""
    return tips.file_tip(
        session=session, clock=clock, settings=settings.field,
        secret=settings.secret_key.get_secret_value(), index=index, tip_in=body,
        client=request.client.host if request.client else None,
    )


@router.post("/status", response_model=TipStatusRead, dependencies=[Depends(public)])
def tip_status(body: TipLookup, session: SessionDep) -> TipStatusRead:
    """A tip's state and reply, for whoever holds its number and receipt code."""
    return tips.tip_status(session=session, number=body.number, code=body.code)


@router.get("", response_model=TipPage)
def list_tips(
    session: SessionDep,
    actor: Handler,
    status: str | None = Query(None, pattern="^(received|converted|dismissed)$"),
    limit: int = Query(50, ge=1, le=500),
    offset: Offset = 0,
) -> TipPage:
    """The tips of the caller's area, newest first; contact phones masked."""
    return tips.list_tips(session=session, actor=actor, status=status, limit=limit,
                          offset=offset)


@router.post("/{tip_id}/triage", response_model=TipRead)
def triage(
    tip_id: PathKey, body: TipTriage, session: SessionDep, clock: ClockDep,
    settings: SettingsDep, runtime: RuntimeDep, index: IndexDep, actor: Handler,
) -> TipRead:
    """Make of a tip an incident, a grid report, an intelligence note, or nothing."""
    return tips.triage(
        session=session, clock=clock, actor=actor, tip_id=tip_id, body=body, index=index,
        catalogue=runtime.provide(CATALOGUE), command_settings=settings.command,
        community_settings=settings.community,
    )
