"""Tidal deployment checked by simulation: recommended stand points vs where units stand now.

Duty's algorithm (:mod:`yanyun.duty.tidal`) takes plain arrays. This adapter
feeds it: the incident history (command's incidents in a database, or a
synthetic history from the simulator's call stream, which follows the city's
daily rhythm and hot spots), candidate stand points (urban grid centres that
saw incidents, plus today's platforms), and today's placement of the
quick-response units. Then it checks the claim on a day the plan never saw:
each hour's calls of a held-out day are replayed through the simulator
(:class:`~yanyun.sim.replay.MemoryPort`, the platform's own ranking) twice,
once with the quick-response units at the hour's recommended stand points
and once where they stand now, and the shares of calls reached within target
are compared.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.command.catalogue import load_catalogue
from yanyun.command.models import Incident, Unit
from yanyun.core.clock import SHANGHAI, FrozenClock, as_utc
from yanyun.duty.tidal import HourPlan, covered, plan_hours
from yanyun.geo.models import Grid, Station
from yanyun.geo.service import load_index
from yanyun.geo.travel import GreatCircleEstimator
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

# Quick-response units serve the city (城市快警): urban incidents, the "3" of 1-3-5.
URBAN_TARGET_S = 180.0
# The target runs from receipt; before a unit moves the call is taken and the
# crew reacts (the simulator's medians), so the plan counts on the rest.
PRE_TRAVEL_S = HANDLING_MEDIAN_S + (REACTION_MIN_S + REACTION_MAX_S) / 2
TRAVEL_BUDGET_S = URBAN_TARGET_S - PRE_TRAVEL_S


@dataclass(frozen=True)
class History:
    lng: np.ndarray
    lat: np.ndarray
    hour: np.ndarray
    target_s: np.ndarray
    urban: np.ndarray
    grid: np.ndarray  # index into the urban grid centres of `by_grid`


@dataclass(frozen=True)
class TidalComparison:
    """Coverage planned (history) and simulated (held-out day), recommended vs current."""

    units: int
    history_incidents: int
    plans: list[HourPlan]
    planned_recommended: float
    planned_current: float
    simulated_calls: int
    simulated_recommended: float
    simulated_current: float
    stands_lng: list[np.ndarray]
    stands_lat: list[np.ndarray]


def _urban_grids(session: Session) -> tuple[list[str], np.ndarray, np.ndarray]:
    rows = session.execute(
        select(Grid.code, Grid.lng, Grid.lat).where(Grid.is_urban.is_(True)).order_by(Grid.code)
    ).all()
    return [r.code for r in rows], np.array([r.lng for r in rows]), np.array([r.lat for r in rows])


def _grid_of(session: Session, lng: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Index of each point's urban grid (as in `_urban_grids`), -1 outside the city's towns."""
    codes, _, _ = _urban_grids(session)
    position = {c: i for i, c in enumerate(codes)}
    located = load_index(session=session).locate_many(lng, lat) if len(lng) else []
    return np.array(
        [position.get(loc.grid.code, -1) if loc.grid else -1 for loc in located], dtype=int
    )


