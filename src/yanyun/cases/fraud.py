"""A fraud case (电信网络诈骗案件) opened because a warning ended in 已受骗 or 已转案件.

Anti-fraud asks through ``antifraud.case_requested``; the case is keyed by the
warning's number (``origin_ref``), so a replayed or re-sent ask opens nothing
new. The answer, ``cases.fraud_case_opened``, lets the warning show its case.
"""

from __future__ import annotations

from sqlalchemy import select

from yanyun.auth.models import User
from yanyun.auth.service import actor_for
from yanyun.cases.models import Case
from yanyun.cases.schemas import CaseCreate
from yanyun.cases.service import open_case
from yanyun.core import events
from yanyun.core.bus import Delivery
from yanyun.events.antifraud import FraudCaseRequested
from yanyun.events.cases import FraudCaseOpened

OUTCOME_ZH = {"defrauded": "已受骗", "case_opened": "已转案件"}


def origin_of(warning_number: str) -> str:
    """The key a warning's case is found by (one case per warning)."""
    return f"antifraud:{warning_number}"


def summary_of(ask: FraudCaseRequested) -> str:
    """The case's narrative, from what the warning knew (the victim masked)."""
    amount = f"{ask.amount_yuan:,.0f}元" if ask.amount_yuan else "金额不详"
    return (f"反诈预警{ask.number}（{OUTCOME_ZH.get(ask.outcome, ask.outcome)}）："
            f"{ask.fraud_type_zh}，受害人{ask.victim_masked}，地点：{ask.address or '不详'}，"
            f"涉案{amount}，可疑账户/号码：{ask.suspect_account or '不详'}。")


def open_fraud_case(delivery: Delivery) -> None:
    """Open the warning's case, owned by the officer who recorded the outcome; once.

    An owner unknown here raises: the bus retries, then parks the ask as a dead
    letter for the operator rather than opening an ownerless case.
    """
    ask: FraudCaseRequested = delivery.event
    session, clock = delivery.session, delivery.clock
    origin = origin_of(ask.number)
    if session.scalar(select(Case.id).where(Case.origin_ref == origin)) is not None:
        return
    owner = session.scalar(select(User).where(User.username == ask.owner_username,
                                              User.active.is_(True)))
    if owner is None:
        raise LookupError(f"no active user {ask.owner_username} to own the case of {ask.number}")
    case_in = CaseCreate(kind="fraud", title=f"{ask.fraud_type_zh}案（{ask.number}）",
                         summary=summary_of(ask))
    case = open_case(session=session, clock=clock,
                     actor=actor_for(session=session, user=owner), case_in=case_in)
    case.origin_ref = origin
    case.occurred_at, case.lng, case.lat = ask.received_at, ask.lng, ask.lat
    session.flush()
    events.publish(session, FraudCaseOpened(
        case_id=case.id, case_number=case.number, warning_id=ask.warning_id,
        warning_number=ask.number,
    ), clock=clock, resource_id=case.id, org_path=case.org_path)
