"""Which method a city's forecast serves: the one that did best on the city's own recent past.

Every forecast product (per scope and category) runs a short rolling backtest
over the last `select_days` days before the forecast day: each candidate
forecasts each of those days from the incidents before it, and is scored by
its pooled hit rate at the platform's coverage. The count baselines (the
analyst's "where it happened before", over 28, 91 and 365 days) compete
too; a model is served only when it beats the best of them on that backtest
(strictly); otherwise the best count is served, so the served forecast never
does worse than a count on the days it was chosen on. The choice and every
candidate's score are kept with the product, and shown on the forecast page.

The cost is bounded: the window is capped (56 days), the default candidates
are the kernel methods (milliseconds a day on a city's raster); the costly
models (boosted, ETAS) join only when the settings name them, and refit
once or twice over the window.
"""

from __future__ import annotations

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
        if name in ("retro", "prospective"):
            params["bandwidth_m"] = stats.bandwidth_m
        if name == "retro":
            params["window_days"] = stats.window_days
        if name == "counts":
            continue  # the counts are there already, as baselines
        found.append(Candidate(name, name, params, False))
    return found


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
    scores = []
    incidents = 0
    for cand in pool:
        res = bt.run(make(cand.name, **cand.params), days)
        incidents = int(res.events.sum())
        hits = int(res.hits[:, 0].sum())
        scores.append(MethodScore(
            label=cand.label, method=cand.name, params=cand.params, baseline=cand.baseline,
            hits=hits, hit_rate=hits / incidents if incidents else None,
        ))
    if incidents == 0:
        return None
    # first of the best wins ties: the shorter, simpler count, and a model only when better
    baselines = [s for s in scores if s.baseline]
    base = max(baselines, key=lambda s: s.hits)
    models = [s for s in scores if not s.baseline]
    best_model = max(models, key=lambda s: s.hits) if models else None
    chosen = best_model if best_model is not None and best_model.hits > base.hits else base
    return SelectionRead(
        label=chosen.label, method=chosen.method, params=chosen.params,
        hit_rate=chosen.hit_rate, baseline=base.label, baseline_hit_rate=base.hit_rate,
        coverage=stats.coverage, days=int(days.size), incidents=incidents, scores=scores,
    )
