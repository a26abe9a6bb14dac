"""一键求助: an officer in danger asks for help with one press, and only they call it off.

The press opens a priority-1 incident at the officer's last position (the
phone's fix, else the unit's AVL) and puts the unit in the emergency status, so
the console and the wall turn red and the unit is sent nowhere else. The
phone may resend the press (no answer came back): the key makes it one
incident. Cancelling needs the PIN set at sign-on: whoever takes the phone
from an officer cannot call the help off; after five wrong PINs only the
command center can.
"""

from __future__ import annotations

from argon2.exceptions import VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.auth.models import User
from yanyun.auth.service import Actor, hasher
from yanyun.command import service as incidents
from yanyun.command.catalogue import Catalogue
from yanyun.command.models import Assignment, Incident, Unit
from yanyun.command.schemas import IncidentCreate, IncidentSource
from yanyun.command.settings import CommandSettings
from yanyun.core import events, once
from yanyun.core.clock import Clock
from yanyun.core.errors import Conflict, Invalid, NotFound
from yanyun.events.command import UnitChanged
from yanyun.field.actions import acting_for
from yanyun.field.models import FieldShift
from yanyun.field.schemas import EmergencyCancel, EmergencyIn, EmergencyRead
from yanyun.field.service import open_shift
from yanyun.geo.service import CityIndex

#: The catalogue's sub-category of an officer's call for help (民警紧急求助).
EMERGENCY = ("95", "9501")
#: Wrong PINs before the phone can no longer cancel.
MAX_PIN_FAILURES = 5


def _set_unit(session: Session, clock: Clock, unit: Unit, status: str, incident: Incident) -> None:
    unit.status = status
    events.publish(
        session,
        UnitChanged(status=status, lng=unit.lng, lat=unit.lat, incident_id=incident.id,
                    number=incident.number, call_sign=unit.call_sign),
        clock=clock,
        kind=f"unit.{status}",
        resource_id=unit.id,
        org_path=unit.org_path,
    )


def _open(
    session: Session, clock: Clock, actor: Actor, index: CityIndex, catalogue: Catalogue,
    settings: CommandSettings, shift: FieldShift | None, press: EmergencyIn,
) -> dict:
    unit = session.get(Unit, shift.unit_id) if shift is not None else None
    lng, lat = press.lng, press.lat
    if lng is None or lat is None:
        if unit is None:
            raise Invalid("lng", "无法定位：手机未取得位置且未上岗",
                          "no position: the phone has no fix and is not signed on to a unit")
        lng, lat = unit.lng, unit.lat
    user = session.get(User, actor.user_id)
    who = user.display_name if user is not None else actor.username
    on = f"（{unit.call_sign}）" if unit is not None else ""
    incident = incidents.open_incident(
        session=session, clock=clock, actor=None, index=index, catalogue=catalogue,
        settings=settings,
        incident_in=IncidentCreate(
            source=IncidentSource.officer_emergency,
            narrative=f"一键求助：{who}{on}请求紧急支援 / officer {actor.username} needs help",
            lng=lng, lat=lat, category_code=EMERGENCY[0], sub_code=EMERGENCY[1], priority=1,
        ),
    )
    incident.created_by = actor.user_id
    if unit is not None:
        _set_unit(session, clock, unit, "emergency", incident)
    return {"incident_id": incident.id, "number": incident.number, "status": incident.status,
            "unit_status": unit.status if unit is not None else None}


def raise_emergency(
    *, session: Session, clock: Clock, actor: Actor, index: CityIndex, catalogue: Catalogue,
    settings: CommandSettings, press: EmergencyIn,
) -> EmergencyRead:
    """Open the officer's call for help, once per press."""
    shift = open_shift(session, actor)
    delivery = once.apply_once(
        session, clock=clock, key=press.key, actor_id=actor.user_id,
        request=press.model_dump(mode="json", exclude={"key"}),
        act=lambda: _open(session, clock, actor, index, catalogue, settings, shift, press),
    )
    return EmergencyRead(**delivery.answer, replayed=delivery.replayed)


def _check_pin(session: Session, shift: FieldShift | None, pin: str) -> None:
    if shift is None or shift.pin_hash is None:
        raise Conflict("未设置撤销密码：请由指挥中心撤销", "no PIN was set: the command center "
                       "cancels this call for help")
    if shift.pin_failures >= MAX_PIN_FAILURES:
        raise Conflict("撤销密码错误次数过多：请由指挥中心撤销",
                       "too many wrong PINs: the command center cancels this call for help")
    try:
        hasher.verify(shift.pin_hash, pin)
    except VerificationError:
        shift.pin_failures += 1
        # The count stands although the request fails.
        session.info["commit_on_error"] = True
        left = MAX_PIN_FAILURES - shift.pin_failures
        raise Invalid("pin", f"撤销密码错误，还可尝试{left}次",
                      f"wrong PIN; {left} tries left") from None
    shift.pin_failures = 0


def cancel_emergency(
    *, session: Session, clock: Clock, actor: Actor, cancel: EmergencyCancel
) -> EmergencyRead:
    """The officer is safe: their PIN cancels their own call for help and frees the unit."""
    incident = session.get(Incident, cancel.incident_id)
    if (
        incident is None
        or incident.source != IncidentSource.officer_emergency
        or incident.created_by != actor.user_id
    ):
        raise NotFound("一键求助", cancel.incident_id)
    shift = open_shift(session, actor)
    _check_pin(session, shift, cancel.pin)
    incidents.transition(
        session=session, clock=clock, actor=acting_for(actor, incident),
        incident_id=incident.id, to_status="cancelled",
        note="求助民警本人以撤销密码解除 / cancelled by the officer with their PIN",
    )
    unit = session.get(Unit, shift.unit_id) if shift is not None else None
    if unit is not None and unit.status == "emergency":
        _set_unit(session, clock, unit, _status_after(session, unit), incident)
    return EmergencyRead(incident_id=incident.id, number=incident.number,
                         status=incident.status, unit_status=unit.status if unit else None)


def _status_after(session: Session, unit: Unit) -> str:
    """What the unit was doing before its crew called for help."""
    if unit.current_incident_id is None:
        return "available"
    arrived = session.scalar(
        select(Assignment.arrived_at).where(
            Assignment.unit_id == unit.id,
            Assignment.incident_id == unit.current_incident_id,
            Assignment.cleared_at.is_(None),
        )
    )
    return "on_scene" if arrived is not None else "en_route"
