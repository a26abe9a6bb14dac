"""Adopted tidal deployment plans (潮汐警力): stored, audited, announced.

Duty does not compute the plan (the planner sits above it and reads the
forecast); it keeps what a duty manager adopted for a day over their scope,
so the plan units were told stays readable after the forecast has moved on.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.auth.service import Actor
from yanyun.core import events
from yanyun.core.clock import Clock
from yanyun.core.ids import new_id
from yanyun.events.duty import TidalPlanAdopted
from yanyun.tidal.models import TidalPlan
from yanyun.tidal.schemas import TidalPlanIn


def adopted_plan(*, session: Session, actor: Actor, day: date) -> TidalPlan | None:
    """The plan in force for the day over exactly the actor's scope, if one was adopted."""
    return session.scalars(
        select(TidalPlan)
        .where(
            TidalPlan.day == day,
            TidalPlan.org_path == actor.org_path,
            TidalPlan.superseded_at.is_(None),
        )
        .order_by(TidalPlan.adopted_at.desc(), TidalPlan.id.desc())
        .limit(1)
    ).first()


def adopt_plan(*, session: Session, actor: Actor, clock: Clock, plan_in: TidalPlanIn) -> TidalPlan:
    """Store the plan for the day over the actor's scope, superseding the one before it."""
    now = clock.now()
    before = adopted_plan(session=session, actor=actor, day=plan_in.day)
    if before is not None:
        before.superseded_at = now
    row = TidalPlan(
        id=new_id(clock),
        day=plan_in.day,
        org_path=actor.org_path,
        demand=plan_in.demand.value,
        method=plan_in.method,
        stands=[s.model_dump() for s in plan_in.stands],
        hours=[h.model_dump() for h in plan_in.hours],
        share_current=plan_in.share_current,
        share_recommended=plan_in.share_recommended,
        adopted_by=actor.user_id,
        adopted_at=now,
        superseded_at=None,
    )
    session.add(row)
    events.publish(
        session,
        TidalPlanAdopted(
            day=plan_in.day.isoformat(),
            demand=row.demand,
            units=len({s.unit_id for s in plan_in.stands}),
            share_current=round(row.share_current, 4),
            share_recommended=round(row.share_recommended, 4),
            superseded=before.id if before is not None else None,
        ),
        clock=clock,
        resource_id=row.id,
        org_path=actor.org_path,
    )
    return row
