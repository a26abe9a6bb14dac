"""The platform's tidal deployment (潮汐警力): a day's plan over the caller's scope, and adoption.

Duty keeps adopted plans and knows the algorithm; stats forecasts; this
service sits above both and joins them, so duty never reads the forecast
itself. The expensive part that never changes (which grid centres a unit
standing at each candidate reaches within the travel budget) is built once
per scope and process. A day's plan reads a year of incidents, so it is a
product of the day (`yanyun.core.products`): the `tidal.daily_plans` job
makes today's and tomorrow's over the scopes pages read (again when enough
incidents came in since), the route reads the stored plan, and a request for
a plan not stored yet computes it once; moving through the hours costs
nothing.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yanyun.auth.models import User
from yanyun.auth.service import Actor
from yanyun.command.models import Incident
from yanyun.core import products
from yanyun.core.clock import SHANGHAI, Clock
from yanyun.core.db import Provider, Runtime
from yanyun.core.errors import Invalid
from yanyun.duty.settings import DutySettings
from yanyun.geo.coords import distance_m_array
from yanyun.stats import grid_demand
from yanyun.stats.settings import StatsSettings
from yanyun.tidal import adoption
from yanyun.tidal.demand import (
    TRAVEL_BUDGET_S,
    URBAN_TARGET_S,
    Placement,
    Planner,
    quick_response_homes,
    urban_grids,
)
from yanyun.tidal.models import TidalPlan
from yanyun.tidal.schemas import (
    TidalAdoptedRead,
    TidalDemand,
    TidalGridDemand,
    TidalHourShare,
    TidalPlanIn,
    TidalPlanRead,
    TidalStandIn,
    TidalUnit,
)

# How far back a plan may be looked at: the forecast of an old day reads a
# history the page has no reason to rebuild.
MAX_PAST_DAYS = 60
CACHED_PLANS = 32


@dataclass
class ScopePlanner:
    """A scope's planner and its quick-response units (id, call sign, home)."""

    planner: Planner
    units: list[Any]


@dataclass
class ScopeView:
    """What a page of the plan needs of a scope: its units (id, call sign, home), its grids."""

    unit_ids: list[str]
    call_signs: list[str]
    home_lng: np.ndarray
    home_lat: np.ndarray
    grid_codes: list[str]
    bbox: list[float] | None

    @classmethod
    def of(cls, scope: ScopePlanner) -> ScopeView:
        p = scope.planner
        return cls(
            [u.id for u in scope.units], [u.call_sign for u in scope.units],
            np.asarray(p.cur_lng, dtype=float), np.asarray(p.cur_lat, dtype=float),
            list(p.grids.codes), _bbox(p),
        )


@dataclass
class DayPlan:
    day: date
    demand: str
    method: str
    incidents_used: int
    by_hour: np.ndarray  # (24, grids) expected incidents
    placement: Placement
    shares: list[TidalHourShare]
    computed_at: datetime | None = None


class PlanCache:
    """Scopes' planners (built once) and the last days' plans, each kept while its input holds.

    A day's plan is keyed by scope, day and demand source and remembered
    with the count of incidents before that day it was made from: a new or
    late-entered incident changes the count and the plan is made again.
    """

    def __init__(self, size: int = CACHED_PLANS) -> None:
        self.size = size
        self.lock = threading.Lock()
        self.planners: dict[str, ScopePlanner] = {}
        self.plans: OrderedDict[tuple[str, date, str], tuple[int, DayPlan]] = OrderedDict()
        self.guard = products.Guard()

    def planner(self, org_path: str, build) -> ScopePlanner:
        with self.lock:
            found = self.planners.get(org_path)
        if found is None:
            found = build()
            with self.lock:
                self.planners.setdefault(org_path, found)
        return found

    def plan(self, key: tuple[str, date, str], mark: int, build) -> DayPlan:
        with self.lock:
            hit = self.plans.get(key)
            if hit is not None and hit[0] == mark:
                self.plans.move_to_end(key)
                return hit[1]
        plan = build()
        with self.lock:
            self.plans[key] = (mark, plan)
            self.plans.move_to_end(key)
            while len(self.plans) > self.size:
                self.plans.popitem(last=False)
        return plan


#: Each day's tidal plans, computed once per process.
PLANS: Provider[PlanCache] = Provider("tidal.plans", lambda runtime: PlanCache())


