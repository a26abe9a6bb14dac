"""What a crew member does from the phone, applied once however often it is delivered.

A phone queues every action (签收, 到场, 处置完毕, its positions) with a key made
when its user acted, and sends the queue in order whenever it has a network.
Each action is applied through command's services, exactly once (the key is
claimed with the effect, `yanyun.core.once`), and answered one by one:
applied, a conflict the officer must see (the incident was cancelled
meanwhile), or rejected. A batch never fails as a whole for one bad action.

A crew's authority over an incident comes from the dispatch, not from its
area: flat dispatch sends units across station lines, so a crew acts on the
incidents its unit is assigned to, and on no other.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.auth.service import Actor
from yanyun.command import dispatching, units
from yanyun.command import service as incidents
from yanyun.command.models import Assignment, Incident, Unit
from yanyun.command.schemas import OUTCOMES, PositionIn
from yanyun.command.settings import CommandSettings
from yanyun.core import once
from yanyun.core.clock import Clock
from yanyun.core.errors import DomainError, Invalid
from yanyun.field.schemas import ActionResult, BatchResult, FieldAction
from yanyun.field.service import heard_from, open_shift
from yanyun.field.settings import FieldSettings

#: Statuses in which an incident no longer wants its units.
_FINISHED = ("resolved", "closed", "cancelled")


def _answer(status: str, zh: str | None = None, en: str | None = None, **facts: Any) -> dict:
    return {"status": status, "reason_zh": zh, "reason_en": en, **facts}


def _assignment(session: Session, unit_id: str, incident_id: str) -> tuple[Incident | None, bool]:
    """The incident if this unit was ever sent to it, and whether it still is."""
    rows = list(
        session.scalars(
            select(Assignment).where(
                Assignment.unit_id == unit_id, Assignment.incident_id == incident_id
            )
        )
    )
    if not rows:
        return None, False
    return session.get(Incident, incident_id), any(a.cleared_at is None for a in rows)


def _not_sent(incident_id: str) -> dict:
    # The same answer whether the incident exists or not: a phone learns nothing of others.
    return _answer(
        "rejected",
        f"本单元未被派往警情 {incident_id}",
        f"this unit was not sent to incident {incident_id}",
    )


def _released(incident: Incident) -> dict:
    label = {"cancelled": ("已撤销", "cancelled"), "resolved": ("已处置完毕", "resolved"),
             "closed": ("已结案", "closed")}.get(incident.status, ("已改派", "reassigned"))
    return _answer(
        "conflict",
        f"警情{incident.number}{label[0]}，本单元已解除派警；此操作未执行",
        f"incident {incident.number} was {label[1]} meanwhile and this unit released; "
        "the action was not applied",
        incident_status=incident.status,
    )


def acting_for(actor: Actor, incident: Incident) -> Actor:
    """The crew member, with authority over this one incident the dispatch gave them."""
    return replace(actor, org_path=incident.org_path)


def _on_incident(
    session: Session, clock: Clock, actor: Actor, unit: Unit, action: FieldAction
) -> dict:
    assert action.incident_id is not None
    incident, active = _assignment(session, unit.id, action.incident_id)
    if incident is None:
        return _not_sent(action.incident_id)
    if not active:
        return _released(incident)
    command_action = "clear" if action.kind == "clear" else action.kind
    dispatching.unit_action(
        session=session, clock=clock, actor=actor, unit_id=unit.id,
        incident_id=incident.id, action=command_action,
    )
    if action.kind == "clear":
        _record_outcome(session, clock, acting_for(actor, incident), unit, incident, action)
    return _answer("applied", unit_status=unit.status, incident_status=incident.status)


def _record_outcome(
    session: Session, clock: Clock, actor: Actor, unit: Unit, incident: Incident,
    action: FieldAction,
) -> None:
    """处置完毕: the outcome goes on the timeline; the last crew on scene resolves the incident."""
    zh, en = OUTCOMES[action.outcome or "other"]
    text = f"{unit.call_sign} 处置完毕" + (f"：{action.note}" if action.note else "")
    still_there = session.scalar(
        select(Assignment.id).where(
            Assignment.incident_id == incident.id, Assignment.cleared_at.is_(None)
        )
    )
    if incident.status == "on_scene" and still_there is None:
        incidents.transition(
            session=session, clock=clock, actor=actor, incident_id=incident.id,
            to_status="resolved", note=text[:450], outcome=action.outcome or "other",
        )
    else:
        text = f"{text}（处置结果：{zh} / {en}）"
        incidents.add_note(
            session=session, clock=clock, actor=actor, incident_id=incident.id, text=text[:500]
        )


def _position(
    session: Session, clock: Clock, actor: Actor, settings: CommandSettings, unit: Unit,
    action: FieldAction,
) -> dict:
    assert action.lng is not None and action.lat is not None
    result = units.record_positions(
        session=session, clock=clock, settings=settings, actor=actor,
        positions=[PositionIn(unit_id=unit.id, lng=action.lng, lat=action.lat, at=action.at)],
    )
    if result.rejected:
        bad = result.rejected[0]
        return _answer("rejected", bad.reason_zh, bad.reason_en)
    return _answer("applied", unit_status=unit.status)


def _act(
    session: Session, clock: Clock, actor: Actor, settings: CommandSettings, action: FieldAction
) -> dict:
    shift = open_shift(session, actor)
    if shift is None:
        return _answer("rejected", "未上岗：请先选择本班警力单元", "not signed on to a unit")
    unit = session.get(Unit, shift.unit_id)
    if unit is None:
        return _answer("rejected", "警力单元已不存在", "the unit no longer exists")
    try:
        # Its own savepoint: a refusal half-way leaves nothing of this action behind.
        with session.begin_nested():
            if action.kind == "position":
                return _position(session, clock, actor, settings, unit, action)
            return _on_incident(session, clock, actor, unit, action)
    except DomainError as exc:
        status = "rejected" if isinstance(exc, Invalid) else "conflict"
        return _answer(status, exc.message_zh, exc.message_en)


def apply_actions(
    *,
    session: Session,
    clock: Clock,
    actor: Actor,
    settings: FieldSettings,
    command_settings: CommandSettings,
    actions: list[FieldAction],
) -> BatchResult:
    """Apply a phone's queue in order; each action once, each with its own answer."""
    if len(actions) > settings.max_actions_per_batch:
        raise Invalid(
            "actions",
            f"一次最多提交{settings.max_actions_per_batch}项操作",
            f"at most {settings.max_actions_per_batch} actions per batch",
        )
    heard_from(session=session, clock=clock, actor=actor)
    results: list[ActionResult] = []
    for action in actions:
        if action.kind == "position":
            # A position needs no key kept: it is idempotent by itself (the latest fix
            # wins, an older or repeated one is ignored), and a key per fix would keep
            # 8,640 rows a day per phone.
            answer = _act(session, clock, actor, command_settings, action)
            results.append(ActionResult(key=action.key, kind=action.kind, replayed=False,
                                        **answer))
            continue
        try:
            delivery = once.apply_once(
                session,
                clock=clock,
                key=action.key,
                actor_id=actor.user_id,
                request=action.model_dump(mode="json", exclude={"key"}),
                act=lambda action=action: _act(session, clock, actor, command_settings, action),
            )
        except Invalid as exc:  # the key was used for another action: refuse this one only
            delivery = once.Delivery(_answer("rejected", exc.message_zh, exc.message_en), False)
        results.append(
            ActionResult(
                key=action.key, kind=action.kind, replayed=delivery.replayed, **delivery.answer
            )
        )
    fresh = [r for r in results if not r.replayed]
    return BatchResult(
        results=results,
        applied=sum(r.status == "applied" for r in fresh),
        replayed=len(results) - len(fresh),
        conflicts=sum(r.status == "conflict" for r in fresh),
        rejected=sum(r.status == "rejected" for r in fresh),
    )
