"""Working a warning: reads in scope (masked), contacts, the outcome, 止付冻结.

A station's users see their station's warnings; a supervisor sees their
area's. The victim is shown masked everywhere; the full name, phone and ID
number come only through :func:`read_victim`, audited and bound to the
warning's number (which is the reader's live work while it is open in their
scope, see :func:`handles_warning`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.antifraud.grading import age_on, load_rules
from yanyun.antifraud.models import FraudWarning, QuarantinedRow, StopPayment, WarningContact
from yanyun.antifraud.overdue import VISIT_OWED_GRADES, VISIT_WAIVED
from yanyun.antifraud.schemas import (
    OUTCOMES,
    ContactIn,
    ContactRead,
    OutcomeIn,
    QuarantineRead,
    StopPaymentIn,
    StopPaymentRead,
    VictimRead,
    WarningDetail,
    WarningRead,
)
from yanyun.antifraud.settings import AntifraudSettings
from yanyun.auth.models import User
from yanyun.auth.permissions import Perm, permissions_of
from yanyun.auth.scope import visible
from yanyun.auth.service import Actor, org_path_of
from yanyun.core import audit, events
from yanyun.core.clock import Clock, as_utc, local_date
from yanyun.core.errors import Conflict, Invalid
from yanyun.core.ids import new_id
from yanyun.events.antifraud import FraudCaseRequested, WarningClosed
from yanyun.intel.registrations import mask_id_number, mask_phone


def mask_name(name: str) -> str:
    """A name with all but its first character hidden.

    >>> mask_name("张三丰"), mask_name("李")
    ('张**', '李*')
    """
    return name[:1] + "*" * max(1, len(name) - 1)


def get_warning(*, session: Session, actor: Actor | None, warning_id: str,
                for_update: bool = False) -> FraudWarning:
    """The warning if the actor's scope covers it; else 404 (the one scope check here)."""
    return visible(session, FraudWarning, warning_id, actor, what="antifraud_warning",
                   for_update=for_update)


def _late(done_at: datetime | None, due_at: datetime) -> bool | None:
    return None if done_at is None else as_utc(done_at) > as_utc(due_at)


def warning_read(row: FraudWarning) -> WarningRead:
    rules = load_rules()
    kind = rules.fraud_types.get(row.fraud_type)
    return WarningRead(
        id=row.id, number=row.number, source=row.source, received_at=row.received_at,
        victim_name=mask_name(row.victim_name), victim_phone=mask_phone(row.victim_phone),
        victim_id_number=mask_id_number(row.victim_id_number) if row.victim_id_number else None,
        victim_age=age_on(row.victim_id_number, local_date(row.received_at)),
        address=row.address, lng=row.lng, lat=row.lat, district_code=row.district_code,
        station_code=row.station_code, grid_code=row.grid_code, fraud_type=row.fraud_type,
        fraud_type_zh=kind.zh if kind else row.fraud_type,
        fraud_type_en=kind.en if kind else row.fraud_type,
        suspect_account=row.suspect_account, amount_yuan=row.amount_yuan, grade=row.grade,
        score=row.score, rules_version=row.rules_version, grade_reasons=list(row.grade_reasons),
        phone_due_at=row.phone_due_at, visit_due_at=row.visit_due_at,
        first_phone_at=row.first_phone_at, first_visit_at=row.first_visit_at,
        phone_late=_late(row.first_phone_at, row.phone_due_at),
        visit_late=_late(row.first_visit_at, row.visit_due_at),
        visit_owed=(row.status == "closed" and row.first_visit_at is None
                    and row.grade in VISIT_OWED_GRADES and row.outcome not in VISIT_WAIVED),
        status=row.status, outcome=row.outcome, closed_at=row.closed_at,
        overdue_at=row.overdue_at, repeat_victim=row.repeat_victim,
        repeat_suspect=row.repeat_suspect, stopped_yuan=row.stopped_yuan,
        synthetic=row.synthetic, case_id=row.case_id, case_number=row.case_number,
    )