def check_day(day: date, *, clock: Clock) -> None:
    """A plan exists for tomorrow at the latest (the forecast's horizon), and not too far back."""
    today = clock.now().astimezone(SHANGHAI).date()
    if day > today + timedelta(days=1):
        raise Invalid(
            "day",
            "只能查看至明日的潮汐警力方案（预测只到明日）",
            "plans go as far as tomorrow (the forecast's horizon)",
            latest=(today + timedelta(days=1)).isoformat(),
        )
    if day < today - timedelta(days=MAX_PAST_DAYS):
        raise Invalid(
            "day",
            f"只能查看最近{MAX_PAST_DAYS}天的方案",
            f"plans go back at most {MAX_PAST_DAYS} days",
            earliest=(today - timedelta(days=MAX_PAST_DAYS)).isoformat(),
        )


def _scope_planner(
    session: Session, actor: Actor, cache: PlanCache, duty: DutySettings
) -> ScopePlanner:
    def build() -> ScopePlanner:
        grids = urban_grids(session, org_path=actor.org_path)
        units, lng, lat = quick_response_homes(session, org_path=actor.org_path)
        limit = duty.tidal_max_move_m or None
        return ScopePlanner(Planner.build(grids, lng, lat, max_move_m=limit), units)

    return cache.planner(actor.org_path, build)


def _incidents_before(session: Session, actor: Actor, day: date) -> int:
    start = datetime.combine(day, datetime.min.time(), SHANGHAI)
    stmt = select(func.count()).select_from(Incident).where(Incident.received_at < start)
    return int(session.scalar(actor.scope(stmt, Incident.org_path)) or 0)


def day_plan(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    stats: StatsSettings,
    duty: DutySettings,
    cache: PlanCache,
    day: date,
    demand: TidalDemand,
    runtime: Runtime | None = None,
) -> tuple[ScopeView, DayPlan]:
    """The day's plan over the actor's scope from the chosen demand: the stored product when
    `runtime` is given (computed and stored once first when there is none), else computed
    here (kept in this process while the incidents before the day hold)."""
    check_day(day, clock=clock)

    def build() -> DayPlan:
        planner = _scope_planner(session, actor, cache, duty).planner
        found = grid_demand.grid_hour_demand(
            session=session,
            actor=actor,
            stats=stats,
            day=day,
            source=demand.value,
            group_of=planner.grids.group_of,
            n_groups=len(planner.grids.codes),
        )
        by_hour = found.demand.T
        placement = planner.plan(by_hour)
        shares = []
        for hour in range(24):
            w = by_hour[hour]
            total = float(w.sum())
            covered = planner.reach[placement.index[hour]].any(axis=0)
            current = planner.current_reach.any(axis=0)
            shares.append(
                TidalHourShare(
                    hour=hour,
                    demand=round(total, 4),
                    current=round(float(w[current].sum()) / total, 4) if total else 0.0,
                    recommended=round(float(w[covered].sum()) / total, 4) if total else 0.0,
                )
            )
        return DayPlan(
            day, demand.value, found.method, found.incidents_used, by_hour, placement, shares
        )

    if runtime is None:  # the per-request path: kept in this process while its input holds
        mark = _incidents_before(session, actor, day)
        plan = cache.plan((actor.org_path, day, demand.value), mark, build)
        return ScopeView.of(_scope_planner(session, actor, cache, duty)), plan

    def built() -> products.Built:
        plan = build()
        view = ScopeView.of(_scope_planner(session, actor, cache, duty))
        return products.Built(
            _plan_payload(view, plan), _incidents_before(session, actor, day)
        )

    stored = products.get_or_build(
        runtime, cache.guard, PLAN_PRODUCT, day, actor.org_path, demand.value, built
    )
    return _view_of(stored), _plan_of(stored, day, demand.value)


PLAN_PRODUCT = "tidal.plan"


def _plan_payload(view: ScopeView, plan: DayPlan) -> dict[str, Any]:
    """A day's plan as JSON: what the page and adoption read back (the scope's units and
    grids with it, so serving it needs no planner)."""
    return {
        "units": [
            [i, c, float(x), float(y)]
            for i, c, x, y in zip(
                view.unit_ids, view.call_signs, view.home_lng, view.home_lat, strict=True
            )
        ],
        "grid_codes": view.grid_codes,
        "bbox": view.bbox,
        "method": plan.method,
        "incidents_used": plan.incidents_used,
        "by_hour": np.round(plan.by_hour, 6).tolist(),
        "lng": plan.placement.lng.tolist(),
        "lat": plan.placement.lat.tolist(),
        "shares": [h.model_dump(mode="json") for h in plan.shares],
    }


