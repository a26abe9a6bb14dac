"""Benchmark anti-fraud intake: half a year of warnings at the seed's rate, graded and routed.

The seeds: "今年上半年，成功预警电诈29.8万余起" (about 1,650 warnings a day for
one city). The full demo city (202 stations) takes --days of synthetic
warnings (the demo's own generator, seeded; said to be synthetic) in pushes
of --batch rows, as a provincial centre sends them. Each push is checked,
graded by the rule file, located to its district, station and grid, numbered,
stored with its deadlines and announced, in one transaction: when the push
returns, the warning is on its station's list. So the time from a warning
received to its task on the officer's list is the push's latency (median and
p95 reported), and a station's list is read after each push to prove it.

The alternative printed beside it is the same rows pushed one per request
(a centre without batching), for the first --single rows.

The figures here are for intake alone, in process (no HTTP). The same
intake while the city's other work goes on (dispatchers taking calls, the AVL
gateway's position batches, console, wall and work-list reads), over HTTP
against the real demo server, alone and under that load in one run, is
measured by bench_antifraud_city.py.

Run: python benchmarks/bench_antifraud.py --days 182 --per-day 1650 --batch 500
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select, text

from yanyun.antifraud import intake, service
from yanyun.antifraud.demo import synthetic_row
from yanyun.antifraud.grading import load_rules
from yanyun.antifraud.models import FraudWarning
from yanyun.auth.permissions import permissions_of
from yanyun.auth.service import Actor
from yanyun.core.clock import SHANGHAI, FrozenClock
from yanyun.core.db import build_runtime, session_scope
from yanyun.core.migrate import upgrade
from yanyun.geo import service as geo_service
from yanyun.geo.models import Grid
from yanyun.registry import load_settings

START = datetime(2026, 1, 1, 0, 0, tzinfo=SHANGHAI)
EVERYONE = Actor(user_id="bench", username="bench", roles=("admin",), org_code="", org_path="",
                 permissions=permissions_of(["admin"]))


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _rows(grids: list, days: int, per_day: float, seed: int):
    rng = random.Random(seed)
    total = int(days * per_day)
    step = timedelta(days=days) / max(total, 1)
    for n in range(total):
        at = START + step * n
        yield at, synthetic_row(rng, rng.choice(grids), at, n)


def run(url: str, args: argparse.Namespace) -> dict:
    upgrade(url)
    settings = load_settings().model_copy(update={"database_url": url})
    clock = FrozenClock(START)
    runtime = build_runtime(settings, clock=clock)
    with session_scope(runtime) as session:
        geo_service.build_city(session=session, clock=clock, city=settings.city)
    with session_scope(runtime) as session:
        index = geo_service.load_index(session=session)
        grids = list(session.scalars(select(Grid).where(Grid.is_urban.is_(True))))
    rules = load_rules(settings.antifraud.rules_path)
    latencies, list_reads, accepted = [], [], 0
    batch: list[dict] = []
    single = []
    started = time.perf_counter()

    def push(rows: list[dict], at: datetime, record: list[float]) -> None:
        nonlocal accepted
        clock.set(at + timedelta(seconds=1))
        began = time.perf_counter()
        with session_scope(runtime) as session:
            result = intake.ingest(session=session, clock=clock, index=index, rules=rules,
                                   settings=settings.antifraud, source="provincial", rows=rows)
        record.append(time.perf_counter() - began)
        accepted += result.accepted

    for n, (at, row) in enumerate(_rows(grids, args.days, args.per_day, args.seed)):
        if n < args.single:
            push([row], at, single)
            continue
        batch.append(row)
        if len(batch) == args.batch:
            push(batch, at, latencies)
            batch = []
            if len(latencies) % 20 == 0:  # the officer's list, read as the desk does
                began = time.perf_counter()
                with session_scope(runtime) as session:
                    last = session.scalar(select(FraudWarning).order_by(
                        FraudWarning.received_at.desc()).limit(1))
                    listed = service.list_warnings(session=session, actor=EVERYONE,
                                                   station_code=last.station_code)
                    assert any(w.id == last.id for w in listed), "not on its station's list"
                list_reads.append(time.perf_counter() - began)
    if batch:
        push(batch, START + timedelta(days=args.days), latencies)
    wall = time.perf_counter() - started
    with session_scope(runtime) as session:
        stored = session.scalar(text("select count(*) from antifraud_warning"))
    runtime.engine.dispose()
    batched = sum(latencies)
    return {
        "warnings stored": stored,
        "accepted": accepted,
        "wall s": wall,
        "batched warnings/s": (accepted - len(single)) / batched if batched else 0.0,
        f"push of {args.batch}: p50 s": statistics.median(latencies),
        f"push of {args.batch}: p95 s": _pct(latencies, 0.95),
        "one per request: warnings/s": len(single) / sum(single) if single else 0.0,
        "one per request: p50 s": statistics.median(single) if single else 0.0,
        "station list read p50 s": statistics.median(list_reads) if list_reads else 0.0,
    }


def _fresh_pg(base_url: str) -> tuple[str, object]:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    base = make_url(base_url)
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS bench_antifraud"))
        conn.execute(text("CREATE DATABASE bench_antifraud"))
    return base.set(database="bench_antifraud").render_as_string(hide_password=False), admin


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=182)
    parser.add_argument("--per-day", type=float, default=1650.0)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--single", type=int, default=500)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--no-sqlite", action="store_true",
                        help="PostgreSQL only (a half-year on each takes minutes)")
    args = parser.parse_args()
    results = {}
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            results["SQLite"] = run(f"sqlite:///{Path(tmp) / 'antifraud.db'}", args)
    if args.pg_url:
        url, admin = _fresh_pg(args.pg_url)
        try:
            results["PostgreSQL"] = run(url, args)
        finally:
            with admin.connect() as conn:
                conn.execute(text("DROP DATABASE IF EXISTS bench_antifraud WITH (FORCE)"))
    print(f"--days {args.days} --per-day {args.per_day:g} --batch {args.batch} "
          f"(the first {args.single} pushed one per request)")
    print(f"{'':34}" + "".join(f"{name:>14}" for name in results))
    for key in next(iter(results.values())):
        cells = "".join(f"{r[key]:>14,.3f}" if isinstance(r[key], float) else f"{r[key]:>14,}"
                        for r in results.values())
        print(f"{key:34}{cells}")


if __name__ == "__main__":
    main()
