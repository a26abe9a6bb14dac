"""Routes of the desk's trends (by fraud type and district) and publicity events (反诈宣传)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from yanyun.antifraud import publicity, trends
from yanyun.antifraud.schemas import PublicityIn, PublicityList, PublicityRead, Trends
from yanyun.auth.deps import require
from yanyun.auth.permissions import Perm
from yanyun.auth.service import Actor
from yanyun.core.http import ClockDep, SessionDep
from yanyun.core.params import Day

router = APIRouter(prefix="/api/v1/antifraud", tags=["antifraud"])

Reader = Annotated[Actor, Depends(require(Perm.antifraud_read))]
Handler = Annotated[Actor, Depends(require(Perm.antifraud_handle))]


@router.get("/trends", response_model=Trends)
def warning_trends(
    session: SessionDep, clock: ClockDep, actor: Reader,
    period: Annotated[Literal["day", "week", "month"], Query()] = "week",
    on: Annotated[Day | None, Query()] = None,
) -> Trends:
    """Warnings by fraud type and district in the day, week or month holding ``on``, against
    the one before; the caller's scope only, a year back at most."""
    return trends.trends(session=session, clock=clock, actor=actor, period=period, on=on)


@router.get("/publicity", response_model=PublicityList)
def list_publicity(session: SessionDep, clock: ClockDep, actor: Reader,
                   months: Annotated[int, Query(ge=1, le=12)] = 3) -> PublicityList:
    """Publicity activities of the last months in scope, with counts per station and month."""
    return publicity.listing(session=session, clock=clock, actor=actor, months=months)


@router.post("/publicity", response_model=PublicityRead, status_code=201)
def add_publicity(body: PublicityIn, session: SessionDep, clock: ClockDep,
                  actor: Handler) -> PublicityRead:
    """Record one activity of a station in the caller's scope."""
    return publicity.record(session=session, clock=clock, actor=actor, event_in=body)
