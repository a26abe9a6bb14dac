"""The trail a task leaves: its owner unit looked up, its steps recorded, its changes announced."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from yanyun.auth.models import OrgUnit
from yanyun.auth.service import Actor
from yanyun.core import events
from yanyun.core.clock import Clock, as_utc
from yanyun.core.errors import Invalid
from yanyun.core.ids import new_id
from yanyun.events.oversight import TaskChanged
from yanyun.oversight.models import SupervisedTask, TaskStep


def org_unit(session: Session, code: str) -> OrgUnit:
    """The org unit of a code; an unknown code is refused."""
    unit = session.get(OrgUnit, code)
    if unit is None:
        raise Invalid("owner_org_code", f"未知单位：{code}", f"unknown org unit: {code}")
    return unit


def record_step(
    session: Session,
    clock: Clock,
    task: SupervisedTask,
    kind: str,
    actor: Actor | None,
    *,
    note: str | None = None,
    evidence: list[str] | None = None,
    from_org: str | None = None,
    to_org: str | None = None,
) -> None:
    """Add a step to the task's history (who, what, when, evidence)."""
    session.add(
        TaskStep(
            id=new_id(clock),
            task_id=task.id,
            at=clock.now(),
            kind=kind,
            actor_id=actor.user_id if actor else None,
            actor_name=actor.username if actor else "system",
            note=note,
            evidence=evidence or [],
            from_org_code=from_org,
            to_org_code=to_org,
        )
    )


def _payload(task: SupervisedTask) -> dict[str, Any]:
    # What a live screen needs to redraw a task without asking again.
    return {
        "title": task.title,
        "source": task.source,
        "status": task.status,
        "owner_user_id": task.owner_user_id,
        "owner_org_code": task.owner_org_code,
        "due_at": as_utc(task.due_at),
        "escalation_level": task.escalation_level,
    }


def emit_change(
    session: Session, clock: Clock, task: SupervisedTask, kind: str, **extra: Any
) -> None:
    """Announce a change of the task to the live screens and other contexts."""
    events.publish(
        session,
        TaskChanged(**_payload(task), **extra),
        clock=clock,
        kind=f"task.{kind}",
        resource_id=task.id,
        org_path=task.org_path,
    )
