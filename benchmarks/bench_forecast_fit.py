"""Fit and forecast times of every forecast method on a year of Chicago incidents.

Each method forecasts one day (2017-10-02) from the incidents before it,
as in the backtest: the first call fits (ETAS, boosted), the second call,
for the next day, reuses the fit. Wall-clock and CPU seconds side by side:
on a shared machine the CPU figure is what an idle core would take.

Data: ../shared/data/chicago/incidents_2014_2018.parquet (City of Chicago
data portal, "Crimes - 2001 to present"), read in place, never copied.

Run: .venv/bin/python benchmarks/bench_forecast_fit.py [--data FILE] [--category BURGLARY]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from yanyun.stats.forecast import make
from yanyun.stats.selection import choose
from yanyun.stats.service import history_span
from yanyun.stats.settings import StatsSettings
from yanyun.stats.source import load_events

PARAMS = {
    "counts": {"window_days": 365},
    "retro": {"window_days": 365, "bandwidth_m": 300.0},
    "prospective": {"window_days": 112, "bandwidth_m": 150.0},
    "etas": {"train_days": 365},
    "boosted": {},
    "blend": {},
}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--data", type=Path, default=Path("../shared/data/chicago/incidents_2014_2018.parquet")
    )
    parser.add_argument("--category", action="append", default=None)
    parser.add_argument("--day", default="2017-10-02")
    parser.add_argument("--etas-cutoff-m", type=float, default=500.0)
    parser.add_argument("--etas-cutoff-days", type=float, default=60.0)
    args = parser.parse_args()
    if not args.data.exists():
        print(f"skipped: {args.data} absent (see ../shared/data/README.md)")
        return 0
    t0 = time.perf_counter()
    events = load_events(args.data)
    load_s = time.perf_counter() - t0
    scored = events.of_categories(args.category)
    if args.category:
        scored = scored.with_context(events)
    day = events.day_index(args.day)
    year = scored.until(day)
    n_year = year.size - year.before(day - 365)
    print(
        f"{', '.join(args.category or ['all crime'])}: {n_year} incidents in the year before "
        f"{args.day}; raster {events.grid.nx} x {events.grid.ny} = {events.grid.n_cells} cells "
        f"of 150 m; load {load_s:.1f} s"
    )
    print("| method | first forecast (fit + forecast) wall s | CPU s | next day wall s | CPU s |")
    print("|---|---|---|---|---|")
    for name, params in PARAMS.items():
        if name == "etas":
            params = {
                **params, "cutoff_m": args.etas_cutoff_m, "cutoff_days": args.etas_cutoff_days
            }
        method = make(name, **params)
        row = []
        for d in (day, day + 1):
            w, c = time.perf_counter(), time.process_time()
            method.forecast(scored.until(d), d)
            row += [time.perf_counter() - w, time.process_time() - c]
        print(f"| {name} | {row[0]:.2f} | {row[1]:.2f} | {row[2]:.3f} | {row[3]:.3f} |")
    # the daily product's choice: the default candidates over the select_days before the day,
    # from the history the product reads
    stats = StatsSettings(select_methods=["retro", "prospective", "blend"])
    span = scored.until(day)
    span = span.subset(span.t >= day - history_span(stats))
    w, c = time.perf_counter(), time.process_time()
    sel = choose(span, day, stats)
    print(
        f"choose ({', '.join(stats.select_methods)} and the counts, {stats.select_days} days, "
        f"{span.size} incidents read): {time.perf_counter() - w:.1f} s wall, "
        f"{time.process_time() - c:.1f} s CPU; served {sel.label if sel else None}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
