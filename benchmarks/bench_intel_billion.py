"""Benchmark the pool at city scale: a year of a billion sightings, sealed and plate-sorted.

The rows never pass through day files: each month is generated as integers
(SightingGenerator.day_indices), sorted by (plate, time, camera) in numpy and
streamed into its sealed month file with Dataset.load_month, so memory holds
one month of integers, not a year of strings. This is the layout `seal_month`
produces (same writer options, same row groups); it is what a year of history
looks like once the nightly jobs have run.

Then, on the pool alone (PostgreSQL would need about 150 GB and days of COPY
at the rate bench_intel_pool.py measured): the plate index build, one plate's
one-year trajectory warm and cold (the pool's files evicted from the OS page
cache with posix_fadvise DONTNEED before each cold query), and the fuzzy
search (one character missing) through the plate vocabulary.

Build:  nice -n 10 python benchmarks/bench_intel_billion.py build --rows 1000000000
Query:  python benchmarks/bench_intel_billion.py query
        python benchmarks/bench_intel_billion.py duckdb   (DuckDB's reader, same files)
        python benchmarks/bench_intel_billion.py anatomy  (where the ms go; a sidecar measured)
Data goes to --data (default /work/bench-data/intel-billion); `clean` deletes it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa

from yanyun.intel.engines import DuckDBEngine, PlateQuery
from yanyun.intel.generator import SightingGenerator
from yanyun.intel.plates import fuzzy_candidates
from yanyun.intel.pool import SIGHTINGS, Dataset, KeyIndex, day_start_ms

END_DAY = date(2026, 11, 22)


def _generator(args: argparse.Namespace) -> SightingGenerator:
    rng = np.random.default_rng(args.seed)
    cam_codes = np.array([f"CAM{i:06d}" for i in range(1, args.cameras + 1)])
    lng = rng.uniform(112.45, 112.75, args.cameras)
    lat = rng.uniform(26.80, 27.00, args.cameras)
    return SightingGenerator(
        camera_codes=cam_codes,
        lng=lng,
        lat=lat,
        plates=args.plates,
        seed=args.seed,
        commuter_share=0.05,
    )


def _days(args: argparse.Namespace) -> list[date]:
    return [END_DAY - timedelta(days=i) for i in range(args.days - 1, -1, -1)]


def build(args: argparse.Namespace) -> None:
    if args.data.exists():
        shutil.rmtree(args.data)
    args.data.mkdir(parents=True)
    t0 = time.perf_counter()
    gen = _generator(args)
    # A plate's rank in byte order (UTF-8 order is code point order): sorting
    # rank integers sorts the strings.
    order = np.argsort(gen.plates.astype(str), kind="stable")
    rank = np.empty(len(order), np.int64)
    rank[order] = np.arange(len(order))
    sorted_plates = pa.array(gen.plates[order], pa.string())
    sorted_kinds = pa.array(gen.kinds[order], pa.string())
    cameras = pa.array(gen.camera_codes, pa.string())
    print(f"generator for {args.plates:,} plates ready in {time.perf_counter() - t0:.1f} s")
    (args.data / "params.json").write_text(json.dumps({**vars(args), "data": str(args.data)}))
    pool = Dataset(args.data / "pool", SIGHTINGS, row_group_rows=args.row_group_rows)
    days = _days(args)
    per_day = args.rows // len(days)
    months: dict[tuple[int, int], list[date]] = {}
    for d in days:
        months.setdefault((d.year, d.month), []).append(d)
    total = 0
    gen_s = sort_s = write_s = 0.0
    started = time.perf_counter()
    chunk = args.row_group_rows * 256
    for (y, m), month_days in months.items():
        t0 = time.perf_counter()
        parts = [gen.day_indices(d, rows=per_day) for d in month_days]
        plate_idx = np.concatenate([p[0] for p in parts])
        cam_idx = np.concatenate([p[1] for p in parts]).astype(np.int16)  # radix-sorted
        ms = np.concatenate([p[2] for p in parts])
        del parts
        t1 = time.perf_counter()
        base = day_start_ms(month_days[0])
        key = (rank[plate_idx] << 32) | (ms - base)  # a month is < 2**32 ms
        # Camera last in the order, as the pool sorts: a stable sort by the key
        # after one by camera.
        by_cam = np.argsort(cam_idx, kind="stable")
        perm = by_cam[np.argsort(key[by_cam], kind="stable")]
        del key, by_cam
        plate_idx, cam_idx, ms = plate_idx[perm], cam_idx[perm], ms[perm]
        del perm
        t2 = time.perf_counter()
        batch = f"history-{y:04d}-{m:02d}"
        batch_ids = pa.array([batch], pa.string())

        def chunks(plate_idx=plate_idx, cam_idx=cam_idx, ms=ms, batch_ids=batch_ids):
            for lo in range(0, len(ms), chunk):
                r = pa.array(rank[plate_idx[lo : lo + chunk]])
                n = len(r)
                yield pa.table(
                    {
                        "plate": sorted_plates.take(r),
                        "kind": sorted_kinds.take(r),
                        "camera": cameras.take(pa.array(cam_idx[lo : lo + chunk])),
                        "seen_at": pa.array(ms[lo : lo + chunk], pa.timestamp("ms", tz="UTC")),
                        "flags": pa.array(np.zeros(n, np.int8)),
                        "batch_id": batch_ids.take(pa.array(np.zeros(n, np.int32))),
                    }
                )

        pool.load_month(y, m, chunks(), batch_id=batch)
        t3 = time.perf_counter()
        gen_s += t1 - t0
        sort_s += t2 - t1
        write_s += t3 - t2
        total += len(ms)
        size = sum(p.stat().st_size for p in pool.root.rglob("*.parquet"))
        print(
            f"{y:04d}-{m:02d}: {len(ms):,} rows (total {total:,}); generate {t1 - t0:.0f} s, "
            f"sort {t2 - t1:.0f} s, write {t3 - t2:.0f} s; pool {size / 1e9:.2f} GB; "
            f"elapsed {time.perf_counter() - started:.0f} s",
            flush=True,
        )
        del plate_idx, cam_idx, ms
    size = sum(p.stat().st_size for p in pool.root.rglob("*.parquet"))
    print(
        f"built {total:,} rows in {len(months)} sealed months: generate {gen_s:.0f} s, "
        f"sort {sort_s:.0f} s, write {write_s:.0f} s ({total / write_s:,.0f} rows/s written); "
        f"{size / 1e9:.2f} GB on disk ({size / total:.1f} bytes/row)",
        flush=True,
    )


def evict(pool: Dataset) -> None:
    """Drop the pool's files from the OS page cache (we cannot drop_caches)."""
    for path in pool.root.rglob("*.parquet"):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def query(args: argparse.Namespace) -> None:
    params = json.loads((args.data / "params.json").read_text())
    for k in ("rows", "days", "plates", "cameras", "seed", "row_group_rows"):
        setattr(args, k, params[k])
    gen = _generator(args)
    pool = Dataset(args.data / "pool", SIGHTINGS, row_group_rows=args.row_group_rows)
    days = _days(args)
    start_ms = day_start_ms(days[0])
    end_ms = day_start_ms(days[-1]) + 86_400_000
    print(
        f"# pool of {pool.row_count():,} rows in {len(pool.files())} files, "
        f"{args.plates:,} plates, {os.cpu_count()} cores"
    )
    evict(pool)
    index = KeyIndex(pool, cache_bytes=256_000_000)  # YANYUN_INTEL__ROW_GROUP_CACHE_MB default
    t0 = time.perf_counter()
    index.refresh()
    print(
        f"plate index (footers of {len(pool.files())} files, cold): "
        f"{(time.perf_counter() - t0) * 1000:.0f} ms",
        flush=True,
    )
    engine = DuckDBEngine(pool, index)
    qrng = np.random.default_rng(args.seed + 7)
    half = args.queries // 2
    sample = [
        gen.commuter_plate(int(i)) for i in qrng.choice(len(gen.commuters), half, replace=False)
    ] + [
        str(gen.plates[int(i)])
        for i in qrng.choice(len(gen.plates), args.queries - half, replace=False)
    ]

    def one(plate: str) -> tuple[float, int]:
        t = time.perf_counter()
        rows = engine.search(
            PlateQuery(start_ms=start_ms, end_ms=end_ms, plates=(plate,), limit=100_000)
        )
        return (time.perf_counter() - t) * 1000, rows.num_rows

    cold, page, warm, counts, groups = [], [], [], [], []
    for plate in sample:
        evict(pool)
        index.clear_cache()
        ms, _ = one(plate)
        cold.append(ms)
        index.clear_cache()  # the files stay in the page cache; nothing decoded is kept
        ms, _ = one(plate)
        page.append(ms)
        ms, n = one(plate)  # the row groups decoded by the run before are cached
        warm.append(ms)
        counts.append(n)
        groups.append(engine.last_row_groups)

    def p95(xs: list[float]) -> float:
        return sorted(xs)[min(len(xs) - 1, int(np.ceil(len(xs) * 0.95)) - 1)]

    print("| one plate, one year (DuckDBEngine.search) | queries | median ms | p95 ms |")
    print("|---|---|---|---|")
    for name, times in (
        ("warm, row groups cached", warm),
        ("warm, page cache only", page),
        ("cold (evicted)", cold),
    ):
        print(f"| {name} | {len(times)} | {statistics.median(times):.2f} | {p95(times):.2f} |")
    print(
        f"rows per plate: median {statistics.median(counts):.0f}, max {max(counts)}; "
        f"row groups read: median {statistics.median(groups):.0f}, max {max(groups)}",
        flush=True,
    )
    t0 = time.perf_counter()
    engine.vocabulary.refresh()
    print(
        f"plate vocabulary: {len(engine.vocabulary):,} plates in "
        f"{time.perf_counter() - t0:.1f} s (once; then per new file)",
        flush=True,
    )
    fuzzy = []
    for plate in sample[: min(10, half)]:
        q = PlateQuery(
            start_ms=start_ms,
            end_ms=end_ms,
            canonical=tuple(fuzzy_candidates(plate[:-1])),
            limit=100_000,
        )
        t = time.perf_counter()
        found = engine.search(q)
        fuzzy.append((time.perf_counter() - t) * 1000)
        assert plate in set(found.column("plate").to_pylist())
    print(
        f"fuzzy (one character missing), a year: median {statistics.median(fuzzy):.1f} ms, "
        f"max {max(fuzzy):.1f} ms over {len(fuzzy)} plates"
    )
    sys.stdout.flush()


