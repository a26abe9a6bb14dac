"""Which method a city's forecast serves: the one that did best on the city's own recent past.

Every forecast product (per scope and category) runs a short rolling backtest
over the last `select_days` days before the forecast day: each candidate
forecasts each of those days from the incidents before it, and is scored by
its hits at the platform's coverage, day by day. The count baselines (the
analyst's "where it happened before", over 28, 91 and 365 days) compete too.

A 28-day window is short, and a candidate that wins it by a hit or two wins
by chance as often as not; serving it then loses to a count out of sample.
So a challenger must win by a paired margin: over the window, the mean daily
gain in hits over the incumbent divided by its standard error (a paired t
statistic) must reach `select_margin_z`. The count served is the 365-day
count unless a shorter window beats it so; a model is served only when it
beats that count so; otherwise the count is served. The choice and every
candidate's score are kept with the product, and shown on the forecast page.

The cost is bounded: the window is capped (56 days), the default candidates
are the kernel methods and the blend (milliseconds a day on a city's raster,
and a second per blend fit); the costly models (boosted, ETAS) join only
when the settings name them, and refit once or twice over the window.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from yanyun.stats.backtest import Backtest, default_area
from yanyun.stats.forecast import make
from yanyun.stats.grid import EventSet
from yanyun.stats.schemas import MethodScore, SelectionRead
from yanyun.stats.settings import StatsSettings

#: The count baselines, by window (days).
COUNT_WINDOWS = (28, 91, 365)


@dataclass(frozen=True)
class Candidate:
    label: str  # what the page shows: counts-365d, retro, boosted...
    name: str  # the method
    params: dict[str, Any]
    baseline: bool


def candidates(stats: StatsSettings) -> list[Candidate]:
    """The count baselines, then the models the settings name (with their parameters)."""
    found = [
        Candidate(f"counts-{w}d", "counts", {"window_days": w}, True) for w in COUNT_WINDOWS
    ]
    for name in stats.select_methods:
        params: dict[str, Any] = {}
        if name in ("retro", "prospective", "blend"):
            params["bandwidth_m"] = stats.bandwidth_m
        if name == "retro":
            params["window_days"] = stats.window_days
        if name == "counts":
            continue  # the counts are there already, as baselines
        found.append(Candidate(name, name, params, False))
    return found


def paired_t(a: np.ndarray, b: np.ndarray) -> float:
    """Paired t statistic of the daily gain of `a` over `b` (hits per day): the mean gain
    over its standard error; +inf for a gain on every day alike, 0 for no gain.

    >>> paired_t(np.array([3, 4, 5]), np.array([2, 3, 4]))
    inf
    >>> round(paired_t(np.array([3, 4, 6, 2]), np.array([2, 4, 3, 2])), 2)
    1.41
    """
    d = np.asarray(a, float) - np.asarray(b, float)
    if d.size == 0 or d.sum() <= 0:
        return 0.0
    if d.size < 2 or np.all(d == d[0]):
        return math.inf
    return float(d.mean() / (d.std(ddof=1) / math.sqrt(d.size)))


def decide(hits: np.ndarray, pool: list[Candidate], margin_z: float) -> tuple[int, int]:
    """Indices (served, count) into `pool` from its daily hits (candidates x days).

    The count is the longest count window, unless a shorter one beats it (more hits,
    and a paired t of at least `margin_z`; then the one with the most hits of those);
    the served one is that count, unless the model with the most hits beats it
    so. Ties in hits go to the earlier candidate.
    """
    totals = hits.sum(axis=1)
    base = [i for i, c in enumerate(pool) if c.baseline]
    models = [i for i, c in enumerate(pool) if not c.baseline]
    count = max(base, key=lambda i: (pool[i].params.get("window_days", 0), -i))
    challengers = [i for i in base if i != count and _beats(hits[i], hits[count], margin_z)]
    if challengers:
        count = max(challengers, key=lambda i: (totals[i], -i))
    served = count
    if models:
        best = max(models, key=lambda i: (totals[i], -i))
        if _beats(hits[best], hits[count], margin_z):
            served = best
    return served, count


def _beats(a: np.ndarray, b: np.ndarray, margin_z: float) -> bool:
    t = paired_t(a, b)
    return t > 0 and t >= margin_z


def choose(
    events: EventSet, day: int, stats: StatsSettings, pool: list[Candidate] | None = None
) -> SelectionRead | None:
    """Backtest the candidates on the `stats.select_days` days before `day` and pick the
    served one (None when there are no such days or no incident in them)."""
    pool = pool or candidates(stats)
    days = np.arange(max(day - stats.select_days, 1), day)
    if days.size == 0:
        return None
    area = default_area(events, int(days[0]))
    if area.size == 0:
        return None
    bt = Backtest(events, area, coverages=(stats.coverage,))
    daily = []
    incidents = 0
    for cand in pool:
        res = bt.run(make(cand.name, **cand.params), days)
        incidents = int(res.events.sum())
        daily.append(res.hits[:, 0])
    if incidents == 0:
        return None
    hits = np.vstack(daily)
    scores = [
        MethodScore(
            label=cand.label, method=cand.name, params=cand.params, baseline=cand.baseline,
            hits=int(h.sum()), hit_rate=int(h.sum()) / incidents,
        )
        for cand, h in zip(pool, hits, strict=True)
    ]
    served, count = decide(hits, pool, stats.select_margin_z)
    chosen, base = scores[served], scores[count]
    return SelectionRead(
        label=chosen.label, method=chosen.method, params=chosen.params,
        hit_rate=chosen.hit_rate, baseline=base.label, baseline_hit_rate=base.hit_rate,
        coverage=stats.coverage, days=int(days.size), incidents=incidents, scores=scores,
        margin_z=stats.select_margin_z,
        gain_t=None if served == count else round(paired_t(hits[served], hits[count]), 2),
    )
