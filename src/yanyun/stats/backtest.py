"""Rolling backtest: each day's forecast sees only incidents before that day.

Scoring, per day D and coverage c:
- the study area is a fixed set of cells (by default every cell that held
  any incident before the first scored day); k = ceil(c x cells in area);
- the forecast's top k area cells are flagged (ties broken by a fixed
  seeded order, never by looking at the outcome);
- a hit is an incident of day D in a flagged cell; an incident outside the
  area or the raster is a miss.

The reported hit rate POOLS hits over days (sum of hits / sum of incidents),
so a quiet day with one incident does not weigh as much as a busy one; the
mean of daily rates is also kept. PAI = hit rate / area share. Confidence
intervals are percentile bootstrap intervals over days (days resampled with
replacement, the pooled rate recomputed).
"""

from __future__ import annotations

import itertools
import math
import time as _time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from yanyun.stats.forecast import Forecaster, make, shift_share
from yanyun.stats.grid import EventSet

COVERAGES = (0.01, 0.05, 0.10, 0.20)


def default_area(footprint: EventSet, before_day: int) -> np.ndarray:
    """Cells that held any incident before `before_day`: the city's footprint."""
    n = footprint.before(before_day)
    cells = footprint.cell[:n]
    return np.unique(cells[cells >= 0])


def rank_area(scores: np.ndarray, area: np.ndarray, seed: int = 0) -> np.ndarray:
    """Rank (0 = riskiest) of each area cell, in the order of `area`; ties broken by a
    fixed seeded order, never by the outcome."""
    s = np.asarray(scores)[area]
    tiebreak = np.random.default_rng(seed).permutation(area.size)
    order = np.lexsort((tiebreak, -s))
    rank = np.empty(area.size, dtype=np.int64)
    rank[order] = np.arange(area.size)
    return rank


def rank_cells(scores: np.ndarray, area: np.ndarray, seed: int = 0) -> np.ndarray:
    """Rank (0 = riskiest) of every raster cell; cells outside the area rank last."""
    rank = np.full(scores.size, np.iinfo(np.int64).max, dtype=np.int64)
    rank[area] = rank_area(scores, area, seed)
    return rank


def top_cells(scores: np.ndarray, area: np.ndarray, coverage: float, seed: int = 0) -> np.ndarray:
    k = max(1, math.ceil(coverage * area.size))
    rank = rank_cells(scores, area, seed)
    return np.flatnonzero(rank < k)


@dataclass
class MethodResult:
    name: str
    params: dict[str, Any]
    days: np.ndarray
    events: np.ndarray  # incidents per scored day
    hits: np.ndarray  # (days, coverages)
    forecast_seconds: float
    fit_seconds: list[float] = field(default_factory=list)

    def pooled(self) -> np.ndarray:
        return self.hits.sum(axis=0) / max(int(self.events.sum()), 1)

    def mean_daily(self) -> np.ndarray:
        busy = self.events > 0
        return (self.hits[busy] / self.events[busy, None]).mean(axis=0) if busy.any() else 0.0

    def bootstrap(self, reps: int = 1000, seed: int = 0, level: float = 0.95) -> np.ndarray:
        """(2, coverages) percentile interval of the pooled hit rate over resampled days."""
        rng = np.random.default_rng(seed)
        idx = rng.integers(0, self.days.size, size=(reps, self.days.size))
        hits = self.hits[idx].sum(axis=1)
        n = np.maximum(self.events[idx].sum(axis=1), 1)
        rates = hits / n[:, None]
        a = (1 - level) / 2
        return np.quantile(rates, [a, 1 - a], axis=0)


