"""Tasks from other contexts' events: the outbox consumer and its persisted cursor.

Other contexts never write supervision's tables; they emit an outbox event
(see docs/oversight.md for the contract) and this consumer turns it into a
task. The cursor is stored in `oversight_cursor`, moved in the same
transaction as the tasks it created, so a crash replays at most the
uncommitted batch, and `(source, source_ref)` being unique makes the replay
create nothing twice. Ids behind a gap wait as `GapTracker` describes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from pydantic import AwareDatetime, BaseModel, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.auth.models import OrgUnit, User
from yanyun.core.clock import Clock, as_utc
from yanyun.core.errors import Invalid
from yanyun.core.events import GapTracker, OutboxEvent, events_after
from yanyun.oversight import service
from yanyun.oversight.models import ConsumerCursor
from yanyun.oversight.settings import OversightSettings

CURSOR = "events"
OWNER_KINDS = ("station", "branch", "bureau")


class TaskRequest(BaseModel):
    """The payload fields a task-making event may carry (all optional but the title)."""

    title: str | None = Field(None, max_length=200)
    detail: str | None = Field(None, max_length=4000)
    owner_user_id: str | None = None
    owner_org_code: str | None = None
    due_at: AwareDatetime | None = None


def _breach_title(event: OutboxEvent) -> str:
    p = event.payload
    step = {"dispatch": "派警", "arrival": "到场"}.get(p.get("breach", ""), "处置")
    return (
        f"警情{p.get('number', event.resource_id)}{step}超时（{p.get('elapsed_s', '?')}秒，"
        f"目标{p.get('target_s', '?')}秒）：说明原因并整改"
    )


# Event kind -> (task source, the default title when the payload gives none).
KINDS: dict[str, tuple[str, Callable[[OutboxEvent], str]]] = {
    "incident.breach": ("incident_breach", _breach_title),
    "hazard.overdue": (
        "hazard", lambda e: e.payload.get("title") or f"隐患{e.resource_id}逾期未整改"
    ),
    "opinion.event_opened": (
        "opinion_event", lambda e: e.payload.get("title") or f"舆情事件{e.resource_id}：核查处置"
    ),
    "risk.inspection_due": (
        "risk_check_due", lambda e: e.payload.get("title") or f"风险点{e.resource_id}检查到期"
    ),
    "inspection.item_failed": (
        "inspection_finding", lambda e: e.payload.get("title") or "巡察发现问题：整改"
    ),
    "task.requested": ("requested", lambda e: e.payload.get("title") or "系统交办任务"),
}


def _source_ref(event: OutboxEvent) -> str:
    # An incident breaches dispatch and arrival separately: one task for each.
    if event.kind == "incident.breach":
        return f"{event.resource_id}:{event.payload.get('breach', '')}"
    if event.kind == "risk.inspection_due":
        return f"{event.resource_id}:{event.payload.get('due_at', event.id)}"
    return f"{event.kind}:{event.resource_id}:{event.id}"


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


def task_from_event(
    *, session: Session, clock: Clock, settings: OversightSettings, event: OutboxEvent
) -> bool | None:
    """Create the task an event asks for: True created, False already there, None ignored."""
    spec = KINDS.get(event.kind)
    if spec is None:
        return None
    with session.no_autoflush:
        return _task_from_event(session, clock, settings, event, spec)


def _task_from_event(
    session: Session,
    clock: Clock,
    settings: OversightSettings,
    event: OutboxEvent,
    spec: tuple[str, Callable[[OutboxEvent], str]],
) -> bool | None:
    source, title_of = spec
    try:
        request = TaskRequest.model_validate(
            {k: v for k, v in (event.payload or {}).items() if k in TaskRequest.model_fields}
        )
    except ValidationError:
        request = TaskRequest()
    owner_code = request.owner_org_code
    if owner_code is None or session.get(OrgUnit, owner_code) is None:
        unit = owner_unit(session, event.org_path)
        owner_code = unit.code if unit is not None else None
    owner_user = request.owner_user_id
    if owner_user is not None and session.get(User, owner_user) is None:
        owner_user = None
    if owner_code is None and owner_user is None:
        top = session.scalars(select(OrgUnit).where(OrgUnit.kind == "bureau")).first()
        if top is None:
            return None
        owner_code = top.code
    due: datetime | None = request.due_at
    if due is not None and not clock.now() < as_utc(due) <= clock.now() + service.MAX_DUE_AHEAD:
        due = None
    try:
        _, created = service.create_task(
            session=session,
            clock=clock,
            settings=settings,
            actor=None,
            title=request.title or title_of(event),
            detail=request.detail,
            source=source,
            source_ref=_source_ref(event),
            owner_user_id=owner_user,
            owner_org_code=owner_code,
            due_at=due,
        )
    except Invalid:
        return None
    return created


def consume_events(
    *,
    session: Session,
    clock: Clock,
    settings: OversightSettings,
    batch: int = 500,
    grace: timedelta = timedelta(seconds=5),
) -> dict[str, int]:
    """Turn the events committed since the cursor into tasks; counts by outcome."""
    cursor = session.get(ConsumerCursor, CURSOR, with_for_update=True)
    if cursor is None:
        cursor = ConsumerCursor(name=CURSOR, position=0, day=None, gaps={})
        session.add(cursor)
        session.flush()
    now = clock.now()
    tracker = GapTracker(cursor=cursor.position, grace=grace)
    tracker._gap_seen_at = {
        int(k): datetime.fromisoformat(v) for k, v in (cursor.gaps or {}).items()
    }
    counts = {"read": 0, "created": 0, "duplicate": 0}
    while True:
        rows = events_after(session, after_id=tracker.cursor, limit=batch)
        accepted = tracker.accept(rows, now)
        for event in accepted:
            counts["read"] += 1
            outcome = task_from_event(session=session, clock=clock, settings=settings, event=event)
            if outcome is True:
                counts["created"] += 1
            elif outcome is False:
                counts["duplicate"] += 1
        if len(rows) < batch or len(accepted) < len(rows):
            break
    cursor.position = tracker.cursor
    cursor.gaps = {str(k): v.isoformat() for k, v in (tracker._gap_seen_at or {}).items()}
    cursor.updated_at = now
    return counts


def reset_cursor(*, session: Session, position: int) -> None:
    """Start consuming after `position` (a new deployment that should not replay history)."""
    cursor = session.get(ConsumerCursor, CURSOR)
    if cursor is None:
        session.add(ConsumerCursor(name=CURSOR, position=position, day=None, gaps={}))
    else:
        cursor.position, cursor.gaps = position, {}


def event_contract() -> dict[str, Any]:
    """The kinds this consumer understands and the task source each becomes."""
    return {kind: source for kind, (source, _) in KINDS.items()}
