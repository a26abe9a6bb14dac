"""Benchmark the data pool against PostgreSQL: validated ingest and a plate's one-year trajectory.

One synthetic year of sightings (SightingGenerator: 20,000 cameras, commuting
and roaming plates, daily rhythm), the same rows loaded three ways, same run:

- yanyun's pool, through the API's path minus HTTP: each day arrives as an
  Arrow IPC stream, is read, checked row by row (vectorised: plate format,
  camera known, time, duplicates within the batch and against earlier
  batches, absurd speeds; `ingest.check` with `RecentSightings`) and
  appended through the single writer (fsync of file, folder and manifest);
  closed months are then sealed into plate-sorted month files; lookups go
  through the plate index (KeyIndex) and `DuckDBEngine.search`;
- DuckDB over the same rows unsorted (one Parquet file per day as generated),
  `read_parquet(glob)` with the same WHERE;
- PostgreSQL on a private server started for the benchmark (initdb into a
  temporary folder, port 5433, shared_buffers 1 GB): COPY (CSV) into a table
  with a B-tree on (plate, seen_at) created before the load, then the same
  query through the index. The shared server on 5432 is never touched.

Ingest is also timed in city-sized batches (--batch-rows, default 1 million
rows: about 9 hours of a city of a billion sightings a year) from Arrow IPC
and from Parquet, and PostgreSQL's COPY of the same rows into its indexed table.

The trajectory is one plate over the whole year, ordered by time: warm (the
second run of each plate) and cold. Cold means nothing of the data in
memory: for the pool, its files are evicted from the OS page cache with
posix_fadvise(DONTNEED) (the plate index, a few MB of row-group ranges, stays
in the process as in a running server); for PostgreSQL, the server is
restarted (empty shared_buffers) and its table and index files are evicted
the same way. We cannot drop the whole page cache (no root on the host).

Run: nice -n 10 python benchmarks/bench_intel_pool.py --rows 20000000
Data goes to --data (default /work/bench-data/intel), which it wipes first.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

from yanyun.intel import ingest as checks
from yanyun.intel.engines import DuckDBEngine, PlateQuery
from yanyun.intel.generator import SightingGenerator
from yanyun.intel.plates import fuzzy_candidates
from yanyun.intel.pool import SIGHTINGS, Dataset, KeyIndex, day_start_ms

PG_BIN = Path("/usr/lib/postgresql/15/bin")
INPUT = ["plate", "camera", "seen_at", "kind"]


def fmt(n: float) -> str:
    return f"{n:,.0f}"


def evict(paths: list[Path]) -> None:
    """Drop files from the OS page cache (POSIX_FADV_DONTNEED; we cannot drop_caches)."""
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


class PrivatePostgres:
    """A throwaway PostgreSQL server for the benchmark: its own folder, its own port."""

    def __init__(self, root: Path, port: int) -> None:
        self.root = root
        self.port = port
        self.data = root / "pgdata"

    def _as_postgres(self, *cmd: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *cmd], check=True, capture_output=True)

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self._as_postgres(
            str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres"
        )
        self._ctl("start")

    def _ctl(self, action: str) -> None:
        self._as_postgres(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.root / "server.log"),
            "-w",
            "-m",
            "fast",
            "-o",
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c shared_buffers=1GB "
            f"-c unix_socket_directories={self.root}",
            action,
        )

    def restart(self) -> None:
        self._ctl("restart")

    def stop(self) -> None:
        self._ctl("stop")

    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def relation_files(self, conn, names: list[str]) -> list[Path]:
        files = []
        with conn.cursor() as cur:
            for name in names:
                cur.execute("SELECT pg_relation_filepath(%s)", (name,))
                base = self.data / cur.fetchone()[0]
                files += [p for p in base.parent.glob(base.name + "*") if p.is_file()]
        return files


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=20_000_000, help="sightings in the year")
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--cameras", type=int, default=20_000)
    ap.add_argument("--plates", type=int, default=None)
    ap.add_argument("--queries", type=int, default=20)
    ap.add_argument("--cold-queries", type=int, default=10)
    ap.add_argument("--batch-rows", type=int, default=1_000_000)
    ap.add_argument("--batches", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--data", type=Path, default=Path("/work/bench-data/intel"))
    ap.add_argument("--pg-port", type=int, default=5433)
    ap.add_argument("--skip-pg", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the data afterwards")
    ap.add_argument(
        "--ingest-only",
        action="store_true",
        help="only the big batches, each phase timed (use --plates for the city's population)",
    )
    args = ap.parse_args()
    if args.pg_port == 5432:
        ap.error("5432 is the shared server the tests use: pick another port")
    plates = args.plates or max(10_000, args.rows // 300)

    if args.data.exists():
        shutil.rmtree(args.data)
    args.data.mkdir(parents=True)
    rng = np.random.default_rng(args.seed)
    cam_codes = np.array([f"CAM{i:06d}" for i in range(1, args.cameras + 1)])
    lng = rng.uniform(112.45, 112.75, args.cameras)  # the size of Hengyang's centre
    lat = rng.uniform(26.80, 27.00, args.cameras)
    gen = SightingGenerator(
        camera_codes=cam_codes, lng=lng, lat=lat, plates=plates, seed=args.seed, commuter_share=0.05
    )
    end_day = date(2026, 11, 22)
    days = [end_day - timedelta(days=i) for i in range(args.days - 1, -1, -1)]
    per_day = args.rows // args.days
    print(
        f"# bench_intel_pool  rows={args.rows:,} days={args.days} cameras={args.cameras:,} "
        f"plates={plates:,} batch_rows={args.batch_rows:,}"
    )
    print(
        f"# {platform.python_version()} pyarrow {pa.__version__} duckdb {duckdb.__version__} "
        f"on {os.cpu_count()} cores",
        flush=True,
    )
    pool = Dataset(args.data / "pool", SIGHTINGS, row_group_rows=4096)
    unsorted_dir = args.data / "unsorted"
    unsorted_dir.mkdir()
    book = checks.CameraBook(
        codes=pa.array(cam_codes), installed_ms=np.zeros(args.cameras, np.int64), lng=lng, lat=lat
    )
    recent = checks.RecentSightings(24 * 3_600_000)

    phases = {"read": 0.0, "check": 0.0, "append": 0.0, "remember": 0.0}

    def api_path(data: bytes, reader, batch_id: str, now_ms: int) -> checks.Checked:
        """What POST /sightings/arrow does with a body, minus HTTP and the database row."""
        t0 = time.perf_counter()
        raw = reader(data)
        t1 = time.perf_counter()
        recent.advance(now_ms)
        checked = checks.check(
            raw,
            cameras=book,
            now_ms=now_ms,
            future_tolerance_ms=300_000,
            max_speed_kmh=250,
            recent=recent,
        )
        accepted = checked.accepted.append_column(
            "batch_id", pa.repeat(batch_id, checked.accepted.num_rows)
        )
        t2 = time.perf_counter()
        pool.append(accepted, batch_id=batch_id, presorted=True, received_ms=now_ms)
        t3 = time.perf_counter()
        recent.add(checked.seen)
        t4 = time.perf_counter()
        for name, dt in zip(phases, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
            phases[name] += dt
        return checked

    if args.ingest_only:
        _ingest_only(args, gen, end_day, api_path, phases)
        return

    ingest_s = 0.0
    total = accepted = flagged = 0
    for day in days:
        table = gen.day(day, rows=per_day)
        pq.write_table(table, unsorted_dir / f"{day.isoformat()}.parquet", compression="zstd")
        body = _ipc_bytes(table.select(INPUT))
        now_ms = day_start_ms(day + timedelta(days=1)) + 3_600_000
        t0 = time.perf_counter()
        checked = api_path(body, checks.read_arrow_ipc, f"day-{day.isoformat()}", now_ms)
        ingest_s += time.perf_counter() - t0
        total += table.num_rows
        accepted += checked.accepted.num_rows
        flagged += checked.flagged
    print(f"year loaded into the pool: {total:,} rows, {ingest_s:.1f} s", flush=True)

    t0 = time.perf_counter()
    months = sorted({(d.year, d.month) for d in days})
    for y, m in months:  # the current month too, as a nightly reseal would
        pool.seal_month(y, m)
    seal_s = time.perf_counter() - t0
    pool_bytes = sum(p.stat().st_size for p in (args.data / "pool").rglob("*.parquet"))
    unsorted_bytes = sum(p.stat().st_size for p in unsorted_dir.glob("*.parquet"))
    print(f"sealed {len(months)} months in {seal_s:.1f} s", flush=True)

    # City-sized batches: a million rows each, the day after the year.
    big = [
        gen.day(end_day + timedelta(days=1 + i), rows=args.batch_rows) for i in range(args.batches)
    ]
    big_rows = sum(t.num_rows for t in big)
    big_ipc_s = big_parquet_s = 0.0
    for i, table in enumerate(big):
        day = end_day + timedelta(days=1 + i)
        now_ms = day_start_ms(day + timedelta(days=1)) + 3_600_000
        half = table.num_rows // 2
        ipc_body = _ipc_bytes(table.slice(0, half).select(INPUT))
        buf = io.BytesIO()
        pq.write_table(table.slice(half).select(INPUT), buf)
        t0 = time.perf_counter()
        api_path(ipc_body, checks.read_arrow_ipc, f"big-ipc-{i}", now_ms)
        big_ipc_s += time.perf_counter() - t0
        t0 = time.perf_counter()
        api_path(buf.getvalue(), checks.read_parquet, f"big-pq-{i}", now_ms)
        big_parquet_s += time.perf_counter() - t0
    print(f"big batches: {big_rows:,} rows", flush=True)

    # --- PostgreSQL ---------------------------------------------------------------
    pg = server = None
    pg_copy_s = pg_big_s = pg_table_bytes = pg_index_bytes = None
    if not args.skip_pg:
        server = PrivatePostgres(args.data / "pg", args.pg_port)
        server.start()
        import psycopg

        pg = psycopg.connect(server.url())
        pg_copy_s = _pg_load(pg, [pq.read_table(unsorted_dir / f"{d}.parquet") for d in days])
        print(f"PostgreSQL loaded in {pg_copy_s:.1f} s", flush=True)
        pg_big_s = _pg_copy(pg, big)
        with pg.cursor() as cur:
            cur.execute("ANALYZE bench_sightings")
            cur.execute(
                "SELECT pg_relation_size('bench_sightings'), "
                "pg_relation_size('bench_sightings_plate')"
            )
            pg_table_bytes, pg_index_bytes = cur.fetchone()
        pg.commit()

    # --- queries --------------------------------------------------------------------
    start_ms = day_start_ms(days[0])
    end_ms = day_start_ms(end_day) + 86_400_000
    qrng = np.random.default_rng(args.seed + 7)
    half = args.queries // 2
    sample = [
        gen.commuter_plate(int(i)) for i in qrng.choice(len(gen.commuters), half, replace=False)
    ] + [
        str(gen.plates[int(i)])
        for i in qrng.choice(len(gen.plates), args.queries - half, replace=False)
    ]
    cold_sample = sample[: args.cold_queries // 2] + sample[half : half + args.cold_queries // 2]

    index = KeyIndex(pool, cache_bytes=256_000_000)  # YANYUN_INTEL__ROW_GROUP_CACHE_MB default
    t0 = time.perf_counter()
    index.refresh()
    index_s = time.perf_counter() - t0
    engine = DuckDBEngine(pool, index)
    pool_files = [pool.root / f.path for f in pool.files()]

    def pool_query(plate: str) -> int:
        return engine.search(
            PlateQuery(start_ms=start_ms, end_ms=end_ms, plates=(plate,), limit=100_000)
        ).num_rows

    con = duckdb.connect()
    glob = str(unsorted_dir / "*.parquet")

    def duck_unsorted(plate: str) -> int:
        return len(
            con.execute(
                "SELECT plate, kind, camera, epoch_ms(seen_at), flags FROM read_parquet(?) "
                "WHERE plate = ? AND seen_at >= to_timestamp(? / 1000.0) "
                "AND seen_at < to_timestamp(? / 1000.0) ORDER BY seen_at",
                [glob, plate, start_ms, end_ms],
            ).fetchall()
        )

    pg_start = datetime.fromtimestamp(start_ms / 1000, UTC)
    pg_stop = datetime.fromtimestamp(end_ms / 1000, UTC)

    def pg_query(plate: str) -> int:
        with pg.cursor() as cur:
            cur.execute(
                "SELECT plate, kind, camera, seen_at, flags FROM bench_sightings "
                "WHERE plate = %s AND seen_at >= %s AND seen_at < %s ORDER BY seen_at",
                (plate, pg_start, pg_stop),
            )
            return len(cur.fetchall())

    def warm(fn, plates: list[str]) -> tuple[list[float], list[int]]:
        times, counts = [], []
        for plate in plates:
            fn(plate)
            t0 = time.perf_counter()
            counts.append(fn(plate))
            times.append((time.perf_counter() - t0) * 1000)
        return times, counts

    results: dict[str, tuple[str, list[float], list[int]]] = {}
    cold_pool = []
    for plate in cold_sample:
        evict(pool_files)
        index.clear_cache()
        t0 = time.perf_counter()
        pool_query(plate)
        cold_pool.append((time.perf_counter() - t0) * 1000)
    page_cache_only = []
    for plate in sample:
        pool_query(plate)
        index.clear_cache()  # the files stay in the OS page cache; nothing decoded is kept
        t0 = time.perf_counter()
        pool_query(plate)
        page_cache_only.append((time.perf_counter() - t0) * 1000)
    results["pool, DuckDBEngine.search (row groups cached)"] = ("warm", *warm(pool_query, sample))
    results["pool, DuckDBEngine.search (decoded cache cleared)"] = (
        "warm, page cache only",
        page_cache_only,
        [],
    )
    results["pool, DuckDBEngine.search (files evicted, cache cleared)"] = ("cold", cold_pool, [])
    results["DuckDB over the same rows unsorted"] = ("warm", *warm(duck_unsorted, sample[:4]))
    if pg is not None:
        results["PostgreSQL B-tree (plate, seen_at)"] = ("warm", *warm(pg_query, sample))
        cold_pg = []
        for plate in cold_sample:
            pg.close()
            server.restart()  # empty shared_buffers
            pg = psycopg.connect(server.url())
            evict(server.relation_files(pg, ["bench_sightings", "bench_sightings_plate"]))
            t0 = time.perf_counter()
            pg_query(plate)
            cold_pg.append((time.perf_counter() - t0) * 1000)
        results["PostgreSQL (restarted, files evicted)"] = ("cold", cold_pg, [])
    for plate in sample[:5]:  # the answers agree
        a = pool_query(plate)
        assert a == duck_unsorted(plate), plate
        if pg is not None:
            assert a == pg_query(plate), plate

    t0 = time.perf_counter()
    engine.vocabulary.refresh()
    vocabulary_s = time.perf_counter() - t0
    fuzzy_times = []
    fuzzy_scan_ms = None
    for n, plate in enumerate(sample[: min(5, half)]):  # commuters: seen in the year
        fq = PlateQuery(
            start_ms=start_ms, end_ms=end_ms, canonical=tuple(fuzzy_candidates(plate[:-1]))
        )
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
    print("## ingest (validated rows)")
    print("| path | rows | seconds | rows/s |")
    print("|---|---|---|---|")
    print(
        f"| pool: Arrow IPC -> check -> append, one batch a day ({fmt(per_day)} rows) | "
        f"{total:,} | {ingest_s:.1f} | {fmt(total / ingest_s)} |"
    )
    print(
        f"| pool: Arrow IPC -> check -> append, {args.batch_rows // 2:,}-row batches | "
        f"{big_rows // 2:,} | {big_ipc_s:.1f} | {fmt(big_rows / 2 / big_ipc_s)} |"
    )
    print(
        f"| pool: Parquet -> check -> append, {args.batch_rows // 2:,}-row batches | "
        f"{big_rows - big_rows // 2:,} | {big_parquet_s:.1f} | "
        f"{fmt((big_rows - big_rows // 2) / big_parquet_s)} |"
    )
    if pg_copy_s:
        print(
            f"| PostgreSQL COPY (CSV) into the indexed table, one batch a day | {total:,} | "
            f"{pg_copy_s:.1f} | {fmt(total / pg_copy_s)} |"
        )
        print(
            f"| PostgreSQL COPY, {args.batch_rows:,}-row batches | {big_rows:,} | "
            f"{pg_big_s:.1f} | {fmt(big_rows / pg_big_s)} |"
        )
    print(
        f"\naccepted {accepted:,} of {total:,} (flagged {flagged:,}); sealing {len(months)} "
        f"months into plate-sorted files: {seal_s:.1f} s"
    )
    print(
        f"bytes: pool {pool_bytes / 1e9:.2f} GB, unsorted Parquet {unsorted_bytes / 1e9:.2f} GB"
        + (
            f", PostgreSQL table {pg_table_bytes / 1e9:.2f} GB + index "
            f"{pg_index_bytes / 1e9:.2f} GB"
            if pg_table_bytes
            else ""
        )
    )
    print(f"plate index over {len(pool_files)} files: built in {index_s * 1000:.0f} ms")
    print()
    print("## one plate, one year (ms per query)")
    print("| method | cache | queries | median ms | p95 ms | rows/plate (median) |")
    print("|---|---|---|---|---|---|")
    for name, (cache, times, counts) in results.items():
        p95 = sorted(times)[min(len(times) - 1, int(np.ceil(len(times) * 0.95)) - 1)]
        rows = f"{statistics.median(counts):.0f}" if counts else ""
        print(
            f"| {name} | {cache} | {len(times)} | {statistics.median(times):.2f} | {p95:.2f} | "
            f"{rows} |"
        )
    print(
        f"\nfuzzy, one character missing, a year: via the plate vocabulary median "
        f"{statistics.median(fuzzy_times):.1f} ms over {len(fuzzy_times)} plates; as a DuckDB "
        f"scan of every file {fuzzy_scan_ms:.0f} ms; vocabulary of "
        f"{len(engine.vocabulary):,} plates built in {vocabulary_s:.1f} s"
    )
    sys.stdout.flush()
    if pg is not None:
        pg.close()
        server.stop()
    if not args.keep:
        shutil.rmtree(args.data)


def _ingest_only(args, gen, end_day: date, api_path, phases: dict[str, float]) -> None:
    """City-sized batches through the API's path, each phase timed: where the time goes."""
    rows = 0
    for i in range(args.batches):
        day = end_day + timedelta(days=1 + i // 2)
        whole = gen.day(day, rows=2 * args.batch_rows)
        table = whole.slice((i % 2) * args.batch_rows, args.batch_rows)
        body = _ipc_bytes(table.select(INPUT))
        now_ms = day_start_ms(day + timedelta(days=1)) + 3_600_000
        checked = api_path(body, checks.read_arrow_ipc, f"only-{i}", now_ms)
        distinct = pc.count_distinct(checked.accepted.column("plate")).as_py()
        print(f"batch {i}: {table.num_rows:,} rows, {distinct:,} plates", flush=True)
        rows += table.num_rows
    total = sum(phases.values())
    print("| phase | seconds | rows/s |")
    print("|---|---|---|")
    for name, seconds in phases.items():
        print(f"| {name} | {seconds:.2f} | {fmt(rows / seconds)} |")
    print(f"| all (read, check, append + fsync, remember) | {total:.2f} | {fmt(rows / total)} |")
    shutil.rmtree(args.data)


def _ipc_bytes(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    with ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue()


def _csv_bytes(table: pa.Table) -> bytes:
    table = table.set_column(
        3, "seen_at", pc.strftime(table.column("seen_at"), format="%Y-%m-%dT%H:%M:%SZ")
    )
    buf = io.BytesIO()
    pacsv.write_csv(table, buf, pacsv.WriteOptions(include_header=False))
    return buf.getvalue()


def _pg_load(conn, tables: list[pa.Table]) -> float:
    with conn.cursor() as cur:
        cur.execute("SET TIME ZONE 'UTC'")
        cur.execute(
            "CREATE TABLE bench_sightings (plate text NOT NULL, kind text NOT NULL, "
            "camera text NOT NULL, seen_at timestamptz NOT NULL, flags smallint NOT NULL, "
            "batch_id text NOT NULL)"
        )
        cur.execute("CREATE INDEX bench_sightings_plate ON bench_sightings (plate, seen_at)")
    conn.commit()
    return _pg_copy(conn, tables)


def _pg_copy(conn, tables: list[pa.Table]) -> float:
    """COPY each table as one CSV batch, committed: what a loader would do per batch."""
    t0 = time.perf_counter()
    for table in tables:
        data = _csv_bytes(table)
        with conn.cursor() as cur:
            with cur.copy("COPY bench_sightings FROM STDIN (FORMAT csv)") as copy:
                copy.write(data)
        conn.commit()
    return time.perf_counter() - t0


if __name__ == "__main__":
    main()
