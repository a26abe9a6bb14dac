"""Tasks from other contexts' events: what supervision makes of a breach, a hazard, a finding.

Other contexts never write supervision's tables; they publish their facts
(`yanyun.events`) and this handler turns each into a supervised task for
the unit that answers for it. The durable consumer `oversight.tasks` hands
every event over once; `(source, source_ref)` being unique makes a replay
after a crash create nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.auth.models import OrgUnit, User
from yanyun.core.bus import Delivery, Subscription
from yanyun.core.clock import as_utc
from yanyun.core.errors import Invalid
from yanyun.events.command import IncidentBreached
from yanyun.events.community import HazardOverdue
from yanyun.events.opinion import OpinionEventChanged
from yanyun.events.oversight import InspectionItemFailed, RiskInspectionDue, TaskRequested
from yanyun.oversight import service

CONSUMER = "oversight.tasks"
OWNER_KINDS = ("station", "branch", "bureau")
BREACH_STEP = {"dispatch": "派警", "arrival": "到场"}


@dataclass(frozen=True)
class TaskAsk:
    """What an event asks of supervision: a task's source, reference, title and owner."""

    source: str
    source_ref: str
    title: str
    detail: str | None = None
    owner_user_id: str | None = None
    owner_org_code: str | None = None
    due_at: datetime | None = None


def _generic_ref(d: Delivery) -> str:
    return f"{d.envelope.kind}:{d.envelope.resource_id}:{d.envelope.id}"


def _breach(d: Delivery) -> TaskAsk:
    e: IncidentBreached = d.event
    # An incident breaches dispatch and arrival separately: one task for each.
    return TaskAsk(
        "incident_breach",
        f"{d.envelope.resource_id}:{e.breach}",
        f"警情{e.number}{BREACH_STEP[e.breach]}超时（{e.elapsed_s}秒，目标{e.target_s}秒）："
        "说明原因并整改",
    )


def _hazard(d: Delivery) -> TaskAsk:
    e: HazardOverdue = d.event
    return TaskAsk("hazard", _generic_ref(d), e.title or f"隐患{d.envelope.resource_id}逾期未整改")


def _opinion(d: Delivery) -> TaskAsk | None:
    if d.envelope.kind != "opinion.event_opened":
        return None
    e: OpinionEventChanged = d.event
    return TaskAsk("opinion_event", _generic_ref(d),
                   e.title or f"舆情事件{d.envelope.resource_id}：核查处置")


def _risk(d: Delivery) -> TaskAsk:
    e: RiskInspectionDue = d.event
    return TaskAsk(
        "risk_check_due", f"{d.envelope.resource_id}:{as_utc(e.due_at).isoformat()}", e.title,
        owner_user_id=e.owner_user_id, owner_org_code=e.owner_org_code, due_at=e.due_at,
    )


def _finding(d: Delivery) -> TaskAsk:
    e: InspectionItemFailed = d.event
    return TaskAsk(
        "inspection_finding", _generic_ref(d), e.title or "巡察发现问题：整改", detail=e.detail,
        owner_user_id=e.owner_user_id, owner_org_code=e.owner_org_code,
    )


def _requested(d: Delivery) -> TaskAsk:
    e: TaskRequested = d.event
    return TaskAsk(
        "requested", _generic_ref(d), e.title or "系统交办任务", detail=e.detail,
        owner_user_id=e.owner_user_id, owner_org_code=e.owner_org_code, due_at=e.due_at,
    )


ASKS: dict[type, Callable[[Delivery], TaskAsk | None]] = {
    IncidentBreached: _breach,
    HazardOverdue: _hazard,
    OpinionEventChanged: _opinion,
    RiskInspectionDue: _risk,
    InspectionItemFailed: _finding,
    TaskRequested: _requested,
}


def owner_unit(session: Session, org_path: str) -> OrgUnit | None:
    """The deepest station, branch or bureau on an event's path (a grid has no desk)."""
    codes = [c for c in org_path.split("/") if c]
    if not codes:
        return None
    units = {
        u.code: u
        for u in session.scalars(
            select(OrgUnit).where(OrgUnit.code.in_(codes), OrgUnit.kind.in_(OWNER_KINDS))
        )
    }
    for code in reversed(codes):
        if code in units:
            return units[code]
    return None


def make_task(d: Delivery) -> bool | None:
    """Create the task an event asks for: True created, False already there, None ignored."""
    ask = ASKS[type(d.event)](d)
    if ask is None:
        return None
    session = d.session
    with session.no_autoflush:
        owner_code = ask.owner_org_code
        if owner_code is None or session.get(OrgUnit, owner_code) is None:
            unit = owner_unit(session, d.envelope.org_path)
            owner_code = unit.code if unit is not None else None
        owner_user = ask.owner_user_id
        if owner_user is not None and session.get(User, owner_user) is None:
            owner_user = None
        if owner_code is None and owner_user is None:
            top = session.scalars(select(OrgUnit).where(OrgUnit.kind == "bureau")).first()
            if top is None:
                return None
            owner_code = top.code
        now = d.clock.now()
        due = ask.due_at
        if due is not None and not now < as_utc(due) <= now + service.MAX_DUE_AHEAD:
            due = None
        try:
            _, created = service.create_task(
                session=session,
                clock=d.clock,
                settings=d.runtime.settings.oversight,
                actor=None,
                title=ask.title[:200],
                detail=ask.detail,
                source=ask.source,
                source_ref=ask.source_ref,
                owner_user_id=owner_user,
                owner_org_code=owner_code,
                due_at=due,
            )
        except Invalid:
            return None
    return created


def event_contract() -> dict[str, str]:
    """The kinds supervision makes tasks of, and the task source each becomes (for the docs)."""
    sources = {
        IncidentBreached: "incident_breach", HazardOverdue: "hazard",
        OpinionEventChanged: "opinion_event", RiskInspectionDue: "risk_check_due",
        InspectionItemFailed: "inspection_finding", TaskRequested: "requested",
    }
    contract = {kind: source for cls, source in sources.items() for kind in cls.kinds}
    contract.pop("opinion.event_assigned", None)
    return contract


SUBSCRIPTIONS = [
    Subscription(
        CONSUMER,
        tuple(ASKS),
        make_task,
        description="breaches, overdue hazards, opinion events, risk and checklist findings, "
        "and requests become supervised tasks",
    ),
]
