"""Routes of the field app: sign on to a unit, see its dispatches, send what was done."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from yanyun.auth.deps import require
from yanyun.auth.permissions import Perm
from yanyun.auth.service import Actor
from yanyun.command.api import CATALOGUE
from yanyun.core.http import ClockDep, RuntimeDep, SessionDep, SettingsDep
from yanyun.field import actions, emergency, service
from yanyun.field.schemas import (
    ActionBatch,
    BatchResult,
    EmergencyCancel,
    EmergencyIn,
    EmergencyRead,
    MeRead,
    ShiftRead,
    ShiftStart,
)
from yanyun.geo.api import IndexDep

router = APIRouter(prefix="/api/v1/field", tags=["field"])

Crew = Annotated[Actor, Depends(require(Perm.field_act))]


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