def warning_detail(session: Session, row: FraudWarning) -> WarningDetail:
    contacts = session.scalars(select(WarningContact).where(WarningContact.warning_id == row.id)
                               .order_by(WarningContact.at))
    return WarningDetail(
        **warning_read(row).model_dump(),
        contacts=[ContactRead(at=c.at, channel=c.channel, by=c.by, reached=c.reached,
                              note=c.note) for c in contacts],
        stop_payments=[StopPaymentRead.model_validate(p, from_attributes=True)
                       for p in session.scalars(select(StopPayment).where(
                           StopPayment.warning_id == row.id).order_by(StopPayment.requested_at))],
    )


def list_warnings(*, session: Session, actor: Actor, station_code: str | None = None,
                  status: str | None = None, grade: str | None = None, limit: int = 100,
                  offset: int = 0) -> list[WarningRead]:
    """Warnings in the actor's scope, newest first."""
    stmt = actor.scope(select(FraudWarning), FraudWarning.org_path)
    if station_code:
        stmt = stmt.where(FraudWarning.station_code == station_code)
    if status:
        stmt = stmt.where(FraudWarning.status == status)
    if grade:
        stmt = stmt.where(FraudWarning.grade == grade)
    rows = session.scalars(stmt.order_by(FraudWarning.received_at.desc(), FraudWarning.id)
                           .limit(limit).offset(offset))
    return [warning_read(r) for r in rows]


def _open(session: Session, actor: Actor, warning_id: str) -> FraudWarning:
    row = get_warning(session=session, actor=actor, warning_id=warning_id, for_update=True)
    if row.status == "closed":
        raise Conflict(f"预警{row.number}已办结", f"warning {row.number} is closed")
    return row


def record_contact(*, session: Session, clock: Clock, actor: Actor, warning_id: str,
                   contact: ContactIn) -> FraudWarning:
    """Log an attempt to reach the person (phone or in person); the first of each counts.

    A closed warning still takes its in-person visit (补录走访): a high grade owes
    one even when the person was dissuaded by phone. The visit is kept with its
    own time (so one made after ``visit_due_at`` stays late) and changes neither
    the status nor the outcome. A phone contact on a closed warning is refused.
    """
    row = get_warning(session=session, actor=actor, warning_id=warning_id, for_update=True)
    closed = row.status == "closed"
    if closed and contact.channel != "visit":
        raise Conflict(f"预警{row.number}已办结，不再记录电话联系；如需补录上门走访，请选择“上门”",
                       f"warning {row.number} is closed: no more phone contacts are logged; "
                       "a late in-person visit can still be logged")
    now = clock.now()
    session.add(WarningContact(id=new_id(clock), warning_id=row.id, at=now,
                               channel=contact.channel, by=actor.username,
                               reached=contact.reached, note=contact.note or ""))
    if contact.channel == "phone" and row.first_phone_at is None:
        row.first_phone_at = now
    if contact.channel == "visit" and row.first_visit_at is None:
        row.first_visit_at = now
    if contact.reached and not closed:
        row.status = "contacted"
    session.flush()
    return row


#: Outcomes that become a fraud case (案件), opened by cases from ``antifraud.case_requested``.
CASE_OUTCOMES = ("defrauded", "case_opened")


def _close(session: Session, clock: Clock, actor: Actor, row: FraudWarning, outcome: str) -> None:
    row.status, row.outcome, row.closed_at = "closed", outcome, clock.now()
    events.publish(session, WarningClosed(
        number=row.number, outcome=outcome, station_code=row.station_code,
        stopped_yuan=row.stopped_yuan,
    ), clock=clock, resource_id=row.id, org_path=row.org_path)
    if outcome in CASE_OUTCOMES:
        kind = load_rules().fraud_types.get(row.fraud_type)
        events.publish(session, FraudCaseRequested(
            warning_id=row.id, number=row.number, outcome=outcome,
            owner_username=actor.username, fraud_type_zh=kind.zh if kind else row.fraud_type,
            victim_masked=mask_name(row.victim_name), address=row.address, lng=row.lng,
            lat=row.lat, amount_yuan=row.amount_yuan, suspect_account=row.suspect_account,
            received_at=row.received_at,
        ), clock=clock, resource_id=row.id, org_path=row.org_path)
    session.flush()


