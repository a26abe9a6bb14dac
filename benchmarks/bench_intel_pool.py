"""Benchmark the data pool: ingest rows/s and a plate's one-year trajectory.

One synthetic year of sightings (SightingGenerator: 20,000 cameras, commuting
and roaming plates, daily rhythm), the same rows loaded three ways, same run:

- yanyun's pool: day partitions appended through the single writer (sorted by
  plate, zstd, 4,096-row groups, fsync of file, folder and manifest), closed
  months then sealed into plate-sorted month files; lookups go through the
  in-memory plate -> row-group index (KeyIndex) and DuckDB (DuckDBEngine);
- DuckDB over the same rows unsorted (one Parquet file per day as generated,
  default row groups), `read_parquet(glob)` with the same WHERE;
- PostgreSQL: COPY (CSV) into a table with a B-tree index on (plate, seen_at)
  created before the load, then the same query through the index.

Ingest is timed for the pool (append only, and check + append as the API does
it on a sample of days) and for PostgreSQL COPY. The trajectory query is one
plate over the whole year, timed per plate (median and p95 over --queries
plates: half commuters, half random), warm (the second run of each plate).
Fuzzy search is timed on the pool (DuckDB over the sealed files) on a few
plates.

Run: python benchmarks/bench_intel_pool.py --rows 100000000 --pg-rows 100000000
Data goes to --data (default /work/bench-data/intel), which it wipes first.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import shutil
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from yanyun.intel import ingest as checks
from yanyun.intel.engines import DuckDBEngine, PlateQuery
from yanyun.intel.generator import SightingGenerator
from yanyun.intel.plates import fuzzy_candidates
from yanyun.intel.pool import SIGHTINGS, Dataset, KeyIndex, day_start_ms

PG_URL = os.environ.get("YANYUN_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")


def fmt(n: float) -> str:
    return f"{n:,.0f}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000_000, help="sightings in the year")
    ap.add_argument("--pg-rows", type=int, default=None, help="rows loaded into PostgreSQL")
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--cameras", type=int, default=20_000)
    ap.add_argument("--plates", type=int, default=None)
    ap.add_argument("--queries", type=int, default=40)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--data", type=Path, default=Path("/work/bench-data/intel"))
    ap.add_argument("--skip-pg", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the data afterwards")
    args = ap.parse_args()
    pg_rows = args.rows if args.pg_rows is None else args.pg_rows
    plates = args.plates or max(10_000, args.rows // 300)

    if args.data.exists():
        shutil.rmtree(args.data)
    args.data.mkdir(parents=True)
    rng = np.random.default_rng(args.seed)
    cam_codes = np.array([f"CAM{i:06d}" for i in range(1, args.cameras + 1)])
    lng = rng.uniform(112.45, 112.75, args.cameras)  # the size of Hengyang's centre
    lat = rng.uniform(26.80, 27.00, args.cameras)
    gen = SightingGenerator(
        camera_codes=cam_codes,
        lng=lng,
        lat=lat,
        plates=plates,
        seed=args.seed,
        commuter_share=0.05,
    )
    end_day = date(2026, 11, 22)
    days = [end_day - timedelta(days=i) for i in range(args.days - 1, -1, -1)]
    per_day = args.rows // args.days

    print(
        f"# bench_intel_pool  rows={args.rows:,} days={args.days} cameras={args.cameras:,} "
        f"plates={plates:,} pg_rows={pg_rows:,}"
    )
    print(
        f"# {platform.python_version()} pyarrow {pa.__version__} duckdb {duckdb.__version__} "
        f"on {os.cpu_count()} cores"
    )
    pool = Dataset(args.data / "pool", SIGHTINGS, row_group_rows=4096)
    unsorted_dir = args.data / "unsorted"
    unsorted_dir.mkdir()
    book = checks.CameraBook(
        codes=pa.array(cam_codes), installed_ms=np.zeros(args.cameras, np.int64), lng=lng, lat=lat
    )
    append_s = gen_s = 0.0
    total = 0
    checked_rows = 0
    checked_s = 0.0
    for n, day in enumerate(days):
        t0 = time.perf_counter()
        table = gen.day(day, rows=per_day)
        gen_s += time.perf_counter() - t0
        pq.write_table(table, unsorted_dir / f"{day.isoformat()}.parquet", compression="zstd")
        if n % 30 == 0:  # the API's path: validate then append, on a sample of days
            raw = table.select(["plate", "camera", "seen_at", "kind"])
            t0 = time.perf_counter()
            result = checks.check(
                raw, cameras=book, now_ms=2**62, future_tolerance_ms=0, max_speed_kmh=250
            )
            accepted = result.accepted.append_column(
                "batch_id", pa.array([f"b{n}"] * result.accepted.num_rows, pa.string())
            )
            pool.append(accepted, batch_id=f"day-{day.isoformat()}")
            checked_s += time.perf_counter() - t0
            checked_rows += table.num_rows
        else:
            t0 = time.perf_counter()
            pool.append(table, batch_id=f"day-{day.isoformat()}")
            append_s += time.perf_counter() - t0
        total += table.num_rows
    appended_rows = total - checked_rows
    print(f"generated {total:,} rows in {gen_s:.1f} s (not counted in ingest)")

    t0 = time.perf_counter()
    months = sorted({(d.year, d.month) for d in days})
    for y, m in months:  # the current month too, as the nightly job re-seals it
        pool.seal_month(y, m)
    seal_s = time.perf_counter() - t0
    pool_bytes = sum(p.stat().st_size for p in (args.data / "pool").rglob("*.parquet"))
    unsorted_bytes = sum(p.stat().st_size for p in unsorted_dir.glob("*.parquet"))

    # --- PostgreSQL COPY into an indexed table --------------------------------
    pg = None
    pg_copy_s = pg_index_bytes = pg_table_bytes = None
    if not args.skip_pg:
        pg = _pg_load(unsorted_dir, days, pg_rows)
        if pg is not None:
            pg_copy_s, pg_table_bytes, pg_index_bytes, pg_loaded = pg[1:]
            pg = pg[0]

    # --- queries ----------------------------------------------------------------
    year = PlateQuery(
        start_ms=day_start_ms(days[0]), end_ms=day_start_ms(end_day) + 86_400_000, plates=("",)
    )
    qrng = np.random.default_rng(args.seed + 7)
    commuters = [
        gen.commuter_plate(int(i))
        for i in qrng.choice(len(gen.commuters), args.queries // 2, replace=False)
    ]
    randoms = [
        str(gen.plates[int(i)])
        for i in qrng.choice(len(gen.plates), args.queries - len(commuters), replace=False)
    ]
    sample = commuters + randoms

    index = KeyIndex(pool)
    t0 = time.perf_counter()
    index.refresh()
    index_s = time.perf_counter() - t0
    engine = DuckDBEngine(pool, index)

    def q(plate: str) -> PlateQuery:
        return PlateQuery(start_ms=year.start_ms, end_ms=year.end_ms, plates=(plate,))

    def time_all(fn) -> tuple[list[float], list[int]]:
        times, counts = [], []
        for plate in sample:
            fn(plate)  # warm
            t0 = time.perf_counter()
            count = fn(plate)
            times.append((time.perf_counter() - t0) * 1000)
            counts.append(count)
        return times, counts

    groups: list[int] = []

    def pool_index_only(plate: str) -> int:
        rows, g = index.lookup(
            [plate],
            year.start_ms,
            year.end_ms,
            columns=["plate", "kind", "camera", "seen_at", "flags"],
        )
        groups.append(g)
        return rows.num_rows

    def pool_engine(plate: str) -> int:
        return engine.search(q(plate)).num_rows

    con = duckdb.connect()
    glob = str(unsorted_dir / "*.parquet")

    def duck_unsorted(plate: str) -> int:
        return len(
            con.execute(
                "SELECT plate, kind, camera, epoch_ms(seen_at), flags FROM read_parquet(?) "
                "WHERE plate = ? "
                "AND seen_at >= to_timestamp(?/1000.0) AND seen_at < to_timestamp(?/1000.0) "
                "ORDER BY seen_at",
                [glob, plate, year.start_ms, year.end_ms],
            ).fetchall()
        )

    results = {}
    results["pool (KeyIndex row groups only)"] = time_all(pool_index_only)
    results["pool via DuckDBEngine (production path)"] = time_all(pool_engine)
    duck_sample = sample[: max(4, len(sample) // 5)]
    saved = sample
    sample = duck_sample
    results["DuckDB over the same rows unsorted"] = time_all(duck_unsorted)
    sample = saved
    if pg is not None:
        cur = pg.cursor()
        start = datetime.fromtimestamp(year.start_ms / 1000, UTC)
        stop = datetime.fromtimestamp(year.end_ms / 1000, UTC)

        def pg_query(plate: str) -> int:
            cur.execute(
                "SELECT plate, kind, camera, seen_at, flags FROM bench_sightings "
                "WHERE plate = %s AND seen_at >= %s AND seen_at < %s ORDER BY seen_at",
                (plate, start, stop),
            )
            return len(cur.fetchall())

        results[f"PostgreSQL B-tree (plate, seen_at), {pg_loaded:,} rows"] = time_all(pg_query)

    # answers agree
    for plate in sample[:5]:
        a = pool_index_only(plate)
        b = duck_unsorted(plate)
        assert a == b, (plate, a, b)
        if pg is not None and pg_loaded == total:
            assert pg_query(plate) == a

    t0 = time.perf_counter()
    engine.vocabulary.refresh()
    vocabulary_s = time.perf_counter() - t0
    fuzzy_times = []
    fuzzy_scan_ms = None
    for n, plate in enumerate(commuters[:5]):
        variant = plate[:-1]  # one character missing
        fq = PlateQuery(start_ms=year.start_ms, end_ms=year.end_ms,
                        canonical=tuple(fuzzy_candidates(variant)))
        t0 = time.perf_counter()
        found = engine.search(fq)
        fuzzy_times.append((time.perf_counter() - t0) * 1000)
        assert plate in set(found.column("plate").to_pylist())
        if n == 0:
            t0 = time.perf_counter()
            scanned = engine.scan_fuzzy(fq)
            fuzzy_scan_ms = (time.perf_counter() - t0) * 1000
            assert scanned.num_rows == found.num_rows

    print()
    print("## ingest")
    print("| path | rows | seconds | rows/s |")
    print("|---|---|---|---|")
    print(
        f"| pool append (sort by plate, write, fsync, manifest) | {appended_rows:,} | "
        f"{append_s:.1f} | {fmt(appended_rows / append_s)} |"
    )
    print(
        f"| pool check + append (the API's path, 1 day in 30) | {checked_rows:,} | "
        f"{checked_s:.1f} | {fmt(checked_rows / checked_s)} |"
    )
    if pg_copy_s:
        print(
            f"| PostgreSQL COPY into indexed table | {pg_loaded:,} | {pg_copy_s:.1f} | "
            f"{fmt(pg_loaded / pg_copy_s)} |"
        )
    print(f"\nsealing {len(months)} months into plate-sorted files: {seal_s:.1f} s")
    print(
        f"bytes: pool {pool_bytes / 1e9:.2f} GB, unsorted parquet {unsorted_bytes / 1e9:.2f} GB"
        + (
            f", PostgreSQL table {pg_table_bytes / 1e9:.2f} GB + index "
            f"{pg_index_bytes / 1e9:.2f} GB"
            if pg_table_bytes
            else ""
        )
    )
    print(
        f"plate index over {len(index._files)} files: built in {index_s * 1000:.0f} ms "
        "(footers read once, cached)"
    )
    print()
    print("## one plate, one year (warm, ms per query)")
    print("| method | queries | median ms | p95 ms | rows/plate (median) |")
    print("|---|---|---|---|---|")
    for name, (times, counts) in results.items():
        p95 = sorted(times)[max(0, int(len(times) * 0.95) - 1)]
        print(
            f"| {name} | {len(times)} | {statistics.median(times):.2f} | {p95:.2f} | "
            f"{statistics.median(counts):.0f} |"
        )
    print(
        f"\nrow groups read per pool lookup: median {statistics.median(groups):.0f}, "
        f"max {max(groups)}"
    )
    print(
        f"fuzzy, one character missing ({len(fuzzy_candidates(commuters[0][:-1]))} canonical "
        f"candidates), a year: via the plate vocabulary median "
        f"{statistics.median(fuzzy_times):.1f} ms over {len(fuzzy_times)} plates; as a DuckDB "
        f"scan of every file {fuzzy_scan_ms:.0f} ms; vocabulary of "
        f"{len(engine.vocabulary):,} plates built in {vocabulary_s:.1f} s (once, then per new file)"
    )
    if not args.keep:
        shutil.rmtree(args.data)
        if pg is not None:
            pg.cursor().execute("DROP TABLE IF EXISTS bench_sightings")
            pg.commit()
    sys.stdout.flush()


def _pg_load(unsorted_dir: Path, days: list[date], limit: int):
    try:
        import psycopg
    except ImportError:
        return None
    try:
        conn = psycopg.connect(PG_URL, connect_timeout=3)
    except Exception as exc:  # no server here: say so, keep the other figures
        print(f"PostgreSQL unavailable: {exc}")
        return None
    cur = conn.cursor()
    cur.execute("DROP TABLE IF EXISTS bench_sightings")
    cur.execute(
        "CREATE TABLE bench_sightings (plate text NOT NULL, kind text NOT NULL, "
        "camera text NOT NULL, seen_at timestamptz NOT NULL, flags smallint NOT NULL, "
        "batch_id text NOT NULL)"
    )
    cur.execute("CREATE INDEX bench_sightings_plate ON bench_sightings (plate, seen_at)")
    conn.commit()
    loaded = 0
    t0 = time.perf_counter()
    for day in days:
        if loaded >= limit:
            break
        table = pq.read_table(unsorted_dir / f"{day.isoformat()}.parquet")
        table = table.slice(0, limit - loaded)
        table = table.set_column(
            3, "seen_at", pc.strftime(table.column("seen_at"), format="%Y-%m-%dT%H:%M:%SZ")
        )
        buf = io.BytesIO()
        pacsv.write_csv(table, buf, pacsv.WriteOptions(include_header=False))
        with cur.copy("COPY bench_sightings FROM STDIN (FORMAT csv)") as copy:
            copy.write(buf.getvalue())
        loaded += table.num_rows
    conn.commit()
    copy_s = time.perf_counter() - t0
    cur.execute("ANALYZE bench_sightings")
    cur.execute(
        "SELECT pg_relation_size('bench_sightings'), pg_relation_size('bench_sightings_plate')"
    )
    table_bytes, index_bytes = cur.fetchone()
    conn.commit()
    return conn, copy_s, table_bytes, index_bytes, loaded


if __name__ == "__main__":
    main()
