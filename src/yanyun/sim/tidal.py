"""Tidal deployment fed and checked: demand from history or from the forecast, then the simulator.

Duty's algorithm (:mod:`yanyun.duty.tidal`) takes plain arrays. This adapter
feeds it: the urban grids (their centres are both where demand sits and
where units may stand, with today's platforms), the quick-response units
where they stand now, and the demand per grid and hour of a day, from one of
two sources:

- ``history``: the incidents of the history window counted by grid and
  hour, per day (the first version's plan, kept as the baseline);
- ``forecast``: the platform's next-day forecast (stats) of the day's risk
  per grid, spread over the hours by each grid's smoothed hour-of-day
  profile from the same history.

Then it checks the claim on days no plan saw: each held-out day's calls are
replayed hour by hour through the simulator
(:class:`~yanyun.sim.replay.MemoryPort`, the platform's own ranking) with the
quick-response units where they stand now and at each plan's stand points;
same calls, same durations, same seeds for every placement.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.command.catalogue import load_catalogue
from yanyun.command.models import Incident, Unit
from yanyun.core.clock import SHANGHAI, FrozenClock, as_utc
from yanyun.duty.tidal import HourPlan, assign_units, plan_day, reach_matrix
from yanyun.geo.coords import distance_m_array
from yanyun.geo.models import Grid, Station
from yanyun.geo.service import load_index
from yanyun.geo.travel import GreatCircleEstimator, TravelTimeEstimator
from yanyun.sim.calls import (
    HANDLING_MEDIAN_S,
    REACTION_MAX_S,
    REACTION_MIN_S,
    CallGenerator,
    grid_areas,
)
from yanyun.sim.engine import CitySim
from yanyun.sim.ports import Call, FleetUnit
from yanyun.sim.replay import MemoryPort
from yanyun.stats.demand import forecast_demand, history_demand
from yanyun.stats.forecast import make
from yanyun.stats.grid import build_events
from yanyun.stats.settings import StatsSettings

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


def call_stream(
    session: Session, *, seed: int, start: datetime, days: int, per_hour: float
) -> list[Call]:
    """The simulator's synthetic calls for `days` from `start` (one seeded stream)."""
    generator = CallGenerator(
        grid_areas(session=session),
        load_catalogue(None),
        rng=random.Random(seed),
        calls_per_hour=per_hour,
        start=start,
    )
    out: list[Call] = []
    for call in generator:
        if call.at_s >= days * 86400:
            break
        out.append(call)
    return out


def history_from_calls(grids: UrbanGrids, calls: list[Call], *, start: datetime) -> History:
    """The urban calls of a stream as a history."""
    base = _local64(start)
    at = base + np.array([round(c.at_s) for c in calls], dtype="timedelta64[s]")
    return _history(grids, [c.lng for c in calls], [c.lat for c in calls], at)


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


def _simulate_hour(
    calls: list[Call], *, stand_lng, stand_lat, stations, start: datetime
) -> tuple[int, float]:
    units = [
        FleetUnit(
            f"QR{i:03d}",
            "quick_response",
            "",
            frozenset({"patrol", "armed", "first_aid"}),
            float(x),
            float(y),
            float(x),
            float(y),
        )
        for i, (x, y) in enumerate(zip(stand_lng, stand_lat, strict=True))
    ]
    port = MemoryPort(units, stations, urban=True, arrival_target_s=int(URBAN_TARGET_S))
    # Every call needs only a patrol: the comparison is about where units stand.
    plain = [
        Call(
            c.seq,
            c.at_s,
            c.lng,
            c.lat,
            "other",
            None,
            c.handling_s,
            c.reaction_s,
            c.service_s,
            required=frozenset({"patrol"}),
            priority=2,
        )
        for c in calls
    ]
    sim = CitySim(
        port,
        plain,
        policy="recommend",
        clock=FrozenClock(start),
        start=start,
        horizon_s=3600.0,
        settle_s=1800.0,
    )
    report = sim.run()
    return report.calls, report.within_target


@dataclass
class TidalComparison:
    """Shares of urban calls reached within target, per placement, on held-out days."""

    units: int
    history_days: int
    history_incidents: int  # mean urban incidents in a history window
    max_move_m: float | None
    placements: list[str]
    days: list[date] = field(default_factory=list)
    calls: dict[str, np.ndarray] = field(default_factory=dict)  # placement -> (24,) calls
    reached: dict[str, np.ndarray] = field(default_factory=dict)  # placement -> (24,) reached
    daily: dict[str, list[float]] = field(default_factory=dict)  # placement -> share per day
    planned: dict[str, list[float]] = field(default_factory=dict)  # share of own demand covered
    plan_seconds: dict[str, float] = field(default_factory=dict)
    placement_of_last_day: dict[str, Placement] = field(default_factory=dict)

    def share(self, name: str) -> float:
        n = float(self.calls[name].sum())
        return float(self.reached[name].sum()) / n if n else 0.0


