"""What a case hears from others: a plate watched for it was seen (布控 hit); a fraud
warning ended defrauded or passed to a case (a fraud case is opened, once)."""

from __future__ import annotations

from sqlalchemy import select

from yanyun.cases.fraud import open_fraud_case
from yanyun.cases.models import Case, CaseEntry
from yanyun.core.bus import Delivery, Subscription
from yanyun.core.ids import new_id
from yanyun.events.antifraud import FraudCaseRequested
from yanyun.events.intel import WatchHitRaised


def note_watch_hit(delivery: Delivery) -> None:
    """Put the hit on its case's timeline, for the members to see and the operator to check.

    The consumer hands each event over once (its cursor moves in this transaction).
    """
    hit: WatchHitRaised = delivery.event
    session = delivery.session
    case = session.scalar(select(Case).where(Case.number == hit.case_number))
    if case is None:
        return
    envelope = delivery.envelope
    session.add(CaseEntry(
        id=new_id(delivery.clock), case_id=case.id, at=delivery.clock.now(), actor="system",
        kind="watch_hit",
        text=f"布控预警：{hit.read_plate}（{'完全匹配' if hit.match == 'exact' else '近似读数'}）"
        f"经过 {hit.camera}，共{hit.sightings}次，待核实图像",
        detail={"event_id": envelope.id, "entry_id": hit.entry_id, "plate": hit.read_plate,
                "camera": hit.camera, "seen_at": hit.seen_at.isoformat(), "match": hit.match,
                "sightings": hit.sightings},
    ))


SUBSCRIPTIONS = [
    Subscription(
        "cases.watch_hits", (WatchHitRaised,), note_watch_hit,
        description="a watched plate seen goes on its case's timeline",
    ),
    Subscription(
        "cases.fraud_cases", (FraudCaseRequested,), open_fraud_case,
        description="a warning ended 已受骗 or 已转案件 opens one fraud case (by its number)",
    ),
]
