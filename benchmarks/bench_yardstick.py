"""Benchmark the yardstick over two years of a real city's volume: figures against a recount.

The full demo city (202 stations) gets two years of past incidents at about
800 a day (the simulator's call model, seeded), its daily figures counted,
and then the yardstick for one month is read for the city and for every
station, each compared with the same month a year before and the month
before (the /kpi view), two ways in the same run:

- figures: `yardstick.measure.read` over the daily figures (kpi_daily);
- recount: the same counts and shares computed from the incident rows with
  SQL aggregates over the same windows (the alternative a user would pick:
  no derived table, an index on received_at and station).

The recount covers what SQL can count portably (the five count indicators
and the dispatch-breach share); the two ways are checked equal before any
timing is printed. Both run on SQLite (a file) and, when it answers,
PostgreSQL (--pg-url), each with a fresh database.

Run: python benchmarks/bench_yardstick.py --days 730 --per-day 800 --month 2026-10
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import case, func, select, text

from yanyun.auth.permissions import permissions_of
from yanyun.auth.service import Actor
from yanyun.command.catalogue import load_catalogue
from yanyun.command.models import Incident
from yanyun.core.clock import SHANGHAI, FrozenClock
from yanyun.core.db import build_runtime, session_scope
from yanyun.core.migrate import upgrade
from yanyun.geo import service as geo_service
from yanyun.geo.models import Station
from yanyun.registry import load_settings
from yanyun.sim.history import ensure_history
from yanyun.yardstick import aggregates, measure, periods
from yanyun.yardstick.definitions import load_yardstick
from yanyun.yardstick.periods import year_before

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)
EVERYONE = Actor(user_id="bench", username="bench", roles=("admin",), org_code="", org_path="",
                 permissions=permissions_of(["admin"]))
RECOUNTED = ("street_crime", "public_order", "criminal", "traffic_accidents", "traffic_injury",
             "dispatch_breach")


def _build(url: str, days: int, per_day: float, seed: int) -> tuple[object, dict]:
    clock = FrozenClock(NOW)
    upgrade(url)
    settings = load_settings().model_copy(update={"database_url": url})
    runtime = build_runtime(settings, clock=clock)
    built = {}
    started = time.perf_counter()
    with session_scope(runtime) as session:
        geo_service.build_city(session=session, clock=clock, city=settings.city)
    with session_scope(runtime) as session:
        built["incidents"] = ensure_history(session=session, clock=clock, seed=seed, days=days,
                                            calls_per_day=per_day)
    built["history_s"] = time.perf_counter() - started
    started = time.perf_counter()
    with session_scope(runtime) as session:
        first, last = session.execute(
            select(func.min(Incident.received_at), func.max(Incident.received_at))).one()
        built["figure_rows"] = aggregates.rebuild(
            session, first.astimezone(SHANGHAI).date(), last.astimezone(SHANGHAI).date())
    built["figures_build_s"] = time.perf_counter() - started
    return runtime, built


def _recount(session, indicator, first: date, last: date, station: str | None):
    start, end = aggregates.day_bounds(first, last)
    where = [Incident.received_at >= start, Incident.received_at < end,
             Incident.merged_into_id.is_(None)]
    if station:
        where.append(Incident.station_code == station)
    if indicator.counts_incidents:
        where.append(Incident.category_code.in_(indicator.categories)
                     | Incident.sub_code.in_(indicator.subs))
        return float(session.scalar(select(func.count()).where(*where)) or 0)
    breached = func.sum(case((Incident.dispatch_breached.is_(True), 1), else_=0))
    num, den = session.execute(select(breached, func.count()).where(*where)).one()
    return (float(num or 0) / den) if den else None


def _windows(month: str) -> list[tuple[date, date]]:
    first, last = periods.month_span(month)
    prev_last = first.fromordinal(first.toordinal() - 1)
    prev_first = prev_last.fromordinal(prev_last.toordinal() - (last - first).days)
    return [(first, last), (year_before(first), year_before(last)),
            (prev_first, prev_last)]


def _timed(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def run(url: str, args: argparse.Namespace) -> dict:
    runtime, built = _build(url, args.days, args.per_day, args.seed)
    yardstick = load_yardstick(load_catalogue())
    first, last = periods.month_span(args.month)
    with session_scope(runtime) as session:
        stations = [s.code for s in session.scalars(select(Station).order_by(Station.code))]
        places = [measure.place_of(session, None)] + [measure.place_of(session, s)
                                                      for s in stations]

        def figure_value(ind_id: str, place: measure.Place, a: date, b: date, cache: dict):
            indicator = yardstick.get(ind_id)
            parts = measure.sums_by(session, EVERYONE, indicator, place, a, b, "unit", cache)
            return measure.value_of(indicator, measure._total(parts))

        def same_numbers(by_figures: bool, chosen: list) -> dict:
            out = {}
            for p in chosen:
                cache: dict = {}  # as the view reads: one grouped read per window
                out[p.code] = {
                    ind_id: tuple(
                        figure_value(ind_id, p, a, b, cache) if by_figures
                        else _recount(session, yardstick.get(ind_id), a, b, p.code)
                        for a, b in _windows(args.month))
                    for ind_id in RECOUNTED
                }
            return out

        city_fig_s, _ = _timed(lambda: same_numbers(True, places[:1]), args.repeat)
        city_re_s, _ = _timed(lambda: same_numbers(False, places[:1]), args.repeat)
        all_fig_s, figures = _timed(lambda: same_numbers(True, places), 1)
        all_re_s, recount = _timed(lambda: same_numbers(False, places), 1)
        view_s, _ = _timed(lambda: measure.read(session, EVERYONE, yardstick, places[0],
                                                first, last), args.repeat)
        for code, values in recount.items():
            for ind_id, want in values.items():
                have = figures[code][ind_id]
                for w, h in zip(want, have, strict=True):
                    assert (w is None and h is None) or abs((w or 0) - (h or 0)) < 1e-9, (
                        code, ind_id, want, have)
        figure_rows = session.scalar(select(func.count()).select_from(text("kpi_daily")))
    runtime.engine.dispose()
    return {**built, "figure_rows_total": figure_rows, "stations": len(stations),
            "city_figures_s": city_fig_s, "city_recount_s": city_re_s,
            "all_figures_s": all_fig_s, "all_recount_s": all_re_s,
            "city_full_view_s": view_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--per-day", type=float, default=800.0)
    parser.add_argument("--month", default="2026-10")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["SQLite"] = run(f"sqlite:///{Path(tmp) / 'yardstick.db'}", args)
    if args.pg_url:
        results["PostgreSQL"] = _on_fresh_pg(args)
    print(f"--days {args.days} --per-day {args.per_day:g}; month {args.month}; "
          f"the city and every station, each with a year before and the month before")
    keys = ["incidents", "history_s", "figure_rows", "figures_build_s", "stations",
            "city_figures_s", "city_recount_s", "all_figures_s", "all_recount_s",
            "city_full_view_s"]
    print(f"{'':28}" + "".join(f"{name:>16}" for name in results))
    for key in keys:
        cells = []
        for r in results.values():
            v = r[key]
            cells.append(f"{v:>16,.3f}" if isinstance(v, float) else f"{v:>16,}")
        print(f"{key:28}" + "".join(cells))
    for name, r in results.items():
        print(f"{name}: the same {len(RECOUNTED)} indicators x 3 windows, recount / figures: "
              f"city {r['city_recount_s'] / r['city_figures_s']:.1f}x, city + every station "
              f"{r['all_recount_s'] / r['all_figures_s']:.1f}x; the whole /kpi view of the city "
              f"(all indicators, 12 months, units ranked) {r['city_full_view_s']:.3f} s")


def _on_fresh_pg(args: argparse.Namespace) -> dict:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    base = make_url(args.pg_url)
    name = "bench_yardstick"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    try:
        return run(base.set(database=name).render_as_string(hide_password=False), args)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


if __name__ == "__main__":
    main()
