"""Tidal deployment's inputs: urban grids, the history, demand per grid and hour, the planner.

Duty's planning core (:mod:`yanyun.tidal.planning`) takes plain arrays. This
module feeds it: the urban grids (their centres are both where demand sits
and where units may stand, with today's platforms), the quick-response units
where they stand now, and the demand per grid and hour of a day, from one of
two sources:

- ``history``: the incidents of the history window counted by grid and
  hour, per day (the first version's plan, kept as the baseline);
- ``forecast``: the platform's next-day forecast (stats) of the day's risk
  per grid, spread over the hours by each grid's smoothed hour-of-day
  profile from the same history.

The simulator checks the plans on days no plan saw (:mod:`yanyun.sim.tidal`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.command.models import Incident, Unit
from yanyun.command.timing import HANDLING_MEDIAN_S, REACTION_MAX_S, REACTION_MIN_S
from yanyun.core.clock import as_utc
from yanyun.geo.coords import distance_m_array
from yanyun.geo.models import Grid
from yanyun.geo.service import load_index
from yanyun.geo.travel import GreatCircleEstimator, TravelTimeEstimator
from yanyun.stats.demand import forecast_demand, history_demand
from yanyun.stats.forecast import make
from yanyun.stats.grid import build_events
from yanyun.stats.settings import StatsSettings
from yanyun.tidal.planning import HourPlan, assign_units, plan_day, reach_matrix

# Quick-response units serve the city (城市快警): urban incidents, the "3" of 1-3-5.
URBAN_TARGET_S = 180.0
# The target runs from receipt; before a unit moves the call is taken and the
# crew reacts (the simulator's medians), so the plan counts on the rest.
PRE_TRAVEL_S = HANDLING_MEDIAN_S + (REACTION_MIN_S + REACTION_MAX_S) / 2
TRAVEL_BUDGET_S = URBAN_TARGET_S - PRE_TRAVEL_S
DEMAND_SOURCES = ("history", "forecast")
UTC_OFFSET = np.timedelta64(8, "h")  # Asia/Shanghai keeps no daylight saving time


@dataclass(frozen=True)
class UrbanGrids:
    """The urban grids a plan works on: demand points and candidate stand points."""

    codes: list[str]
    lng: np.ndarray
    lat: np.ndarray
    # index of the city's grid (as the point resolver numbers them) -> urban index or -1
    of_city_grid: np.ndarray
    resolver: object

    def group_of(self, lng: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Urban grid index of each point, -1 outside every urban grid."""
        lng = np.asarray(lng, dtype=float)
        if lng.size == 0:
            return np.zeros(0, dtype=np.int64)
        found = np.asarray(self.resolver.resolve_many(lng, np.asarray(lat, dtype=float)))
        return np.where(found >= 0, self.of_city_grid[np.maximum(found, 0)], -1)


def urban_grids(session: Session, *, org_path: str = "") -> UrbanGrids:
    """The urban grids within `org_path` (all of them for the bureau's root)."""
    stmt = select(Grid.code, Grid.lng, Grid.lat).where(Grid.is_urban.is_(True))
    # An org path names bureau / district / station / grid, as geo scopes its listings.
    parts = org_path.split("/") if org_path else []
    for depth, column in ((1, Grid.district_code), (2, Grid.station_code), (3, Grid.code)):
        if len(parts) > depth:
            stmt = stmt.where(column == parts[depth])
    rows = session.execute(stmt.order_by(Grid.code)).all()
    index = load_index(session=session)
    position = {r.code: i for i, r in enumerate(rows)}
    of_city = np.array([position.get(c, -1) for c in index.grid_codes], dtype=np.int64)
    return UrbanGrids(
        [r.code for r in rows],
        np.array([r.lng for r in rows], dtype=float),
        np.array([r.lat for r in rows], dtype=float),
        of_city,
        index.resolver,
    )