def duckdb_compare(args: argparse.Namespace) -> None:
    """The same trajectory through DuckDB's own Parquet reader over the same sealed files.

    What a user would pick without yanyun's plate index: DuckDB prunes row
    groups by their plate statistics too, but reads every file's footer per
    query. The answers are checked equal to the pool's.
    """
    import duckdb

    params = json.loads((args.data / "params.json").read_text())
    for k in ("rows", "days", "plates", "cameras", "seed", "row_group_rows"):
        setattr(args, k, params[k])
    gen = _generator(args)
    pool = Dataset(args.data / "pool", SIGHTINGS, row_group_rows=args.row_group_rows)
    days = _days(args)
    start_ms = day_start_ms(days[0])
    end_ms = day_start_ms(days[-1]) + 86_400_000
    engine = DuckDBEngine(pool, KeyIndex(pool))
    con = duckdb.connect()
    paths = pool.paths()
    qrng = np.random.default_rng(args.seed + 7)
    plates = [gen.commuter_plate(int(i)) for i in qrng.choice(len(gen.commuters), 5, replace=False)]
    times = []
    for plate in plates:
        sql = (
            "SELECT plate, kind, camera, epoch_ms(seen_at) AS seen_ms, flags FROM read_parquet(?) "
            "WHERE plate = ? AND seen_at >= to_timestamp(? / 1000.0) "
            "AND seen_at < to_timestamp(? / 1000.0) ORDER BY seen_ms"
        )
        con.execute(sql, [paths, plate, start_ms, end_ms]).to_arrow_table()
        t = time.perf_counter()
        duck = con.execute(sql, [paths, plate, start_ms, end_ms]).to_arrow_table()
        times.append((time.perf_counter() - t) * 1000)
        ours = engine.search(
            PlateQuery(start_ms=start_ms, end_ms=end_ms, plates=(plate,), limit=100_000)
        )
        assert duck.num_rows == ours.num_rows, (plate, duck.num_rows, ours.num_rows)
    print(
        f"DuckDB read_parquet over the {len(paths)} sealed files, same query, warm: median "
        f"{statistics.median(times):.1f} ms, max {max(times):.1f} ms over {len(times)} plates "
        "(answers equal to the pool's)"
    )


