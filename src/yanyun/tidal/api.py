"""Routes of tidal deployment (潮汐警力): a day's plan over the caller's scope, and adoption.

Served under duty's prefix, as duty managers use them, but from here: the
plan joins stats' forecast with duty's algorithm and stored plans.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from yanyun.auth.deps import require
from yanyun.auth.permissions import Perm
from yanyun.auth.service import Actor
from yanyun.core.clock import SHANGHAI
from yanyun.core.db import Runtime
from yanyun.core.http import ClockDep, RuntimeDep, SessionDep, SettingsDep
from yanyun.core.params import Day
from yanyun.tidal import service as tidal_plan
from yanyun.tidal.schemas import TidalAdopt, TidalAdoptedRead, TidalDemand, TidalPlanRead

router = APIRouter(prefix="/api/v1/duty/tidal", tags=["duty"])


def _cache(runtime: Runtime) -> tidal_plan.PlanCache:
    return runtime.provide(tidal_plan.PLANS)


@router.get("", response_model=TidalPlanRead)
def plan(
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
    actor: Annotated[Actor, Depends(require(Perm.duty_read))],
    day: Annotated[Day | None, Query(description="Local day; today when absent")] = None,
    hour: Annotated[
        int | None, Query(ge=0, le=23, description="Local hour 0-23; now when absent")
    ] = None,
    demand: Annotated[
        TidalDemand | None,
        Query(description="forecast or history; the adopted plan's (else forecast) when absent"),
    ] = None,
) -> TidalPlanRead:
    """Where quick-response units stand now and where the plan stands them in the hour, with
    the shares of expected incidents reachable within target, by hour and for the day: the
    day's stored plan (computed once when there is none), with when it was computed."""
    now = clock.now().astimezone(SHANGHAI)
    return tidal_plan.plan_read(
        session=session,
        actor=actor,
        clock=clock,
        stats=settings.stats,
        duty=settings.duty,
        cache=_cache(runtime),
        day=day or now.date(),
        hour=now.hour if hour is None else hour,
        demand=demand,
        runtime=runtime,
    )


@router.post("/adopt", response_model=TidalAdoptedRead, status_code=201)
def adopt(
    body: TidalAdopt,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
    actor: Annotated[Actor, Depends(require(Perm.duty_write))],
) -> TidalAdoptedRead:
    """Adopt the day's plan over the caller's scope (stored, audited, announced)."""
    row = tidal_plan.adopt(
        session=session,
        actor=actor,
        clock=clock,
        stats=settings.stats,
        duty=settings.duty,
        cache=_cache(runtime),
        day=body.day,
        demand=body.demand,
        runtime=runtime,
    )
    session.flush()
    return tidal_plan.adopted_read(session, row)
