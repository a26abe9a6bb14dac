"""What a case hears from others: a plate watched for it was seen (布控 hit), the read was
checked, a task given for it moved; a fraud warning ended defrauded or passed to a case
(a fraud case is opened, once)."""

from __future__ import annotations

from sqlalchemy import select

from yanyun.cases.fraud import open_fraud_case
from yanyun.cases.models import Case
from yanyun.cases.service import add_entry
from yanyun.core.bus import Delivery, Subscription
from yanyun.events.antifraud import FraudCaseRequested
from yanyun.events.intel import WatchHitDecided, WatchHitRaised
from yanyun.events.oversight import TaskChanged
from yanyun.oversight.models import SupervisedTask

#: Task steps as the timeline says them.
_TASK_STEPS = {"created": "已立", "in_progress": "办理中", "done": "已办结",
               "verified": "已核验", "rejected": "被退回", "escalated": "已升级"}


def _case(delivery: Delivery, number: str) -> Case | None:
    return delivery.session.scalar(select(Case).where(Case.number == number))


def note_watch_hit(delivery: Delivery) -> None:
    """Put the hit on its case's timeline, for the members to see and the operator to check.

    The consumer hands each event over once (its cursor moves in this transaction).
    """
    hit: WatchHitRaised = delivery.event
    case = _case(delivery, hit.case_number)
    if case is None:
        return
    add_entry(
        delivery.session, delivery.clock, case, "system", "watch_hit",
        f"布控预警：{hit.read_plate}（{'完全匹配' if hit.match == 'exact' else '近似读数'}）"
        f"经过 {hit.camera}，共{hit.sightings}次，待核实图像",
        {"event_id": delivery.envelope.id, "entry_id": hit.entry_id, "plate": hit.read_plate,
         "camera": hit.camera, "seen_at": hit.seen_at.isoformat(), "match": hit.match,
         "sightings": hit.sightings, "hit_id": hit.hit_id, "image_ref": hit.image_ref},
    )


def note_watch_decision(delivery: Delivery) -> None:
    """The operator's verdict on a read goes on the timeline: confirmed may be acted on."""
    decided: WatchHitDecided = delivery.event
    case = _case(delivery, decided.case_number)
    if case is None:
        return
    word = "已确认，可据此处置" if decided.status == "confirmed" else "已驳回（误识别）"
    add_entry(delivery.session, delivery.clock, case, decided.decided_by, "watch_decided",
              f"布控预警 {decided.read_plate} {word}",
              {"hit_id": decided.hit_id, "status": decided.status})


def note_task_progress(delivery: Delivery) -> None:
    """A task given for a case moved: its board shows the step (the task keeps the detail)."""
    changed: TaskChanged = delivery.event
    if changed.source != "requested":
        return
    task = delivery.session.get(SupervisedTask, delivery.envelope.resource_id)
    if task is None or not (task.source_ref or "").startswith("task.requested:"):
        return
    case = delivery.session.get(Case, task.source_ref.split(":")[1])
    if case is None:
        return
    step = delivery.envelope.kind.removeprefix("task.")
    add_entry(delivery.session, delivery.clock, case, "system", "task_progress",
              f"任务「{changed.title}」{_TASK_STEPS.get(step, step)}",
              {"task_id": task.id, "status": changed.status})


SUBSCRIPTIONS = [
    Subscription(
        "cases.watch_hits", (WatchHitRaised,), note_watch_hit,
        description="a watched plate seen goes on its case's timeline",
    ),
    Subscription(
        "cases.watch_decisions", (WatchHitDecided,), note_watch_decision,
        description="a watch hit confirmed or rejected goes on its case's timeline",
    ),
    Subscription(
        "cases.task_progress", (TaskChanged,), note_task_progress,
        description="a task given for a case moves on its joint-operations board",
    ),
    Subscription(
        "cases.fraud_cases", (FraudCaseRequested,), open_fraud_case,
        description="a warning ended 已受骗 or 已转案件 opens one fraud case (by its number)",
    ),
]
