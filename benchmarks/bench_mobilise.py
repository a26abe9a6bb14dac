"""Benchmark 一呼百应 selection: the nearest available volunteers with a skill, among 121,000.

The demo city (202 stations, 4,882 grids) and its community (121,000
volunteers from `community.demo.build_community`) are built into a SQLite
file (reused when it already holds them). Each query is a call at a random
grid centre (urban grids four times as likely) for 10 volunteers, asking for
no skill (50 %), first aid (30 %) or mediation (20 %), within 5 km. Methods,
each timed per query with time.perf_counter_ns in the same run:

- `VolunteerIndex.select` (the production path: numpy over in-memory arrays);
- a naive SQL scan: every available volunteer with the skills read from the
  table, distance computed per row in Python, sorted, first 10;
- SQL with a bounding-box prefilter (WHERE lat/lng BETWEEN, on no spatial
  index), then the same distance and sort.

Every method must return the same ids (ties broken by distance) on every
query before a figure is printed. Building the index from the table is timed
separately (it is paid once per process and every --ttl seconds after).

The naive scan is timed on the first --slow-queries calls only.

Run: python benchmarks/bench_mobilise.py --queries 200 --slow-queries 30 --seed 1
"""

from __future__ import annotations

import argparse
import math
import platform
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from sqlalchemy import func, select, text

from yanyun.community.demo import CommunitySpec, build_community
from yanyun.community.models import Volunteer
from yanyun.community.selection import skills_mask
from yanyun.community.volunteers import load_index
from yanyun.core.db import build_runtime, session_scope
from yanyun.core.migrate import upgrade
from yanyun.geo import service as geo_service
from yanyun.geo.coords import distance_m
from yanyun.geo.models import Grid
from yanyun.registry import load_settings

HEADCOUNT = 10
RADIUS_M = 5000.0


def _build(path: Path, volunteers: int):
    url = f"sqlite:///{path}"
    settings = load_settings(database_url=url)
    upgrade(url)
    runtime = build_runtime(settings)
    started = time.perf_counter()
    with session_scope(runtime, actor_username="system") as session:
        geo_service.build_city(session=session, clock=runtime.clock, city=settings.city)
    with session_scope(runtime, actor_username="system") as session:
        report = build_community(session=session, clock=runtime.clock, seed=settings.city.seed,
                                 spec=CommunitySpec(volunteers=volunteers))
    return runtime, report, time.perf_counter() - started


def _naive(session, lng, lat, mask):
    rows = session.execute(text(
        "SELECT id, lng, lat FROM volunteer WHERE available = 1 "
        "AND (skills_mask & :m) = :m"), {"m": mask}).all()
    return _rank(rows, lng, lat)


def _bbox(session, lng, lat, mask):
    dlat = RADIUS_M / 111_320.0
    dlng = dlat / math.cos(math.radians(lat))
    rows = session.execute(text(
        "SELECT id, lng, lat FROM volunteer WHERE available = 1 AND (skills_mask & :m) = :m "
        "AND lat BETWEEN :a AND :b AND lng BETWEEN :c AND :d"),
        {"m": mask, "a": lat - dlat, "b": lat + dlat, "c": lng - dlng, "d": lng + dlng}).all()
    return _rank(rows, lng, lat)


def _rank(rows, lng, lat):
    scored = [(distance_m((r.lng, r.lat), (lng, lat)), r.id) for r in rows]
    return [vid for d, vid in sorted(scored) if d <= RADIUS_M][:HEADCOUNT]


def _time(fn, queries):
    out, times = [], []
    for q in queries:
        t = time.perf_counter_ns()
        out.append(fn(*q))
        times.append((time.perf_counter_ns() - t) / 1e6)
    return out, times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--slow-queries", type=int, default=30,
                        help="calls the naive SQL scan is timed on (the first ones)")
    parser.add_argument("--volunteers", type=int, default=121_000)
    parser.add_argument("--db", type=Path, default=Path("var/bench_mobilise.db"))
    args = parser.parse_args(argv)
    args.db.parent.mkdir(parents=True, exist_ok=True)

    runtime, report, build_s = _build(args.db, args.volunteers)
    print(f"city + community {'built' if report.built else 'reused'} in {build_s:.1f} s: "
          f"{report.volunteers:,} volunteers, {report.grid_teams:,} grid teams")
    rng = random.Random(args.seed)
    with session_scope(runtime) as session:
        total = session.scalar(select(func.count()).select_from(Volunteer))
        grids = session.execute(select(Grid.lng, Grid.lat, Grid.is_urban)).all()
        weights = [4.0 if g.is_urban else 1.0 for g in grids]
        queries = []
        for _ in range(args.queries):
            g = rng.choices(grids, weights=weights)[0]
            skills = rng.choices([[], ["first_aid"], ["mediation"]], weights=[5, 3, 2])[0]
            queries.append((g.lng, g.lat, skills_mask(skills)))

        t = time.perf_counter()
        index = load_index(session=session)
        index_s = time.perf_counter() - t

        def indexed(lng, lat, mask):
            found = index.select(lng=lng, lat=lat, required_mask=mask, radius_m=RADIUS_M,
                                 limit=HEADCOUNT)
            # Ties on ETA are ties on distance for one kind of traveller.
            return [c.volunteer_id for c in sorted(found, key=lambda c: (c.distance_m,
                                                                          c.volunteer_id))]

        indexed(*queries[0])  # warm-up: first numpy calls allocate
        results = {}
        timings = {}
        for name, fn in (("VolunteerIndex.select (numpy, in memory)", indexed),
                         ("naive SQL scan + Python distance", lambda *q: _naive(session, *q)),
                         ("SQL bbox prefilter + Python distance",
                          lambda *q: _bbox(session, *q))):
            subset = queries if name.startswith("Volunteer") or "bbox" in name else (
                queries[: args.slow_queries])
            results[name], timings[name] = _time(fn, subset)
    names = list(results)
    for other in names[1:]:
        for i, (a, b) in enumerate(zip(results[names[0]], results[other], strict=False)):
            if a != b:
                print(f"MISMATCH on query {i}: {names[0]} {a} vs {other} {b}", file=sys.stderr)
                return 1
    print(f"SQLite {runtime.engine.dialect.server_version_info}, numpy {np.__version__}, "
          f"CPython {platform.python_version()}; {total:,} volunteers, {args.queries} calls, "
          f"{HEADCOUNT} volunteers each within {RADIUS_M:.0f} m; all methods agree")
    print(f"index build from the table (once per process / TTL): {index_s * 1000:.0f} ms")
    base = statistics.median(timings[names[1]])
    print(f"| {'method':<42} | calls | median ms | p95 ms | max ms | speed-up vs naive |")
    print(f"|{'-' * 44}|-------|-----------|--------|--------|-------------------|")
    for name in names:
        ts = sorted(timings[name])
        med = statistics.median(ts)
        p95 = ts[int(0.95 * (len(ts) - 1))]
        print(f"| {name:<42} | {len(ts):5d} | {med:9.2f} | {p95:6.1f} | {ts[-1]:6.1f} | "
              f"{base / med:16.1f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
