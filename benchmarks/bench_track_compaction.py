"""Benchmark a day of units' tracks in the data pool: minute files against the compacted day.

A city's thousand units send a fix every 10 s: 8.64 million fixes a day,
appended to the pool's `unit_tracks` once a minute by the track spool (1,440
files a day). This writes --hours of that through the spool (the same
`TrackSpool.flush` the server runs, one append per minute), then times a
unit's track read (the same Parquet read with the unit and time filters
`field.tracks.unit_track` makes) over the minute files, compacts the day
with `field.tracks.track_upkeep`'s pool call, and times the same reads over
the one sorted file: files, bytes, read median and p95 side by side. Each
read is timed two ways: a Parquet read with filters over the day's files (what
the track route did first) and the pool's row-group index by unit and time
(`KeyIndex.lookup`, what it does now; footers read once per process).

    PYTHONPATH=src python benchmarks/bench_track_compaction.py --units 1000 --hours 24
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from yanyun.core.clock import SHANGHAI
from yanyun.field.tracks import TRACK_SCHEMA, TRACKS, TrackSpool
from yanyun.intel.pool import Dataset
from yanyun.intel.pool.key_index import KeyIndex

DAY = datetime(2026, 11, 2, tzinfo=SHANGHAI)  # the pool's days are Shanghai days
EVERY_S = 10


def _read_track(dataset: Dataset, unit: str, since: datetime, until: datetime) -> int:
    ms = (int(since.timestamp() * 1000), int(until.timestamp() * 1000))
    paths = dataset.paths(dataset.files(start_ms=ms[0], end_ms=ms[1]))
    stamp = pa.timestamp("ms", tz="UTC")
    table = pq.read_table(paths, schema=TRACK_SCHEMA, filters=[
        ("unit_id", "=", unit), ("at", ">=", pa.scalar(since, stamp)),
        ("at", "<", pa.scalar(until, stamp)),
    ])
    return table.num_rows


def _indexed(index: KeyIndex, unit: str, since: datetime, until: datetime) -> int:
    ms = (int(since.timestamp() * 1000), int(until.timestamp() * 1000))
    return index.lookup([unit], *ms)[0].num_rows


def _reads(dataset: Dataset, units: list[str], hours: int, n: int, seed: int,
           index: KeyIndex | None = None) -> list[float]:
    rng = random.Random(seed)
    took = []
    for _ in range(n):
        unit = rng.choice(units)
        start = DAY + timedelta(hours=rng.randrange(max(1, hours - 1)))
        started = time.perf_counter()
        if index is None:
            found = _read_track(dataset, unit, start, start + timedelta(hours=1))
        else:
            found = _indexed(index, unit, start, start + timedelta(hours=1))
        took.append((time.perf_counter() - started) * 1000)
        assert found == 3600 // EVERY_S, "a unit's hour has all its fixes"
    return took


def _size(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*.parquet"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--hours", type=int, default=24)
    parser.add_argument("--reads", type=int, default=30)
    args = parser.parse_args()
    units = [f"U{i:05d}" for i in range(args.units)]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "lake"
        spool = TrackSpool(Dataset(root, TRACKS))
        started = time.perf_counter()
        per_minute = 60 // EVERY_S
        for minute in range(args.hours * 60):
            at = DAY + timedelta(minutes=minute)
            spool.add([
                (u, at + timedelta(seconds=EVERY_S * k), 112.6 + i * 1e-5, 26.9)
                for k in range(per_minute) for i, u in enumerate(units)
            ])
            spool.flush()
        wrote = time.perf_counter() - started
        dataset = spool.dataset
        fixes = dataset.row_count()
        index = KeyIndex(dataset)
        started = time.perf_counter()
        index.refresh()
        footers = time.perf_counter() - started
        before = (len(dataset.files()), _size(root),
                  _reads(dataset, units, args.hours, args.reads, 1),
                  _reads(dataset, units, args.hours, args.reads, 1, index))
        started = time.perf_counter()
        done = dataset.compact_finished_days(int((DAY + timedelta(days=1)).timestamp() * 1000))
        compacted = time.perf_counter() - started
        assert done == [DAY.date().isoformat()] and dataset.row_count() == fixes
        after = (len(dataset.files()), _size(root),
                 _reads(dataset, units, args.hours, args.reads, 1),
                 _reads(dataset, units, args.hours, args.reads, 1, index))
    print(f"{fixes:,} fixes of {args.units} units over {args.hours} h, appended in "
          f"{wrote:.1f} s ({fixes / wrote:,.0f}/s); day compacted in {compacted:.1f} s; "
          f"index over the minute files' footers built in {footers:.1f} s")
    print(f"{'':16} {'files':>6} {'MB':>6} | {'filtered read p50':>17} {'p95':>7} | "
          f"{'indexed read p50':>16} {'p95':>7}  (ms)")

    def cell(took: list[float]) -> str:
        took.sort()
        return (f"{statistics.median(took):>17.1f} "
                f"{took[max(0, round(0.95 * len(took)) - 1)]:>7.1f}")

    for name, (files, size, plain, indexed) in (("minute files", before),
                                                ("compacted day", after)):
        print(f"{name:16} {files:>6} {size / 1e6:>6.1f} | {cell(plain)} | {cell(indexed)[1:]}")


if __name__ == "__main__":
    main()