def anatomy(args: argparse.Namespace) -> None:
    """Where a trajectory's milliseconds go, and what a memory-mapped Arrow sidecar would cost.

    Times, warm, for the same plates: finding the row groups (binary search
    in the plate index), reading and filtering them (`KeyIndex.lookup`), and
    the whole search. Then a sealed month's first 200 row groups are written
    as Arrow IPC files (one record batch per row group; uncompressed, LZ4,
    zstd) and one batch read from the memory-mapped file is timed against one
    Parquet row group: the design not built, measured.
    """
    import pyarrow.ipc as ipc
    import pyarrow.parquet as pq

    params = json.loads((args.data / "params.json").read_text())
    for k in ("rows", "days", "plates", "cameras", "seed", "row_group_rows"):
        setattr(args, k, params[k])
    gen = _generator(args)
    pool = Dataset(args.data / "pool", SIGHTINGS, row_group_rows=args.row_group_rows)
    index = KeyIndex(pool)
    engine = DuckDBEngine(pool, index)
    days = _days(args)
    start_ms, end_ms = day_start_ms(days[0]), day_start_ms(days[-1]) + 86_400_000
    qrng = np.random.default_rng(args.seed + 7)
    plates = [gen.commuter_plate(int(i)) for i in qrng.choice(len(gen.commuters), 20, False)]
    columns = ["plate", "kind", "camera", "seen_at", "flags"]
    steps = {
        "find row groups (binary search)": lambda p: index.row_groups(p, start_ms, end_ms),
        "read + filter (KeyIndex.lookup)": lambda p: index.lookup([p], start_ms, end_ms, columns),
        "whole search (DuckDBEngine.search)": lambda p: engine.search(
            PlateQuery(start_ms=start_ms, end_ms=end_ms, plates=(p,), limit=100_000)
        ),
    }
    for fn in steps.values():
        for p in plates:
            fn(p)
    for name, fn in steps.items():
        times = []
        for p in plates:
            t = time.perf_counter()
            fn(p)
            times.append((time.perf_counter() - t) * 1000)
        print(f"{name}: median {statistics.median(times):.3f} ms over {len(plates)} plates")
    month = pool.root / pool.files()[1].path
    parquet = pq.ParquetFile(month)
    table = parquet.read_row_groups(list(range(200)), columns=columns)
    t = time.perf_counter()
    for i in range(200):
        parquet.read_row_group(i, columns=columns, use_threads=False)
    per_group = (time.perf_counter() - t) / 200 * 1000
    print(
        f"Parquet row group ({args.row_group_rows:,} rows, 5 columns): {per_group:.3f} ms; "
        f"{month.stat().st_size / parquet.metadata.num_rows:.1f} bytes a row"
    )
    for codec in (None, "lz4", "zstd"):
        path = args.data / f"sidecar-{codec}.arrow"
        with ipc.new_file(path, table.schema, options=ipc.IpcWriteOptions(compression=codec)) as w:
            for batch in table.to_batches(max_chunksize=args.row_group_rows):
                w.write_batch(batch)
        reader = ipc.open_file(pa.memory_map(str(path)))
        t = time.perf_counter()
        for i in range(reader.num_record_batches):
            reader.get_batch(i)
        per_batch = (time.perf_counter() - t) / reader.num_record_batches * 1000
        print(
            f"Arrow IPC sidecar, {codec or 'uncompressed'}, memory-mapped: {per_batch:.3f} ms a "
            f"batch; {path.stat().st_size / table.num_rows:.1f} bytes a row"
        )
        path.unlink()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("step", choices=["build", "query", "duckdb", "anatomy", "clean"])
    ap.add_argument("--rows", type=int, default=1_000_000_000)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--cameras", type=int, default=20_000)
    ap.add_argument("--plates", type=int, default=None)
    ap.add_argument("--row-group-rows", type=int, default=4096)
    ap.add_argument("--queries", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--data", type=Path, default=Path("/work/bench-data/intel-billion"))
    args = ap.parse_args()
    args.plates = args.plates or max(10_000, args.rows // 400)
    if args.cameras >= 2**15:
        ap.error("--cameras must be below 32,768 (camera numbers are sorted as int16)")
    if args.step == "build":
        build(args)
    elif args.step == "query":
        query(args)
    elif args.step == "duckdb":
        duckdb_compare(args)
    elif args.step == "anatomy":
        anatomy(args)
    else:
        shutil.rmtree(args.data, ignore_errors=True)


if __name__ == "__main__":
    main()
