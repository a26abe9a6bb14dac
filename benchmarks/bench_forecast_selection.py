"""The served method chosen by the city's own rolling backtest, on Chicago periods.

For each scored day D of a period, the platform's selection (`stats.selection`)
backtests the candidates on the `select_days` days before D and serves the
winner on D (`selection.decide`: a model only when it beats the count there by
a paired margin), beside the previous rule (any gain wins) on the same hits. Every
candidate's daily hits are computed once over the period and the
`select_days` before it (the same rolling backtest, the same study area:
every cell with an incident of any category before the first selection day,
as `yanyun forecast backtest` scores), so the daily
choice is a sum over the previous days' hits, exactly as `choose` sums them.
Printed beside it: every candidate over the whole period, and the best count
baseline in hindsight (the strictest bar: the served forecast does not know
which count will be best).

    PYTHONPATH=src .venv/bin/python benchmarks/bench_forecast_selection.py \
        [--data ../shared/data/chicago/incidents_2014_2018.parquet]

Data: City of Chicago data portal, "Crimes - 2001 to present" (terms of use of
the City of Chicago data portal).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from yanyun.stats.backtest import Backtest, default_area
from yanyun.stats.forecast import Blend, make
from yanyun.stats.selection import candidates, decide
from yanyun.stats.settings import StatsSettings
from yanyun.stats.source import Columns, load_events

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "data" / "chicago" / (
    "incidents_2014_2018.parquet"
)
PERIODS = [("2017-10-01", "2017-12-31"), ("2018-07-01", "2018-09-30")]


def legacy(h: np.ndarray, pool) -> tuple[int, int]:
    """The rule before the paired margin: the count with the most hits (ties: the shorter),
    a model when it has strictly more."""
    base = [i for i, c in enumerate(pool) if c.baseline]
    models = [i for i, c in enumerate(pool) if not c.baseline]
    tot = h.sum(axis=1)
    count = max(base, key=lambda i: (tot[i], -i))
    if models:
        best = max(models, key=lambda i: (tot[i], -i))
        if tot[best] > tot[count]:
            return best, count
    return count, count


def run(events, category, start, end, stats, methods, margins) -> list[str]:
    scored = events.of_categories([category] if category else None)
    if category:
        scored = scored.with_context(events)
    first, last = events.day_index(start), events.day_index(end)
    sel_days = stats.select_days
    days = np.arange(first - sel_days, last + 1)
    # the city's footprint (any incident of any category), as `forecast backtest` scores
    area = default_area(events, int(days[0]))
    bt = Backtest(scored, area, coverages=(stats.coverage,))
    pool = candidates(stats.model_copy(update={"select_methods": methods}))
    hits, n = {}, None
    started = time.perf_counter()
    for cand in pool:
        res = bt.run(make(cand.name, **cand.params), days)
        hits[cand.label] = res.hits[:, 0]
        n = res.events
    spent = time.perf_counter() - started
    band = Blend().knox_band(scored.until(first), first)
    knox = "none" if band is None else (
        f"<= {band.distance_m:g} m, <= {band.days:g} d, x{band.ratio:.2f}"
    )
    labels = [c.label for c in pool]
    base_labels = [c.label for c in pool if c.baseline]
    h = np.array([hits[k] for k in labels])  # (candidates, days)
    total = int(n[sel_days:].sum())
    rate = {k: hits[k][sel_days:].sum() / total for k in labels}
    best_base = max(base_labels, key=lambda k: rate[k])
    name = category or "all crime"
    rules = [("previous (any gain)", lambda w: legacy(w, pool))] + [
        (f"paired t >= {z:g}", lambda w, z=z: decide(w, pool, z)) for z in margins
    ]
    rows = []
    rng = np.random.default_rng(0)
    boot = rng.integers(0, days.size - sel_days, size=(1000, days.size - sel_days))
    for rule, pick_of in rules:
        served = np.zeros(days.size - sel_days, dtype=np.int64)
        chosen = []
        for i in range(sel_days, days.size):
            pick = labels[pick_of(h[:, i - sel_days : i])[0]]
            chosen.append(pick)
            served[i - sel_days] = hits[pick][i]
        rate_served = served.sum() / total
        diff = served - hits[best_base][sel_days:]
        nn = n[sel_days:]
        lo, hi = np.quantile(diff[boot].sum(axis=1) / nn[boot].sum(axis=1), [0.025, 0.975])
        picks = {k: chosen.count(k) for k in labels if chosen.count(k)}
        rows.append(
            f"| {name} {start}..{end} | {total} | {rule} | "
            + ", ".join(f"{k} {v}" for k, v in picks.items())
            + f" | {rate_served:.1%} | {best_base} {rate[best_base]:.1%} | "
            f"{rate_served / rate[best_base]:.2f}x | "
            f"{diff.sum() / total:+.1%} [{lo:+.1%}, {hi:+.1%}] | "
            + ", ".join(f"{k} {rate[k]:.1%}" for k in labels)
            + f" | {knox} | {spent:.0f} |"
        )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT)
    ap.add_argument("--methods", default="retro,prospective,blend",
                    help="models competing with the counts (boosted, etas are slower)")
    ap.add_argument("--periods", default=",".join(f"{a}:{b}" for a, b in PERIODS),
                    help="start:end,start:end (dates, inclusive)")
    ap.add_argument("--margins", default="0.5",
                    help="paired-t margins to replay beside the previous rule")
    ap.add_argument("--categories", default="BURGLARY,all",
                    help="primary_type values, 'all' for every category")
    args = ap.parse_args()
    cats = [None if c == "all" else c for c in args.categories.split(",") if c]
    stats = StatsSettings()
    methods = [m for m in args.methods.split(",") if m]
    started = time.perf_counter()
    events = load_events(args.data, Columns("occurred_at", "lon", "lat", "primary_type"),
                         cell_m=stats.cell_m, since="2015-06-01")
    print(f"loaded {events.size} incidents in {time.perf_counter() - started:.0f} s; "
          f"select_days {stats.select_days}, coverage {stats.coverage:.0%}, "
          f"cells {stats.cell_m:g} m, models {', '.join(methods)}")
    margins = [float(z) for z in args.margins.split(",") if z]
    periods = [tuple(p.split(":")) for p in args.periods.split(",") if p]
    print("| period | incidents | rule | days served by each method | served hit@5% | "
          "best count in hindsight | served / best count | served - best count [95% paired "
          "interval over days] | every candidate over the period | "
          "Knox near repeats at the start | backtest s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for start, end in periods:
        for category in cats:
            for row in run(events, category, start, end, stats, methods, margins):
                print(row, flush=True)


if __name__ == "__main__":
    main()
