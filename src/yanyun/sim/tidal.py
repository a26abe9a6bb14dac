"""Tidal deployment checked in the simulator: each held-out day replayed with each placement.

Each held-out day's calls are replayed hour by hour through the simulator
(:class:`~yanyun.sim.memory_port.MemoryPort`, the platform's own ranking) with the
quick-response units where they stand now and at each plan's stand points
(:mod:`yanyun.tidal.demand`); same calls, same durations, same seeds for
every placement.
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
from yanyun.core.clock import SHANGHAI, FrozenClock
from yanyun.geo.models import Station
from yanyun.sim.calls import CallGenerator, grid_areas
from yanyun.sim.engine import CitySim
from yanyun.sim.memory_port import MemoryPort
from yanyun.sim.ports import Call, FleetUnit
from yanyun.stats.settings import StatsSettings
from yanyun.tidal.demand import (
    DEMAND_SOURCES,
    TRAVEL_BUDGET_S,
    URBAN_TARGET_S,
    History,
    Placement,
    Planner,
    UrbanGrids,
    _history,
    _local64,
    demand,
    quick_response_homes,
    urban_grids,
)


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
        placements = _plan_day(
            result, planner, grids, past, sources, day_start, history_days, stats
        )
        _replay_day(result, placements, grids, calls, stations, day_start)
        result.days.append(day_start.astimezone(SHANGHAI).date())
        result.placement_of_last_day = placements
    result.history_incidents = round(float(np.mean(sizes))) if sizes else 0
    return result


def _plan_day(
    result: TidalComparison,
    planner: Planner,
    grids: UrbanGrids,
    past: History,
    sources: tuple[str, ...],
    day_start: datetime,
    history_days: int,
    stats: StatsSettings,
) -> dict[str, Placement]:
    """Today's placement from each demand source, timed, with the share of demand it covers."""
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
    return placements


def _replay_day(
    result: TidalComparison,
    placements: dict[str, Placement],
    grids: UrbanGrids,
    calls: list[Call],
    stations: dict[str, tuple[float, float]],
    day_start: datetime,
) -> None:
    """Replay the day's urban calls hour by hour against every placement; add what each reached."""
    urban = grids.group_of(np.array([c.lng for c in calls]), np.array([c.lat for c in calls]))
    day_calls = [c for c, g in zip(calls, urban, strict=True) if g >= 0]
    day_reached = {n: 0.0 for n in placements}
    for hour in range(24):
        lo, hi = hour * 3600, (hour + 1) * 3600
        hour_calls = [_shift(c, lo) for c in day_calls if lo <= c.at_s < hi]
        if not hour_calls:
            continue
        start = day_start + timedelta(hours=hour)
        for name, place in placements.items():
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
    for name in placements:
        result.daily[name].append(day_reached[name] / len(day_calls) if day_calls else 0.0)


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
