"""What 布控 costs ingest: validated batches with 10,000 plates on watch against none.

The same batches go through the ingest path twice, in one run: the row
checks (`ingest.check`, with the writer's memory of earlier batches) and the
durable append (`Dataset.append`), then, the second time, also the watch
check (`watchlist.check_batch`: the active watches read from the database,
the batch's plates and their OCR-confusion forms tested for membership, a
hit row and a `watch.hit` event per match, committed). Rows per second
side by side; the watch check must not halve ingest.

Usage:
    .venv/bin/python benchmarks/bench_watchlist.py --rows 2000000 --batch 500000
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from yanyun.core.clock import FrozenClock  # noqa: E402
from yanyun.core.db import build_runtime, session_scope  # noqa: E402
from yanyun.core.ids import new_id  # noqa: E402
from yanyun.core.migrate import upgrade  # noqa: E402
from yanyun.intel import ingest as checks  # noqa: E402
from yanyun.intel import watchlist  # noqa: E402
from yanyun.intel.camera_book import CameraBook  # noqa: E402
from yanyun.intel.generator import SightingGenerator  # noqa: E402
from yanyun.intel.models import WatchEntry  # noqa: E402
from yanyun.intel.plates import canonical  # noqa: E402
from yanyun.intel.pool import SIGHTINGS, Dataset  # noqa: E402
from yanyun.registry import load_settings  # noqa: E402

START = datetime(2026, 11, 2, tzinfo=UTC)


def city(cameras: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    codes = np.array([f"C{i:07d}" for i in range(cameras)])
    return codes, 112.4 + rng.random(cameras) * 0.5, 26.7 + rng.random(cameras) * 0.4


def batches(rows: int, batch: int, plates: int, cameras: int, seed: int) -> list[pa.Table]:
    """One batch a day, as a city's cameras send them."""
    codes, lng, lat = city(cameras, seed)
    gen = SightingGenerator(camera_codes=codes, lng=lng, lat=lat, plates=plates, seed=seed)
    out, made, day = [], 0, 0
    while made < rows:
        table = gen.day((START + timedelta(days=day)).date(), rows=min(batch, rows - made))
        out.append(table)
        made += table.num_rows
        day += 1
    return out


def run(tables: list[pa.Table], book: CameraBook, lake: Path, runtime, clock,
        watch: bool) -> tuple[float, int]:
    dataset = Dataset(lake, SIGHTINGS, row_group_rows=131_072)
    recent = checks.RecentSightings(24 * 3_600_000)
    hits = 0
    started = time.perf_counter()
    for n, table in enumerate(tables):
        now_ms = int((START + timedelta(days=n + 1, hours=1)).timestamp() * 1000)
        recent.advance(now_ms)
        checked = checks.check(table, cameras=book, now_ms=now_ms, future_tolerance_ms=300_000,
                               max_speed_kmh=250, recent=recent)
        accepted = checked.accepted.append_column(
            "batch_id", pa.repeat(f"b{n}", checked.accepted.num_rows))
        dataset.append(accepted, batch_id=f"b{n}", presorted=True, received_ms=now_ms)
        recent.add(checked.seen)
        if watch:
            with session_scope(runtime) as session:
                hits += watchlist.check_batch(session=session, clock=clock,
                                              accepted=checked.accepted)
    return time.perf_counter() - started, hits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--batch", type=int, default=500_000)
    parser.add_argument("--watches", type=int, default=10_000)
    parser.add_argument("--plates", type=int, default=200_000)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="yanyun-watch-"))
    url = f"sqlite:///{tmp / 'watch.db'}"
    upgrade(url)
    clock = FrozenClock(START + timedelta(days=40))
    runtime = build_runtime(load_settings(database_url=url, env="test",
                                          secret_key="bench-secret-not-placeholder"),
                            clock=clock)
    tables = batches(args.rows, args.batch, args.plates, 20_000, seed=7)
    seen = sorted({p for t in tables for p in t.column("plate").unique().to_pylist()})
    rng = random.Random(3)
    # A few watched plates pass the cameras; most watches are for plates never seen.
    watched = rng.sample(seen, 50) + [f"湘A{rng.randrange(10**5):05d}"
                                      for _ in range(args.watches - 50)]
    with session_scope(runtime) as session:
        session.execute(WatchEntry.__table__.insert(), [dict(
            id=new_id(clock), plate=p, canonical=canonical(p), case_number="AJ20261101-0001",
            reason="bench", org_path="4304", status="active", requested_by="a",
            requested_at=clock.now(), decided_by="b", decided_at=clock.now(),
            expires_at=clock.now() + timedelta(days=30)) for p in watched])
    rows = sum(t.num_rows for t in tables)
    codes, lng, lat = city(20_000, 7)
    book = CameraBook(codes=pa.array(codes), installed_ms=np.zeros(len(codes), np.int64),
                             lng=lng, lat=lat)
    plain_s, _ = run(tables, book, tmp / "lake-plain", runtime, clock, watch=False)
    watched_s, hits = run(tables, book, tmp / "lake-watch", runtime, clock, watch=True)
    print(f"{rows:,} rows in {len(tables)} batches; {args.watches:,} plates on watch "
          f"({hits:,} hits raised)")
    print("| ingest path | seconds | rows/s |")
    print("|---|---|---|")
    print(f"| check + append, no watch check | {plain_s:.2f} | {rows / plain_s:,.0f} |")
    print(f"| check + append + watch check ({args.watches:,} watches) | {watched_s:.2f} | "
          f"{rows / watched_s:,.0f} |")
    print(f"watch check costs {100 * (watched_s - plain_s) / plain_s:.1f} % of ingest time")


if __name__ == "__main__":
    main()