def _view_of(stored: products.Stored) -> ScopeView:
    units = stored.payload["units"]
    return ScopeView(
        [u[0] for u in units], [u[1] for u in units],
        np.array([u[2] for u in units], dtype=float), np.array([u[3] for u in units], dtype=float),
        list(stored.payload["grid_codes"]), stored.payload["bbox"],
    )


def _plan_of(stored: products.Stored, day: date, demand: str) -> DayPlan:
    p = stored.payload
    lng = np.asarray(p["lng"], dtype=float).reshape(24, -1)
    lat = np.asarray(p["lat"], dtype=float).reshape(24, -1)
    placement = Placement(lng=lng, lat=lat, plans=[], index=np.zeros(lng.shape, dtype=np.int64))
    by_hour = np.asarray(p["by_hour"], dtype=float)
    shares = [TidalHourShare(**h) for h in p["shares"]]
    return DayPlan(
        day, demand, p["method"], int(p["incidents_used"]), by_hour, placement, shares,
        computed_at=stored.computed_at,
    )


def build_plan_product(
    *, session: Session, actor: Actor, clock: Clock, stats: StatsSettings, duty: DutySettings,
    cache: PlanCache, day: date, demand: TidalDemand,
) -> products.Built:
    """The day's plan over the actor's scope, computed now, as the job stores it."""
    view, plan = day_plan(
        session=session, actor=actor, clock=clock, stats=stats, duty=duty, cache=cache,
        day=day, demand=demand,
    )
    return products.Built(_plan_payload(view, plan), _incidents_before(session, actor, day))


def plan_mark(session: Session, actor: Actor, day: date) -> int:
    """What a day's plan is made from: the incidents in scope before the day."""
    return _incidents_before(session, actor, day)


def _day_shares(hours: list[TidalHourShare]) -> tuple[float, float, float]:
    total = sum(h.demand for h in hours)
    if total <= 0:
        return 0.0, 0.0, 0.0
    cur = sum(h.demand * h.current for h in hours) / total
    rec = sum(h.demand * h.recommended for h in hours) / total
    return total, cur, rec


def adopted_read(session: Session, row: TidalPlan) -> TidalAdoptedRead:
    user = session.get(User, row.adopted_by) if row.adopted_by else None
    return TidalAdoptedRead(
        id=row.id,
        day=row.day,
        demand=row.demand,
        method=row.method,
        share_current=row.share_current,
        share_recommended=row.share_recommended,
        adopted_by=row.adopted_by,
        adopted_by_name=user.display_name if user is not None else None,
        adopted_at=row.adopted_at,
    )


def plan_read(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    stats: StatsSettings,
    duty: DutySettings,
    cache: PlanCache,
    day: date,
    hour: int,
    demand: TidalDemand | None,
    runtime: Runtime | None = None,
) -> TidalPlanRead:
    """The page's view of a day and hour: units, stands, shares and the demand by grid.

    With a plan adopted for the day and no demand source asked for, the
    adopted plan is shown as stored; asking for a source shows the plan
    computed from it now, with the adopted one named beside it.
    """
    if not 0 <= hour <= 23:
        raise Invalid("hour", "小时应在 0 到 23 之间", "hour must be 0 to 23")
    check_day(day, clock=clock)
    adopted = adoption.adopted_plan(session=session, actor=actor, day=day)
    use_adopted = adopted is not None and demand is None
    source = TidalDemand(adopted.demand) if use_adopted else (demand or TidalDemand.forecast)
    scope, plan = day_plan(
        session=session, actor=actor, clock=clock, stats=stats, duty=duty, cache=cache,
        day=day, demand=source, runtime=runtime,
    )
    if use_adopted:
        stands = {(s["hour"], s["unit_id"]): (s["lng"], s["lat"]) for s in adopted.stands}
        hours = [TidalHourShare(**h) for h in adopted.hours]
        method = adopted.method
    else:
        stands = _computed_stands(scope, plan)
        hours = plan.shares
        method = plan.method
    total, cur, rec = _day_shares(hours)
    return TidalPlanRead(
        day=day,
        hour=hour,
        demand=source,
        source="adopted" if use_adopted else "computed",
        method=method,
        incidents_used=plan.incidents_used,
        target_s=URBAN_TARGET_S,
        travel_budget_s=TRAVEL_BUDGET_S,
        units=_units_at(scope, stands, hour),
        hours=hours,
        day_demand=round(total, 3),
        day_current=round(cur, 4),
        day_recommended=round(rec, 4),
        grids=_grid_demand(scope, plan, hour),
        bbox=scope.bbox,
        adopted=adopted_read(session, adopted) if adopted is not None else None,
        computed_at=plan.computed_at,
    )