def _urban_mask(session: Session, lng: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return _grid_of(session, lng, lat) >= 0


def history_from_incidents(session: Session, *, since: datetime | None = None) -> History:
    """Command's recorded incidents (urban ones), by local hour."""
    stmt = select(Incident.lng, Incident.lat, Incident.received_at).where(
        Incident.merged_into_id.is_(None)
    )
    if since is not None:
        stmt = stmt.where(Incident.received_at >= since)
    rows = session.execute(stmt).all()
    lng = np.array([r.lng for r in rows], dtype=float)
    lat = np.array([r.lat for r in rows], dtype=float)
    hour = np.array([as_utc(r.received_at).astimezone(SHANGHAI).hour for r in rows], dtype=int)
    return _urban_only(lng, lat, hour, _grid_of(session, lng, lat))


def _urban_only(lng, lat, hour, grid) -> History:
    m = grid >= 0
    n = int(m.sum())
    return History(
        lng[m], lat[m], hour[m], np.full(n, TRAVEL_BUDGET_S), np.ones(n, dtype=bool), grid[m]
    )


def _calls(session: Session, *, seed: int, start: datetime, hours: float, per_hour: float):
    generator = CallGenerator(
        grid_areas(session=session),
        load_catalogue(None),
        rng=random.Random(seed),
        calls_per_hour=per_hour,
        start=start,
    )
    out: list[Call] = []
    for call in generator:
        if call.at_s >= hours * 3600:
            break
        out.append(call)
    return out


def history_from_calls(
    session: Session, *, seed: int, start: datetime, days: int, per_hour: float
) -> tuple[History, list[Call]]:
    """A synthetic history (the simulator's call stream, urban calls) and the day after it.

    One stream runs for days + 1: the first days are the history, the last
    day is held out to check the plan on (the same city, hot spots and all,
    on a day the plan never saw).
    """
    calls = _calls(session, seed=seed, start=start, hours=(days + 1) * 24, per_hour=per_hour)
    cut = days * 24 * 3600
    past = [c for c in calls if c.at_s < cut]
    held_out = [
        Call(
            c.seq,
            c.at_s - cut,
            c.lng,
            c.lat,
            c.category_code,
            c.sub_code,
            c.handling_s,
            c.reaction_s,
            c.service_s,
        )
        for c in calls
        if c.at_s >= cut
    ]
    lng = np.array([c.lng for c in past])
    lat = np.array([c.lat for c in past])
    hour = np.array([(start + timedelta(seconds=c.at_s)).astimezone(SHANGHAI).hour for c in past])
    return _urban_only(lng, lat, hour, _grid_of(session, lng, lat)), held_out


def by_grid(session: Session, history: History) -> dict[str, np.ndarray]:
    """Incidents counted by grid and hour, placed at the grid's centre."""
    _, g_lng, g_lat = _urban_grids(session)
    key = history.grid * 24 + history.hour
    keys, counts = np.unique(key, return_counts=True)
    grid, hour = keys // 24, keys % 24
    return {
        "lng": g_lng[grid],
        "lat": g_lat[grid],
        "hour": hour,
        "weight": counts.astype(float),
        "target_s": np.full(len(keys), TRAVEL_BUDGET_S),
        "urban": np.ones(len(keys), dtype=bool),
    }


def candidates(
    session: Session, history: History, *, limit: int = 400
) -> tuple[np.ndarray, np.ndarray]:
    """Stand points: centres of the urban grids with the most incidents."""
    _, g_lng, g_lat = _urban_grids(session)
    counts = np.bincount(history.grid, minlength=len(g_lng))
    top = np.argsort(-counts, kind="stable")[: min(limit, int((counts > 0).sum()))]
    return g_lng[top], g_lat[top]


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


def compare(
    session: Session,
    *,
    history: History,
    held_out: list[Call],
    day_start: datetime,
) -> TidalComparison:
    """Plan each hour on the history by grid; replay a held-out day both ways in the simulator."""
    qr = session.execute(
        select(Unit.home_lng, Unit.home_lat).where(Unit.kind == "quick_response").order_by(Unit.id)
    ).all()
    cur_lng = np.array([u.home_lng for u in qr])
    cur_lat = np.array([u.home_lat for u in qr])
    cand_lng, cand_lat = candidates(session, history)
    cand_lng = np.concatenate([cand_lng, cur_lng])
    cand_lat = np.concatenate([cand_lat, cur_lat])
    estimator = GreatCircleEstimator()
    plans = plan_hours(
        inc_lng=history.lng,
        inc_lat=history.lat,
        inc_hour=history.hour,
        target_s=history.target_s,
        urban=history.urban,
        cand_lng=cand_lng,
        cand_lat=cand_lat,
        current_lng=cur_lng,
        current_lat=cur_lat,
        units=len(qr),
        estimator=estimator,
    )
    stands_lng, stands_lat = [], []
    hits = {"recommended": 0, "current": 0}
    for p in plans:
        # Fewer stands than units when the hour is quiet: the rest stay where they are.
        extra = len(qr) - len(p.stands)
        stands_lng.append(np.concatenate([cand_lng[p.stands], cur_lng[:extra]]))
        stands_lat.append(np.concatenate([cand_lat[p.stands], cur_lat[:extra]]))
        # Scored on the incidents themselves, not on the grid centres planned with.
        m = history.hour == p.hour
        args = (history.lng[m], history.lat[m], history.target_s[m], history.urban[m])
        hits["recommended"] += covered(stands_lng[-1], stands_lat[-1], *args, estimator=estimator)
        hits["current"] += covered(cur_lng, cur_lat, *args, estimator=estimator)
    total = len(history.lng) or 1
    stations = {
        s.code: (s.lng, s.lat) for s in session.scalars(select(Station).order_by(Station.code))
    }
    urban = _urban_mask(
        session, np.array([c.lng for c in held_out]), np.array([c.lat for c in held_out])
    )
    held_out = [c for c, u in zip(held_out, urban, strict=True) if u]
    sim_calls = 0
    reached = {"recommended": 0.0, "current": 0.0}
    for hour in range(24):
        hour_calls = [c for c in held_out if hour * 3600 <= c.at_s < (hour + 1) * 3600]
        if not hour_calls:
            continue
        start = day_start + timedelta(hours=hour)
        shifted = [
            Call(
                c.seq,
                c.at_s - hour * 3600,
                c.lng,
                c.lat,
                c.category_code,
                c.sub_code,
                c.handling_s,
                c.reaction_s,
                c.service_s,
            )
            for c in hour_calls
        ]
        for name, (xs, ys) in (
            ("recommended", (stands_lng[hour], stands_lat[hour])),
            ("current", (cur_lng, cur_lat)),
        ):
            n, share = _simulate_hour(
                shifted, stand_lng=xs, stand_lat=ys, stations=stations, start=start
            )
            reached[name] += share * n
        sim_calls += len(hour_calls)
    return TidalComparison(
        units=len(qr),
        history_incidents=int(total),
        plans=plans,
        planned_recommended=hits["recommended"] / total,
        planned_current=hits["current"] / total,
        simulated_calls=sim_calls,
        simulated_recommended=reached["recommended"] / sim_calls if sim_calls else 0.0,
        simulated_current=reached["current"] / sim_calls if sim_calls else 0.0,
        stands_lng=stands_lng,
        stands_lat=stands_lat,
    )


def format_comparison(c: TidalComparison) -> str:
    """The comparison as a table: per hour and overall, recommended vs current."""
    lines = [
        f"tidal deployment 潮汐警力: {c.units} quick-response units, "
        f"{c.history_incidents} urban incidents of history, target {URBAN_TARGET_S:.0f} s "
        f"from receipt ({TRAVEL_BUDGET_S:.0f} s of it to travel)",
        "share within target per hour, on the grid-and-hour demand the plan optimises:",
        "hour  incidents  recommended  current",
    ]
    for p in c.plans:
        if p.incidents:
            lines.append(
                f"{p.hour:>4}  {p.incidents:>9}  {p.share_recommended:>10.1%}  "
                f"{p.share_current:>7.1%}"
            )
    lines += [
        f"history (incidents planned on, within target): recommended "
        f"{c.planned_recommended:.1%}  "
        f"current {c.planned_current:.1%}",
        f"simulated (held-out day, {c.simulated_calls} calls): recommended "
        f"{c.simulated_recommended:.1%}  current {c.simulated_current:.1%}",
    ]
    return "\n".join(lines)