def record_outcome(*, session: Session, clock: Clock, actor: Actor, warning_id: str,
                   outcome_in: OutcomeIn) -> FraudWarning:
    """Close the warning with its outcome; 劝阻成功 needs the person reached first."""
    row = _open(session, actor, warning_id)
    reached = session.scalar(select(WarningContact.id).where(
        WarningContact.warning_id == row.id, WarningContact.reached.is_(True)).limit(1))
    if outcome_in.outcome in ("dissuaded", "defrauded") and reached is None:
        zh, en = OUTCOMES[outcome_in.outcome]
        raise Invalid("outcome", f"尚未联系到本人，不能记为“{zh}”",
                      f"the person has not been reached: it cannot be {en}")
    if outcome_in.outcome == "unreachable" and row.first_phone_at is None:
        raise Invalid("outcome", "须先尝试电话联系", "try to phone the person first")
    _close(session, clock, actor, row, outcome_in.outcome)
    return row


def request_stop_payment(*, session: Session, clock: Clock, actor: Actor, warning_id: str,
                         request: StopPaymentIn, settings: AntifraudSettings) -> FraudWarning:
    """止付冻结 for a defrauded person.

    With no bank adapter the request and the amount the officer says was stopped
    are kept; through the webhook the request is queued for the send job and
    the amount stopped is what the bank's callback says it froze.
    """
    row = get_warning(session=session, actor=actor, warning_id=warning_id, for_update=True)
    if row.outcome not in (None, "defrauded"):
        raise Conflict("仅已受骗的预警可申请止付冻结",
                       "a stop-payment is only for a person defrauded")
    if request.amount_stopped_yuan > request.amount_lost_yuan:
        raise Invalid("amount_stopped_yuan", "止付金额不能超过被骗金额",
                      "more cannot be stopped than was lost")
    sent = settings.bank_adapter != "record"
    stated = 0.0 if sent else request.amount_stopped_yuan
    session.add(StopPayment(
        id=new_id(clock), warning_id=row.id, requested_at=clock.now(),
        requested_by=actor.username, bank=request.bank, account=request.account,
        amount_lost_yuan=request.amount_lost_yuan, amount_stopped_yuan=stated,
        state="requested" if sent else "recorded", attempts=0,
        next_attempt_at=clock.now() if sent else None, bank_ref="", last_error="",
    ))
    row.stopped_yuan += stated
    if row.outcome is None:
        if row.status != "contacted":
            raise Invalid("outcome", "尚未联系到本人", "the person has not been reached")
        _close(session, clock, actor, row, "defrauded")
    session.flush()
    return row


def read_victim(*, session: Session, clock: Clock, actor: Actor, warning_id: str,
                purpose: str) -> VictimRead:
    """The victim's full name, phone and ID number, audited and bound to this warning."""
    row = get_warning(session=session, actor=actor, warning_id=warning_id)
    audit.record_personal_read(
        session, clock=clock, resource_type="antifraud_warning", resource_id=row.id,
        purpose=purpose, case_number=row.number,
        detail={"fields": ["victim_name", "victim_phone", "victim_id_number"]},
    )
    return VictimRead(warning_id=row.id, number=row.number, name=row.victim_name,
                      phone=row.victim_phone, id_number=row.victim_id_number)


def handles_warning(session: Session, user_id: str, reference: str) -> bool:
    """The work check: ``reference`` is an unclosed warning in this handler's scope."""
    row = session.scalar(select(FraudWarning).where(FraudWarning.number == reference))
    if row is None or row.status == "closed":
        return False
    user = session.get(User, user_id)
    if user is None or not user.active:
        return False
    if Perm.antifraud_handle not in permissions_of(list(user.roles)):
        return False
    path = org_path_of(session=session, code=user.org_code)
    return events.visible_to(row.org_path, path)


def list_quarantine(*, session: Session, limit: int, offset: int) -> list[QuarantineRead]:
    """Rows refused at intake, newest first (for the centre's staff to correct and resend)."""
    rows = session.scalars(select(QuarantinedRow).order_by(QuarantinedRow.received_at.desc(),
                                                           QuarantinedRow.row_number)
                           .limit(limit).offset(offset))
    return [QuarantineRead(id=q.id, batch_id=q.batch_id, received_at=q.received_at,
                           source=q.source, row_number=q.row_number, field=q.field,
                           reason_zh=q.reason_zh, reason_en=q.reason_en) for q in rows]
