"""The 1-3-5 clock: a dispatch or arrival deadline missed is announced once, when it happens."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.command import lifecycle
from yanyun.command.models import Incident
from yanyun.command.transitions import incident_facts
from yanyun.core import events
from yanyun.core.clock import Clock, as_utc
from yanyun.events.command import IncidentBreached


def elapsed_s(incident: Incident, at: datetime) -> float:
    return (as_utc(at) - as_utc(incident.received_at)).total_seconds()


def breach(
    session: Session, clock: Clock, incident: Incident, kind: str, elapsed_s: float, target_s: int
) -> None:
    events.publish(
        session,
        IncidentBreached(
            **incident_facts(incident), breach=kind, elapsed_s=round(elapsed_s, 1),
            target_s=target_s,
        ),
        clock=clock,
        resource_id=incident.id,
        org_path=incident.org_path,
    )


def check_dispatch(session: Session, clock: Clock, incident: Incident) -> None:
    if incident.dispatch_breached or incident.dispatched_at is None:
        return
    elapsed = elapsed_s(incident, incident.dispatched_at)
    if elapsed > incident.dispatch_target_s:
        incident.dispatch_breached = True
        breach(session, clock, incident, "dispatch", elapsed, incident.dispatch_target_s)


def check_arrival(session: Session, clock: Clock, incident: Incident) -> None:
    if incident.arrival_breached or incident.arrived_at is None:
        return
    elapsed = elapsed_s(incident, incident.arrived_at)
    if elapsed > incident.arrival_target_s:
        incident.arrival_breached = True
        breach(session, clock, incident, "arrival", elapsed, incident.arrival_target_s)


def scan_breaches(*, session: Session, clock: Clock) -> int:
    """Flag open incidents whose 1-3-5 deadline passed with nothing done; count them.

    A breach is announced once, when it happens, not when the late step
    finally comes: the supervision context turns it into a task.
    """
    now = clock.now()
    flagged = 0
    # Lock only incidents that can still breach and whose shortest deadline has
    # passed, so the scan does not hold every open incident against dispatchers.
    open_rows = session.scalars(
        select(Incident)
        .where(
            Incident.status.in_(sorted(lifecycle.OPEN_STATUSES)),
            Incident.received_at <= now - timedelta(seconds=1),
            ((Incident.dispatched_at.is_(None)) & (Incident.dispatch_breached.is_(False)))
            | ((Incident.arrived_at.is_(None)) & (Incident.arrival_breached.is_(False))),
        )
        .with_for_update()
    )
    for incident in open_rows:
        elapsed = elapsed_s(incident, now)
        for kind in ("dispatch", "arrival"):
            target = getattr(incident, f"{kind}_target_s")
            done_at = incident.dispatched_at if kind == "dispatch" else incident.arrived_at
            if not getattr(incident, f"{kind}_breached") and done_at is None and elapsed > target:
                setattr(incident, f"{kind}_breached", True)
                breach(session, clock, incident, kind, elapsed, target)
                flagged += 1
    return flagged