@dataclass
class Backtest:
    events: EventSet  # the incidents forecast and scored
    area: np.ndarray  # sorted, unique cell ids
    coverages: tuple[float, ...] = COVERAGES
    seed: int = 0

    def __post_init__(self) -> None:
        self.area = np.unique(np.asarray(self.area, dtype=np.int64))

    def ks(self) -> np.ndarray:
        return np.array([max(1, math.ceil(c * self.area.size)) for c in self.coverages])

    def run(self, method: Forecaster, days: list[int] | np.ndarray) -> MethodResult:
        return self.run_shifts(method, days, {})[0]

    def run_shifts(
        self,
        method: Forecaster,
        days: list[int] | np.ndarray,
        shifts: dict[str, tuple[int, int]],
        *,
        prior_weight: float = 10.0,
    ) -> list[MethodResult]:
        """Score the day's forecast on whole days, or on shifts' incidents only.

        With no shifts: one result, each day's forecast scored on that day's
        incidents. With shifts (name -> local start and end hour, over
        midnight when end <= start): two results per shift, in order, both
        scored only on the incidents of the shift that starts on the forecast
        day: the day's forecast as it is (`<method>`), and weighted per cell
        by its share of past incidents in the shift's hours (`<method>+hours`,
        `forecast.shift_share`, what the platform's next-shift forecast
        shows). Both read only incidents before the day, as the platform does
        for a shift starting that day; the method runs once per day for all.
        """
        ev = self.events
        ks = self.ks()
        days = np.asarray(days, dtype=np.int64)
        # (scoring window in days from the forecast day's midnight, hour weighting)
        variants: list[tuple[float, float, tuple[int, int] | None]] = []
        if not shifts:
            variants.append((0.0, 1.0, None))
        for start_h, end_h in shifts.values():
            end = end_h + (24 if end_h <= start_h else 0)
            variants += [(start_h / 24, end / 24, None), (start_h / 24, end / 24, (start_h, end_h))]
        hits = np.zeros((len(variants), days.size, ks.size), dtype=np.int64)
        counts = np.zeros((len(variants), days.size), dtype=np.int64)
        spent = 0.0
        for i, day in enumerate(days):
            history = ev.until(day)  # nothing on or after `day` is visible
            started = _time.perf_counter()
            scores = method.forecast(history, int(day))
            spent += _time.perf_counter() - started
            ranks: dict[tuple[int, int] | None, np.ndarray] = {}
            for v, (lo, hi, hours) in enumerate(variants):
                if hours not in ranks:
                    weighted = scores if hours is None else scores * shift_share(
                        history, *hours, prior_weight=prior_weight
                    )
                    ranks[hours] = rank_area(weighted, self.area, self.seed)
                rank = ranks[hours]
                today = ev.cell[ev.before(day + lo) : ev.before(day + hi)]
                counts[v, i] = today.size
                # the area is sorted (np.unique): find each incident's cell in it, or miss
                pos = np.minimum(np.searchsorted(self.area, today), self.area.size - 1)
                inside = self.area[pos] == today
                r = np.where(inside, rank[pos], np.iinfo(np.int64).max)
                hits[v, i] = (r[:, None] < ks[None, :]).sum(axis=0)
        fit_s = list(getattr(method, "fit_seconds", []))
        params = {p: getattr(method, p) for p in getattr(method, "params", ())}
        return [
            MethodResult(
                method.name if hours is None else f"{method.name}+hours",
                params, days, counts[v], hits[v], spent, fit_s,
            )
            for v, (_, _, hours) in enumerate(variants)
        ]


def paired_gain(
    a: MethodResult, b: MethodResult, reps: int = 1000, seed: int = 0, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Pooled hit rate of `a` minus `b` per coverage, and its (2, coverages) percentile
    interval, both scored on the same days and incidents: the days are resampled
    together, so the day-to-day noise both share cancels (unlike two separate
    intervals)."""
    if not np.array_equal(a.days, b.days) or not np.array_equal(a.events, b.events):
        raise ValueError("paired_gain needs two results scored on the same incidents")
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, a.days.size, size=(reps, a.days.size))
    n = np.maximum(a.events[idx].sum(axis=1), 1)[:, None]
    diffs = (a.hits[idx].sum(axis=1) - b.hits[idx].sum(axis=1)) / n
    lo = (1 - level) / 2
    return a.pooled() - b.pooled(), np.quantile(diffs, [lo, 1 - lo], axis=0)


def tune(
    backtest: Backtest,
    name: str,
    grid: dict[str, list[Any]],
    days: list[int] | np.ndarray,
    *,
    coverage: float = 0.05,
    fixed: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], list[tuple[dict[str, Any], float]]]:
    """Best parameters of `name` by pooled hit rate at `coverage` over `days`.

    Call it on a period before the one you report: tuning on the reported
    days would flatter every method.
    """
    j = list(backtest.coverages).index(coverage)
    trials = []
    keys = list(grid)
    for values in itertools.product(*(grid[k] for k in keys)):
        params = {**(fixed or {}), **dict(zip(keys, values, strict=True))}
        res = backtest.run(make(name, **params), days)
        trials.append((params, float(res.pooled()[j])))
    best = max(trials, key=lambda tr: tr[1])[0]
    return best, trials


def format_table(results: list[MethodResult], coverages: tuple[float, ...] = COVERAGES) -> str:
    """Markdown table: pooled hit rate [95% CI] and PAI per coverage, side by side."""
    head = ["method", "params"]
    for c in coverages:
        head += [f"hit@{c:.0%}", f"PAI@{c:.0%}"]
    head += ["incidents", "days", "fit s", "forecast s/day"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in results:
        pooled, ci = r.pooled(), r.bootstrap()
        row = [r.name, ", ".join(f"{k}={v}" for k, v in r.params.items())]
        for j, c in enumerate(coverages):
            row.append(f"{pooled[j]:.1%} [{ci[0, j]:.1%}, {ci[1, j]:.1%}]")
            row.append(f"{pooled[j] / c:.1f}")
        fit = f"{np.mean(r.fit_seconds):.1f} x{len(r.fit_seconds)}" if r.fit_seconds else "-"
        row += [
            str(int(r.events.sum())),
            str(r.days.size),
            fit,
            f"{r.forecast_seconds / max(r.days.size, 1):.3f}",
        ]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)
