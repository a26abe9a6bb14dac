"""Handling an opinion event: assigned to an officer, verified, answered, closed."""

from __future__ import annotations

from sqlalchemy.orm import Session

from yanyun.auth.models import User
from yanyun.auth.service import Actor
from yanyun.core.clock import Clock, as_utc
from yanyun.core.errors import Conflict, Invalid
from yanyun.events.opinion import OpinionEventActed, OpinionEventChanged, OpinionEventClosed
from yanyun.opinion.event_reads import get_event
from yanyun.opinion.models import OpinionEvent
from yanyun.opinion.schemas import ActionIn, AssignIn, CloseIn, EventStatus
from yanyun.opinion.tracking import EVENT_ASSIGNED, announce, log_action


def _open_for_handling(session: Session, actor: Actor, event_id: str) -> OpinionEvent:
    event = get_event(session=session, actor=actor, event_id=event_id)
    if event.status == EventStatus.closed.value:
        raise Conflict("舆情事件已办结", "opinion event already closed", event_id=event_id)
    return event


def assign_event(
    *, session: Session, actor: Actor, clock: Clock, event_id: str, assign_in: AssignIn
) -> OpinionEvent:
    """Hand the event to an opinion officer (网上快警)."""
    event = _open_for_handling(session, actor, event_id)
    officer = session.get(User, assign_in.officer_id)
    if officer is None or not officer.active:
        raise Invalid("officer_id", "指派对象不存在或已停用", "no such active user to assign")
    if "opinion_officer" not in (officer.roles or []) and "admin" not in (officer.roles or []):
        raise Invalid("officer_id", "只能指派给舆情处置人员", "assign only to an opinion officer")
    event.officer_id = officer.id
    event.officer_name = assign_in.officer_name or officer.display_name
    event.status = EventStatus.assigned.value
    log_action(session, clock, event, "assign", actor, assign_in.note, {"officer_id": officer.id})
    announce(session, clock, event, OpinionEventChanged, kind=EVENT_ASSIGNED)
    return event


def record_action(
    *, session: Session, actor: Actor, clock: Clock, event_id: str, action_in: ActionIn
) -> OpinionEvent:
    """Record a verification, a response or a published clarification."""
    event = _open_for_handling(session, actor, event_id)
    kind = action_in.kind.value
    if kind == "verify":
        event.status = EventStatus.verifying.value
        event.unverified_claim = False
    elif kind in ("respond", "clarify"):
        event.status = EventStatus.responded.value
    detail = (
        {} if action_in.verified_false is None else {"verified_false": action_in.verified_false}
    )
    log_action(session, clock, event, kind, actor, action_in.note, detail)
    announce(session, clock, event, OpinionEventActed, action=kind)
    return event


def close_event(
    *, session: Session, actor: Actor, clock: Clock, event_id: str, close_in: CloseIn
) -> OpinionEvent:
    """Close the event once handled; supervision closes its task on the event."""
    event = _open_for_handling(session, actor, event_id)
    if event.status in (EventStatus.open.value,):
        raise Conflict(
            "舆情事件尚未指派处置,不能办结",
            "assign and handle the event before closing it",
            event_id=event_id,
        )
    event.status = EventStatus.closed.value
    event.closed_at = clock.now()
    log_action(session, clock, event, "close", actor, close_in.note)
    announce(session, clock, event, OpinionEventClosed, closed_at=as_utc(event.closed_at))
    return event
