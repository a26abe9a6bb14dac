"""Signing on to a unit and what the phone shows: the crew's unit and where it is sent."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.auth.models import User
from yanyun.auth.scope import visible
from yanyun.auth.service import Actor, hasher, mask_phone
from yanyun.command.catalogue import Catalogue
from yanyun.command.guard import worked_incident
from yanyun.command.models import Assignment, Incident, Unit
from yanyun.core.clock import Clock
from yanyun.core.ids import new_id
from yanyun.field.models import FieldShift
from yanyun.field.schemas import (
    OUTCOMES,
    DispatchRead,
    FieldUnitRead,
    MeRead,
    ShiftRead,
)
from yanyun.field.settings import FieldSettings


def open_shift(session: Session, actor: Actor) -> FieldShift | None:
    """The actor's current sign-on, if any."""
    return session.scalars(
        select(FieldShift)
        .where(FieldShift.user_id == actor.user_id, FieldShift.ended_at.is_(None))
        .order_by(FieldShift.started_at.desc())
    ).first()


def sign_on(
    *, session: Session, clock: Clock, actor: Actor, unit_id: str, pin: str | None = None
) -> FieldShift:
    """上岗: bind this user's phone to a unit in their area, ending any earlier sign-on.

    A unit outside the user's area is an unknown unit (404): a phone cannot
    take over another station's car, nor learn which ids exist.
    """
    unit = visible(session, Unit, unit_id, actor, what="unit")
    now = clock.now()
    for earlier in session.scalars(
        select(FieldShift).where(
            FieldShift.user_id == actor.user_id, FieldShift.ended_at.is_(None)
        ).with_for_update()
    ):
        earlier.ended_at = now
    shift = FieldShift(
        id=new_id(clock), user_id=actor.user_id, unit_id=unit.id, org_path=unit.org_path,
        started_at=now, pin_hash=hasher.hash(pin) if pin else None, pin_failures=0,
    )
    session.add(shift)
    session.flush()
    return shift


def me_shift(session: Session, shift: FieldShift) -> ShiftRead:
    unit = session.get(Unit, shift.unit_id)
    return ShiftRead(unit_id=shift.unit_id, call_sign=unit.call_sign if unit else shift.unit_id,
                     started_at=shift.started_at, has_pin=shift.pin_hash is not None)


def heard_from(*, session: Session, clock: Clock, actor: Actor) -> None:
    """The app is open on this phone (it sends this every 15 s and with every action)."""
    shift = open_shift(session, actor)
    if shift is not None:
        shift.last_seen_at = clock.now()


def sign_off(*, session: Session, clock: Clock, actor: Actor) -> FieldShift | None:
    """下岗: the phone stops acting for its unit."""
    shift = open_shift(session, actor)
    if shift is not None:
        shift.ended_at = clock.now()
    return shift


def _category(catalogue: Catalogue, incident: Incident) -> tuple[str, str]:
    category = catalogue.category(incident.category_code)
    zh, en = category.label_zh, category.label_en
    if incident.sub_code:
        sub = catalogue.subcategory(incident.sub_code)
        zh, en = f"{zh}/{sub.label_zh}", f"{en}/{sub.label_en}"
    return zh, en


def active_dispatches(
    session: Session, catalogue: Catalogue, unit_id: str
) -> list[DispatchRead]:
    """The incidents this unit is sent to and has not cleared, newest first."""
    rows = session.execute(
        select(Assignment, Incident)
        .join(Incident, Incident.id == Assignment.incident_id)
        .where(Assignment.unit_id == unit_id, Assignment.cleared_at.is_(None))
        .order_by(Assignment.assigned_at.desc())
    ).all()
    return [
        DispatchRead(
            incident_id=incident.id,
            number=incident.number,
            status=incident.status,
            priority=incident.priority,
            category_code=incident.category_code,
            sub_code=incident.sub_code,
            category_label_zh=_category(catalogue, incident)[0],
            category_label_en=_category(catalogue, incident)[1],
            narrative=incident.narrative,
            address_text=incident.address_text,
            lng=incident.lng,
            lat=incident.lat,
            # The crew calls back through the audited call-back, never from this list.
            caller_phone_masked=mask_phone(incident.caller_phone),
            received_at=incident.received_at,
            assigned_at=assignment.assigned_at,
            acknowledged_at=assignment.acknowledged_at,
            arrived_at=assignment.arrived_at,
            dispatch_target_s=incident.dispatch_target_s,
            arrival_target_s=incident.arrival_target_s,
            arrival_breached=incident.arrival_breached,
        )
        for assignment, incident in rows
    ]


def me(
    *, session: Session, clock: Clock, actor: Actor, settings: FieldSettings, catalogue: Catalogue
) -> MeRead:
    """What the phone shows now; read again after every action and live event."""
    user = session.get(User, actor.user_id)
    shift = open_shift(session, actor)
    unit = session.get(Unit, shift.unit_id) if shift is not None else None
    return MeRead(
        user_id=actor.user_id,
        display_name=user.display_name if user is not None else actor.username,
        shift=me_shift(session, shift) if shift is not None else None,
        unit=FieldUnitRead.model_validate(unit, from_attributes=True) if unit else None,
        dispatches=active_dispatches(session, catalogue, unit.id) if unit is not None else [],
        outcomes=OUTCOMES,
        position_every_s=settings.position_every_s,
        server_time=clock.now(),
    )


def crew_works_on(session: Session, user_id: str, reference: str) -> bool:
    """Whether the user is signed on to a unit sent to this incident, still being worked."""
    incident = worked_incident(session, reference)
    if incident is None:
        return False
    return session.scalar(
        select(FieldShift.id)
        .join(Assignment, Assignment.unit_id == FieldShift.unit_id)
        .where(FieldShift.user_id == user_id, FieldShift.ended_at.is_(None),
               Assignment.incident_id == incident.id)
    ) is not None