@dataclass(frozen=True)
class History:
    """Urban incidents: place, local time and hour, urban grid."""

    lng: np.ndarray
    lat: np.ndarray
    at: np.ndarray  # datetime64[s], local (Asia/Shanghai) wall time
    hour: np.ndarray
    grid: np.ndarray

    def window(self, start: datetime, end: datetime) -> History:
        """The incidents in [start, end) (aware datetimes)."""
        lo, hi = _local64(start), _local64(end)
        m = (self.at >= lo) & (self.at < hi)
        return History(self.lng[m], self.lat[m], self.at[m], self.hour[m], self.grid[m])


def _local64(at: datetime) -> np.datetime64:
    return np.datetime64(as_utc(at).replace(tzinfo=None), "s") + UTC_OFFSET


def _history(grids: UrbanGrids, lng, lat, at_local) -> History:
    lng = np.asarray(lng, dtype=float)
    lat = np.asarray(lat, dtype=float)
    at_local = np.asarray(at_local, dtype="datetime64[s]")
    grid = grids.group_of(lng, lat)
    m = grid >= 0
    hour = ((at_local - at_local.astype("datetime64[D]")).astype(np.int64) // 3600).astype(int)
    return History(lng[m], lat[m], at_local[m], hour[m], grid[m])


def history_from_incidents(
    session: Session, *, grids: UrbanGrids, since: datetime | None = None
) -> History:
    """Command's recorded incidents in the urban grids, by local hour."""
    stmt = select(Incident.lng, Incident.lat, Incident.received_at).where(
        Incident.merged_into_id.is_(None)
    )
    if since is not None:
        stmt = stmt.where(Incident.received_at >= since)
    rows = session.execute(stmt).all()
    at = [_local64(r.received_at) for r in rows]
    return _history(grids, [r.lng for r in rows], [r.lat for r in rows], at)


def demand(
    history: History,
    grids: UrbanGrids,
    *,
    source: str,
    day_start: datetime,
    days: float,
    stats: StatsSettings,
) -> np.ndarray:
    """Expected incidents per hour and urban grid of the day at `day_start`, shape (24, grids).

    `history` holds only what came before the day. ``history`` counts it by
    grid and hour, per day; ``forecast`` runs the platform's forecast method
    (`stats`) on it and spreads the day's risk per grid over the hours by
    each grid's smoothed profile.
    """
    n = len(grids.codes)
    if source == "history":
        return history_demand(history.grid, history.hour, n, days=days).T
    if history.lng.size == 0:
        return np.zeros((24, n))
    events = build_events(history.at, history.lng, history.lat, cell_m=stats.cell_m)
    day = events.day_index(_local64(day_start).astype("datetime64[D]"))
    params: dict[str, object] = {}
    if stats.forecast_method in ("counts", "retro", "prospective"):
        params["window_days"] = stats.window_days
    if stats.forecast_method in ("retro", "prospective"):
        params["bandwidth_m"] = stats.bandwidth_m
    method = make(stats.forecast_method, **params)
    return forecast_demand(events, day, method=method, group_of=grids.group_of, n_groups=n).T


@dataclass(frozen=True)
class Placement:
    """Where each unit stands in each hour of a day."""

    lng: np.ndarray  # (24, units)
    lat: np.ndarray
    plans: list[HourPlan]
    index: np.ndarray  # (24, units): the candidate each unit stands at


def stand_points(
    plans: list[HourPlan],
    *,
    cand_lng: np.ndarray,
    cand_lat: np.ndarray,
    cur_lng: np.ndarray,
    cur_lat: np.ndarray,
    cur_index: np.ndarray,
    max_move_m: float | None = None,
) -> Placement:
    """Each hour's stands given to units by least travel (never beyond `max_move_m`);
    a unit without a stand stays put."""
    lng = np.tile(cur_lng, (24, 1)).astype(float)
    lat = np.tile(cur_lat, (24, 1)).astype(float)
    index = np.tile(cur_index, (24, 1)).astype(np.int64)
    for p in plans:
        chosen = p.stands[p.stands >= 0]
        s_lng, s_lat = cand_lng[chosen], cand_lat[chosen]
        taken = assign_units(cur_lng, cur_lat, s_lng, s_lat, max_move_m=max_move_m)
        if max_move_m is not None and (taken >= 0).sum() < len(chosen):
            # The least-travel assignment could not place them all within the limit:
            # keep the planner's own, which respects it by construction.
            taken = np.full(len(cur_lng), -1, dtype=np.int64)
            placed = np.flatnonzero(p.stands >= 0)
            taken[placed] = np.arange(len(placed))
        moved = taken >= 0
        lng[p.hour, moved] = s_lng[taken[moved]]
        lat[p.hour, moved] = s_lat[taken[moved]]
        index[p.hour, moved] = chosen[taken[moved]]
    return Placement(lng, lat, plans, index)


@dataclass
class Planner:
    """Candidates, current positions and the reach between them and the grids, built once."""

    grids: UrbanGrids
    cur_lng: np.ndarray
    cur_lat: np.ndarray
    cand_lng: np.ndarray
    cand_lat: np.ndarray
    reach: np.ndarray  # candidates x grids
    current_reach: np.ndarray  # units x grids
    max_move_m: float | None = None
    move_m: np.ndarray | None = None  # units x candidates, metres from each unit's platform

    @classmethod
    def build(
        cls,
        grids: UrbanGrids,
        cur_lng: np.ndarray,
        cur_lat: np.ndarray,
        *,
        max_move_m: float | None = None,
        estimator: TravelTimeEstimator | None = None,
    ) -> Planner:
        """`max_move_m`: how far a unit may be sent from its platform (None: anywhere)."""
        estimator = estimator or GreatCircleEstimator()
        cand_lng = np.concatenate([grids.lng, cur_lng])
        cand_lat = np.concatenate([grids.lat, cur_lat])
        n = len(grids.codes)
        args = (grids.lng, grids.lat, np.full(n, TRAVEL_BUDGET_S), np.ones(n, dtype=bool))
        reach = reach_matrix(cand_lng, cand_lat, *args, estimator=estimator)
        move_m = None
        if max_move_m is not None:
            move_m = distance_m_array(
                cur_lng[:, None], cur_lat[:, None], cand_lng[None, :], cand_lat[None, :]
            )
        # The current positions are the last candidates: their rows are the current reach.
        return cls(
            grids, cur_lng, cur_lat, cand_lng, cand_lat, reach, reach[n:], max_move_m, move_m
        )

    @property
    def units(self) -> int:
        return len(self.cur_lng)

    def plan(self, demand_by_hour: np.ndarray) -> Placement:
        limited = self.move_m is not None and self.max_move_m is not None
        plans = plan_day(
            reach=self.reach,
            current_reach=self.current_reach,
            demand=demand_by_hour,
            units=self.units,
            eligible=self.move_m <= self.max_move_m if limited else None,
            unit_cost=self.move_m,
        )
        return stand_points(
            plans,
            cand_lng=self.cand_lng,
            cand_lat=self.cand_lat,
            cur_lng=self.cur_lng,
            cur_lat=self.cur_lat,
            cur_index=self.cur_index,
            max_move_m=self.max_move_m,
        )

    @property
    def cur_index(self) -> np.ndarray:
        """The current positions are the last candidates."""
        n = len(self.cand_lng) - self.units
        return np.arange(n, n + self.units)

    def current(self) -> Placement:
        return Placement(
            np.tile(self.cur_lng, (24, 1)),
            np.tile(self.cur_lat, (24, 1)),
            [],
            np.tile(self.cur_index, (24, 1)),
        )


def quick_response_homes(
    session: Session, *, org_path: str = ""
) -> tuple[list, np.ndarray, np.ndarray]:
    """The quick-response units (in scope) and where they stand now: their platforms."""
    stmt = select(Unit.id, Unit.call_sign, Unit.home_lng, Unit.home_lat).where(
        Unit.kind == "quick_response"
    )
    if org_path:
        stmt = stmt.where(Unit.org_path.startswith(org_path))
    rows = session.execute(stmt.order_by(Unit.id)).all()
    return (
        rows,
        np.array([r.home_lng for r in rows], dtype=float),
        np.array([r.home_lat for r in rows], dtype=float),
    )
