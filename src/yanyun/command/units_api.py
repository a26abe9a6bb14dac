"""Routes of the fleet: units' live status and positions, their actions, the 1-3-5 circles."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from yanyun.auth.deps import require
from yanyun.auth.permissions import Perm
from yanyun.auth.service import Actor
from yanyun.command import dispatching, units
from yanyun.command.deps import UnitReader, UnitWriter
from yanyun.command.schemas import PositionBatch, PositionBatchResult, UnitAction, UnitRead
from yanyun.core.http import ClockDep, SessionDep, SettingsDep
from yanyun.core.params import PathKey

router = APIRouter(prefix="/api/v1", tags=["command"])


@router.get("/units", response_model=list[UnitRead])
def list_units(
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: UnitReader,
    status: Annotated[str | None, Query(max_length=16)] = None,
    kind: Annotated[str | None, Query(max_length=16)] = None,
    limit: Annotated[int, Query(ge=1, le=20000)] = 1000,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[UnitRead]:
    """Units in scope with live status and position; stale fixes are flagged."""
    rows = units.list_units(
        session=session, actor=actor, status=status, kind=kind, limit=limit, offset=offset
    )
    return [units.unit_read(u, clock=clock, settings=settings.command) for u in rows]


@router.post("/units/positions", response_model=PositionBatchResult)
def positions(
    body: PositionBatch,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: UnitWriter,
) -> PositionBatchResult:
    """A batch of AVL fixes: the latest wins; rejected rows are counted with the reason."""
    return units.record_positions(
        session=session,
        clock=clock,
        settings=settings.command,
        positions=body.positions,
        actor=actor,
    )


@router.post("/units/{unit_id}/actions", response_model=UnitRead)
def unit_action(
    unit_id: PathKey,
    body: UnitAction,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: UnitWriter,
) -> UnitRead:
    """A unit acknowledges, arrives or clears; the incident follows."""
    unit = dispatching.unit_action(
        session=session,
        clock=clock,
        actor=actor,
        unit_id=unit_id,
        incident_id=body.incident_id,
        action=body.action,
    )
    return units.unit_read(unit, clock=clock, settings=settings.command)


@router.get("/response-circles")
def response_circles(
    session: SessionDep, actor: Annotated[Actor, Depends(require(Perm.map_read))]
) -> list[dict]:
    """The 1-3-5 quick-response circles with their arrival targets."""
    return units.response_circles(session=session)