Stands = dict[tuple[int, str], tuple[float, float]]


def _computed_stands(scope: ScopeView, plan: DayPlan) -> Stands:
    """(hour, unit) -> where the computed plan stands the unit."""
    return {
        (h, unit_id): (float(plan.placement.lng[h, i]), float(plan.placement.lat[h, i]))
        for h in range(24)
        for i, unit_id in enumerate(scope.unit_ids)
    }


def _units_at(scope: ScopeView, stands: Stands, hour: int) -> list[TidalUnit]:
    """Each unit at home and at its stand in the hour (home when the plan leaves it there)."""
    units = []
    for i, unit_id in enumerate(scope.unit_ids):
        home = (float(scope.home_lng[i]), float(scope.home_lat[i]))
        s_lng, s_lat = stands.get((hour, unit_id), home)
        d = float(
            distance_m_array(np.array([home[0]]), np.array([home[1]]), s_lng, s_lat)[0]
        )
        units.append(
            TidalUnit(
                unit_id=unit_id, call_sign=scope.call_signs[i], lng=home[0], lat=home[1],
                stand_lng=s_lng, stand_lat=s_lat, moves=d > 1.0, distance_m=round(d, 1),
            )
        )
    return units


def _grid_demand(scope: ScopeView, plan: DayPlan, hour: int) -> list[TidalGridDemand]:
    """The hour's expected incidents by grid (grids with next to none left out)."""
    w = plan.by_hour[hour]
    return [
        TidalGridDemand(grid_code=scope.grid_codes[g], demand=round(float(w[g]), 4))
        for g in np.flatnonzero(w > 1e-4)
    ]


def _bbox(planner: Planner) -> list[float] | None:
    g = planner.grids
    if not len(g.codes):
        return None
    return [float(g.lng.min()), float(g.lat.min()), float(g.lng.max()), float(g.lat.max())]


def adopt(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    stats: StatsSettings,
    duty: DutySettings,
    cache: PlanCache,
    day: date,
    demand: TidalDemand,
    runtime: Runtime | None = None,
) -> TidalPlan:
    """Adopt the day's plan from `demand` over the actor's scope: the stored one the page
    shows when `runtime` is given, else one computed now."""
    check_day(day, clock=clock)
    stored = (None if runtime is None
              else products.read(runtime, PLAN_PRODUCT, day, actor.org_path, demand.value))
    if stored is not None:
        scope, plan = _view_of(stored), _plan_of(stored, day, demand.value)
    else:
        # Not stored yet: computed here and not stored. This request holds SQLite's one
        # writer, so the store's own write session would wait on it until the busy timeout;
        # the job (or the page's next read) stores the day's plan.
        scope, plan = day_plan(
            session=session, actor=actor, clock=clock, stats=stats, duty=duty, cache=cache,
            day=day, demand=demand,
        )
    stands = [
        TidalStandIn(
            hour=h,
            unit_id=unit_id,
            lng=round(float(plan.placement.lng[h, i]), 6),
            lat=round(float(plan.placement.lat[h, i]), 6),
        )
        for h in range(24)
        for i, unit_id in enumerate(scope.unit_ids)
    ]
    _, cur, rec = _day_shares(plan.shares)
    return adoption.adopt_plan(
        session=session,
        actor=actor,
        clock=clock,
        plan_in=TidalPlanIn(
            day=day,
            demand=demand,
            method=plan.method,
            stands=stands,
            hours=plan.shares,
            share_current=round(cur, 4),
            share_recommended=round(rec, 4),
        ),
    )