def compare(
    session: Session,
    *,
    history: History,
    held_out: list[tuple[datetime, list[Call]]],
    history_days: int,
    sources: tuple[str, ...] = DEMAND_SOURCES,
    stats: StatsSettings | None = None,
    grids: UrbanGrids | None = None,
    planner: Planner | None = None,
    max_move_m: float | None = None,
) -> TidalComparison:
    """Plan each held-out day from the `history_days` before it; replay its calls per placement.

    `held_out` pairs each day's local midnight with its calls (``at_s`` from
    that midnight). The current placement is replayed too; every placement
    answers the same calls with the same durations.
    """
    stats = stats or StatsSettings()
    grids = grids or urban_grids(session)
    if planner is None:
        _, cur_lng, cur_lat = quick_response_homes(session)
        planner = Planner.build(grids, cur_lng, cur_lat, max_move_m=max_move_m)
    stations = {
        s.code: (s.lng, s.lat) for s in session.scalars(select(Station).order_by(Station.code))
    }
    names = ["current", *sources]
    sizes = []
    result = TidalComparison(
        units=planner.units,
        max_move_m=planner.max_move_m,
        history_days=history_days,
        history_incidents=0,
        placements=names,
        calls={n: np.zeros(24) for n in names},
        reached={n: np.zeros(24) for n in names},
        daily={n: [] for n in names},
        planned={n: [] for n in sources},
        plan_seconds={n: 0.0 for n in sources},
    )
    for day_start, calls in held_out:
        past = history.window(day_start - timedelta(days=history_days), day_start)
        sizes.append(past.lng.size)
        placements = {"current": planner.current()}
        for source in sources:
            started = time.perf_counter()
            wanted = demand(
                past, grids, source=source, day_start=day_start, days=history_days, stats=stats
            )
            placements[source] = planner.plan(wanted)
            result.plan_seconds[source] += time.perf_counter() - started
            covered = sum(p.covered_recommended for p in placements[source].plans)
            total = sum(p.incidents for p in placements[source].plans)
            result.planned[source].append(covered / total if total else 0.0)
        urban = grids.group_of(np.array([c.lng for c in calls]), np.array([c.lat for c in calls]))
        day_calls = [c for c, g in zip(calls, urban, strict=True) if g >= 0]
        day_reached = {n: 0.0 for n in names}
        for hour in range(24):
            lo, hi = hour * 3600, (hour + 1) * 3600
            hour_calls = [_shift(c, lo) for c in day_calls if lo <= c.at_s < hi]
            if not hour_calls:
                continue
            start = day_start + timedelta(hours=hour)
            for name in names:
                place = placements[name]
                n, share = _simulate_hour(
                    hour_calls,
                    stand_lng=place.lng[hour],
                    stand_lat=place.lat[hour],
                    stations=stations,
                    start=start,
                )
                result.calls[name][hour] += n
                result.reached[name][hour] += share * n
                day_reached[name] += share * n
        for name in names:
            result.daily[name].append(day_reached[name] / len(day_calls) if day_calls else 0.0)
        result.days.append(day_start.astimezone(SHANGHAI).date())
        result.placement_of_last_day = placements
    result.history_incidents = round(float(np.mean(sizes))) if sizes else 0
    return result


def _shift(c: Call, by_s: float) -> Call:
    return Call(
        c.seq, c.at_s - by_s, c.lng, c.lat, c.category_code, c.sub_code,
        c.handling_s, c.reaction_s, c.service_s,
    )


def split_days(calls: list[Call], *, start: datetime, first_day: int, days: int):
    """The calls of days first_day .. first_day + days - 1 of a stream, each from its midnight."""
    out = []
    for k in range(first_day, first_day + days):
        lo, hi = k * 86400, (k + 1) * 86400
        out.append((start + timedelta(days=k), [_shift(c, lo) for c in calls if lo <= c.at_s < hi]))
    return out


LABELS = {
    "current": "current (fixed platforms)",
    "history": "plan from history counts",
    "forecast": "plan from the forecast",
}


def format_comparison(c: TidalComparison) -> str:
    """The comparison as tables: per hour and per day, each placement side by side."""
    names = c.placements
    lines = [
        f"tidal deployment 潮汐警力: {c.units} quick-response units; each held-out day is "
        f"planned from the {c.history_days} days before it (about {c.history_incidents} urban "
        f"incidents); target {URBAN_TARGET_S:.0f} s from receipt "
        f"({TRAVEL_BUDGET_S:.0f} s of it to travel); a unit moves "
        + ("anywhere" if c.max_move_m is None else f"at most {c.max_move_m:.0f} m")
        + " from its platform",
        "share of urban calls reached within target in the simulator, per hour "
        "(held-out days pooled):",
        "hour  calls  " + "  ".join(f"{n:>9}" for n in names),
    ]
    for h in range(24):
        n = c.calls[names[0]][h]
        if n:
            cells = "  ".join(f"{c.reached[x][h] / n:>9.1%}" for x in names)
            lines.append(f"{h:>4}  {int(n):>5}  {cells}")
    lines.append("per day:")
    lines.append("day         " + "  ".join(f"{n:>9}" for n in names))
    for i, d in enumerate(c.days):
        lines.append(f"{d}  " + "  ".join(f"{c.daily[x][i]:>9.1%}" for x in names))
    total = int(c.calls[names[0]].sum())
    lines.append(f"all {len(c.days)} held-out days ({total} urban calls):")
    for x in names:
        extra = ""
        if x in c.planned:
            own = float(np.mean(c.planned[x])) if c.planned[x] else 0.0
            extra = (
                f"   (covers {own:.1%} of its own demand; planned in "
                f"{c.plan_seconds[x] / max(len(c.days), 1):.2f} s a day)"
            )
        lines.append(f"  {LABELS.get(x, x):<27} {c.share(x):.1%}{extra}")
    return "\n".join(lines)
