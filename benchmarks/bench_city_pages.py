"""Benchmark every page's first data at a real city's scale, per-request beside products of the day.

A prefecture city handles about 800 incidents a day. This builds, with the
project's own demo builders (`yanyun demo --no-serve --no-live --history-days
N --history-per-day 800`), a quarter and a year of them, once (kept under
--dir, or in PostgreSQL schemas of the `test` database with --backend
postgresql), and times through FastAPI's TestClient (no network; no jobs run
behind the calls) the first JSON each page loads:

- wall: GET /api/v1/dashboard/day (admin)
- console: GET /api/v1/incidents?open_only=true&limit=500 and /api/v1/units?limit=200
  (dispatcher)
- work list: GET /api/v1/oversight/worklist (supervisor)
- forecast: GET /api/v1/forecast/next-day (analyst, the city; chief, one station)
- tidal: GET /api/v1/duty/tidal (duty manager, the city)

The forecast and tidal rows are timed three ways in the same run: "before",
the per-request path the routes took until now (mounted here beside the
app's routes: the forecast computed from the incidents on each call with its
score kept per day, the tidal plan kept per process and checked against a
count of incidents on each call); "after, job ran", the routes as they are,
once the day's products were made by the jobs (how a day runs); and "after,
none stored", the first call of a day whose product no job made yet (it
computes once). "first" is the first call in a fresh app (nothing in any
process cache); the others are medians and p95 of `--rounds` rounds of
`--calls` calls each.

    PYTHONPATH=src python benchmarks/bench_city_pages.py [--days 90 365] \
        [--backend sqlite|postgresql] [--dir /tmp/yanyun-city]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Query
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, delete, func, select, text
from sqlalchemy.engine import make_url

from yanyun.auth.deps import require
from yanyun.auth.permissions import Perm
from yanyun.auth.service import Actor
from yanyun.core.clock import SHANGHAI
from yanyun.core.http import ClockDep, SessionDep, SettingsDep
from yanyun.geo.api import IndexDep
from yanyun.stats import service
from yanyun.tidal import service as tidal_service

PG_URL = os.environ.get("YANYUN_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PASSWORDS = {
    "admin": "yanyun-admin-2026", "dispatcher": "yanyun-dispatch-2026",
    "supervisor": "yanyun-supervisor-2026", "analyst": "yanyun-analyst-2026",
    "chief": "yanyun-chief-2026", "duty": "yanyun-duty-2026",
}


def database_url(backend: str, days: int, per_day: int, root: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{root / f'd{days}x{per_day}' / 'yanyun.db'}"
    schema = f"yanyun_city_{days}x{per_day}"
    url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def ensure_built(url: str, days: int, per_day: int, root: Path) -> Path:
    """Build the city with `days` of `per_day` incidents once; later runs reuse it."""
    lake = root / f"d{days}x{per_day}" / "lake"
    lake.parent.mkdir(parents=True, exist_ok=True)
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        schema = parsed.query["options"].split("=", 1)[1]
        admin = create_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        admin.dispose()
    env = dict(os.environ, YANYUN_DATABASE_URL=url, YANYUN_LAKE_PATH=str(lake))
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "yanyun.cli.main", "demo", "--no-serve", "--no-live",
         "--history-days", str(days), "--history-per-day", str(per_day)],
        env=env, capture_output=True, text=True, check=True,
    )
    took = time.perf_counter() - started
    history = [line for line in out.stdout.splitlines() if "demo history" in line]
    print(f"built or found {url} in {took:.0f} s {history[0] if history else ''}", flush=True)
    return lake


def mount_before(app, runtime) -> None:
    """The per-request paths the forecast and tidal routes took before products of the day."""
    scores = service.ScoreCache()
    plans = tidal_service.PlanCache()

    @app.get("/bench/before/forecast")
    def forecast_before(
        session: SessionDep, clock: ClockDep, settings: SettingsDep, index: IndexDep,
        actor: Annotated[Actor, Depends(require(Perm.forecast_read))],
        category: Annotated[str | None, Query()] = None,
    ):
        return service.next_day_forecast(
            session=session, actor=actor, clock=clock, stats=settings.stats, category=category,
            grid_codes_of=service.grid_lookup(index), score_cache=scores,
        ).read

    @app.get("/bench/before/tidal")
    def tidal_before(
        session: SessionDep, clock: ClockDep, settings: SettingsDep,
        actor: Annotated[Actor, Depends(require(Perm.duty_read))],
    ):
        now = clock.now().astimezone(SHANGHAI)
        return tidal_service.plan_read(
            session=session, actor=actor, clock=clock, stats=settings.stats,
            duty=settings.duty, cache=plans, day=now.date(), hour=now.hour, demand=None,
        )


def fresh_client(url: str, lake: Path):
    from yanyun.registry import load_settings
    from yanyun.web.app import create_app

    settings = load_settings(database_url=url, lake_path=str(lake))
    app = create_app(settings, background=False)
    runtime = app.state.runtime
    mount_before(app, runtime)
    client = TestClient(app)
    tokens = {}
    for user, password in PASSWORDS.items():
        resp = client.post("/api/v1/auth/login", json={"username": user, "password": password})
        resp.raise_for_status()
        tokens[user] = {"Authorization": f"Bearer {resp.json()['access_token']}"}
    return client, runtime, tokens


def timed(client, path: str, headers) -> float:
    started = time.perf_counter()
    resp = client.get(path, headers=headers)
    took = (time.perf_counter() - started) * 1000
    resp.raise_for_status()
    return took


def rounds(client, path: str, headers, n_rounds: int, calls: int) -> tuple[float, float]:
    """Median and p95 over all calls of `n_rounds` rounds of `calls` calls."""
    times = [timed(client, path, headers) for _ in range(n_rounds * calls)]
    times.sort()
    return statistics.median(times), times[max(0, round(0.95 * len(times)) - 1)]


def forget_products(runtime) -> None:
    from yanyun.core.products import DailyProduct

    with runtime.session_factory() as session:
        session.execute(delete(DailyProduct))
        session.commit()


def outdated(runtime) -> None:
    from sqlalchemy import update

    from yanyun.core.products import DailyProduct

    with runtime.session_factory() as session:
        session.execute(update(DailyProduct).values(mark=-10**9))
        session.commit()


def run_jobs(runtime) -> tuple[float, float]:
    from yanyun.stats.jobs import daily_forecasts
    from yanyun.tidal.jobs import daily_plans

    started = time.perf_counter()
    daily_forecasts(runtime)
    mid = time.perf_counter()
    daily_plans(runtime)
    return (mid - started) * 1000, (time.perf_counter() - mid) * 1000


PLAIN = [
    ("wall /dashboard/day", "/api/v1/dashboard/day", "admin"),
    ("console open incidents", "/api/v1/incidents?open_only=true&limit=500", "dispatcher"),
    ("console units", "/api/v1/units?limit=200", "dispatcher"),
    ("worklist", "/api/v1/oversight/worklist?mine=false", "supervisor"),
]
PRODUCTS = [
    ("forecast next-day (city)", "/api/v1/forecast/next-day", "/bench/before/forecast",
     "analyst"),
    ("forecast next-day (station)", "/api/v1/forecast/next-day", "/bench/before/forecast",
     "chief"),
    ("tidal (city)", "/api/v1/duty/tidal", "/bench/before/tidal", "duty"),
]


def measure(url: str, lake: Path, n_rounds: int, calls: int, before_rounds: int) -> dict:
    from yanyun.command.models import Incident
    from yanyun.core.migrate import upgrade

    upgrade(url)
    out: dict = {}
    client, runtime, tokens = fresh_client(url, lake)
    with runtime.session_factory() as session:
        out["incidents"] = session.scalar(select(func.count()).select_from(Incident))
    for name, path, user in PLAIN:
        first = timed(client, path, tokens[user])
        out[name] = {"first": first, "rounds": rounds(client, path, tokens[user], n_rounds,
                                                      calls)}
    # before: the per-request paths, in a fresh app (empty process caches)
    for name, _, before, user in PRODUCTS:
        first = timed(client, before, tokens[user])
        out[name] = {"before_first": first,
                     "before": rounds(client, before, tokens[user], before_rounds, calls)}
    # after, none stored: the first call computes and stores the day's product once
    forget_products(runtime)
    client, runtime, tokens = fresh_client(url, lake)
    for name, path, _, user in PRODUCTS:
        out[name]["none_first"] = timed(client, path, tokens[user])
    # after, job ran: the jobs made the products (of the scopes read since yesterday)
    forget_products(runtime)
    client, runtime, tokens = fresh_client(url, lake)
    for _name, path, _, user in PRODUCTS:  # pages read once: the scopes the jobs then keep
        timed(client, path, tokens[user])
    outdated(runtime)  # as if the day's incidents had moved them all: the jobs make them anew
    out["job_ms"] = run_jobs(runtime)
    client, runtime, tokens = fresh_client(url, lake)
    for name, path, _, user in PRODUCTS:
        out[name]["after_first"] = timed(client, path, tokens[user])
        out[name]["after"] = rounds(client, path, tokens[user], n_rounds, calls)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, nargs="+", default=[90, 365])
    parser.add_argument("--per-day", type=int, default=800)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--dir", default="/tmp/yanyun-city")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--calls", type=int, default=10)
    parser.add_argument("--before-rounds", type=int, default=3,
                        help="Rounds of the per-request paths (seconds a call at a year)")
    args = parser.parse_args()
    root = Path(args.dir)
    results = {}
    for days in args.days:
        url = database_url(args.backend, days, args.per_day, root)
        lake = ensure_built(url, days, args.per_day, root)
        results[days] = measure(url, lake, args.rounds, args.calls, args.before_rounds)
        print(f"{days} d: {results[days]['incidents']} incidents; jobs: forecasts "
              f"{results[days]['job_ms'][0]:.0f} ms, tidal plans "
              f"{results[days]['job_ms'][1]:.0f} ms", flush=True)

    cols = " | ".join(f"{d} d x {args.per_day}" for d in args.days)
    print(f"\n{args.backend}; ms: first call, then median / p95 of {args.rounds} x "
          f"{args.calls} calls ({args.before_rounds} x {args.calls} before)\n")
    print(f"| first data a page loads | path | {cols} | ratio (last / first, median) |")
    print("|---|---|" + "---|" * len(args.days) + "---|")

    def cell(first: float, pair: tuple[float, float]) -> str:
        return f"{first:.0f}; {pair[0]:.1f} / {pair[1]:.1f}"

    def ratio(key: str, name: str) -> str:
        a, b = results[args.days[0]][name][key][0], results[args.days[-1]][name][key][0]
        return f"{b / a:.2f}" if a else "-"

    for name, _, _ in PLAIN:
        row = " | ".join(cell(results[d][name]["first"], results[d][name]["rounds"])
                         for d in args.days)
        print(f"| {name} | as is | {row} | {ratio('rounds', name)} |")
    for name, *_ in PRODUCTS:
        row = " | ".join(cell(results[d][name]["before_first"], results[d][name]["before"])
                         for d in args.days)
        print(f"| {name} | before: per request | {row} | {ratio('before', name)} |")
        row = " | ".join(cell(results[d][name]["after_first"], results[d][name]["after"])
                         for d in args.days)
        print(f"| {name} | after: job ran | {row} | {ratio('after', name)} |")
        row = " | ".join(f"{results[d][name]['none_first']:.0f}" for d in args.days)
        print(f"| {name} | after: none stored, first call | {row} | - |")


if __name__ == "__main__":
    main()
