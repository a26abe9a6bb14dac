"""Who passed here then: the place-and-time search over a month of sightings, against a full scan.

A month of a demo-city-scale pool: the demo city's 20,000 cameras (the
registry the demo builds) and the existing generator (`SightingGenerator`,
commuting and roaming plates, the daily rhythm), one batch a day appended
to the lake through the pool's writer, as ingest does. Then 50 searches at
random scenes (a camera's place, a random daytime minute of the month,
500 m, ±15 minutes) through the real endpoint ``POST /api/v1/intel/around`` (in
process: the case check, the cameras from the registry's bounding box, the
day files of the window only, the passages, the ranking, each candidate's
hour of movements, the audit row), against a naive full scan of the month
for the same passages: DuckDB over every file of the month, each row's
camera joined to its place and the distance and time filtered in SQL (no
camera preselection, no file pruning). The scan returns only the passages,
not the candidates' movements, so it does less work than the search; the
search is also timed with one candidate (limit 1), close to its passages
step alone. The first scene of each is a warm-up, not counted.

Usage (the demo pool's rate, and a city-sized day of a million sightings):
    .venv/bin/python benchmarks/bench_around.py --rows-per-day 40000 --days 30
    .venv/bin/python benchmarks/bench_around.py --rows-per-day 1000000 --days 30
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
from fastapi.testclient import TestClient
from sqlalchemy import select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import PASSWORDS, make_settings, prepare_database  # noqa: E402

from yanyun.core.clock import FrozenClock  # noqa: E402
from yanyun.core.db import build_runtime, session_scope  # noqa: E402
from yanyun.geo.service import load_index  # noqa: E402
from yanyun.intel import service as intel_service  # noqa: E402
from yanyun.intel.generator import SightingGenerator  # noqa: E402
from yanyun.intel.models import Camera  # noqa: E402
from yanyun.intel.settings import IntelSettings  # noqa: E402
from yanyun.web.app import create_app  # noqa: E402

MONTH = datetime(2026, 10, 1, tzinfo=UTC)
RADIUS_M, MINUTES = 500.0, 15.0

NAIVE = """
SELECT count(*) FROM read_parquet(?) s JOIN cams c ON c.code = s.camera
WHERE 2 * 6371008.8 * asin(sqrt(
        pow(sin(radians(c.lat - ?) / 2), 2)
        + cos(radians(?)) * cos(radians(c.lat)) * pow(sin(radians(c.lng - ?) / 2), 2))) <= ?
  AND epoch_ms(s.seen_at) >= ? AND epoch_ms(s.seen_at) < ?
"""


def build(tmp: Path, cameras: int, days: int, rows_per_day: int):
    """The city, its camera registry and a month of sightings in the lake."""
    url = f"sqlite:///{tmp / 'around.db'}"
    clock = FrozenClock(MONTH + timedelta(days=days, hours=1))
    prepare_database(url, clock)
    settings = make_settings(url, lake_path=tmp / "lake",
                             intel=IntelSettings(cameras=cameras, demo_days=0))
    runtime = build_runtime(settings, clock=clock)
    with session_scope(runtime) as session:
        intel_service.build_cameras(session=session, clock=clock,
                                    index=load_index(session=session), count=cameras, seed=7)
        cams = session.execute(select(Camera.code, Camera.lng, Camera.lat)
                               .order_by(Camera.code)).all()
    codes = np.array([c.code for c in cams])
    lng, lat = np.array([c.lng for c in cams]), np.array([c.lat for c in cams])
    generator = SightingGenerator(camera_codes=codes, lng=lng, lat=lat, plates=8_000, seed=7,
                                  commuter_share=0.2)
    pool = intel_service.open_pool(settings.lake_path, settings.intel)
    for d in range(days):
        day = (MONTH + timedelta(days=d, hours=12)).date()
        pool.sightings.append(generator.day(day, rows=rows_per_day), batch_id=f"month-{day}",
                              received_ms=int(clock.now().timestamp() * 1000))
    return settings, runtime, pool, pa.table({"code": codes, "lng": lng, "lat": lat})


def _stats(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def scenes(cams: pa.Table, days: int, n: int, seed: int) -> list[tuple[float, float, datetime]]:
    rng = random.Random(seed)
    lng, lat = cams.column("lng").to_pylist(), cams.column("lat").to_pylist()
    out = []
    for _ in range(n):
        i = rng.randrange(len(lng))
        # Daytime minutes, when the cameras see most.
        at = MONTH + timedelta(days=rng.randrange(days), hours=rng.uniform(0, 14))
        out.append((lng[i], lat[i], at.replace(microsecond=0)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--rows-per-day", type=int, default=40_000)
    parser.add_argument("--cameras", type=int, default=20_000)
    parser.add_argument("--searches", type=int, default=50)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="yanyun-around-"))
    started = time.perf_counter()
    settings, runtime, pool, cams = build(tmp, args.cameras, args.days, args.rows_per_day)
    rows, paths = pool.sightings.row_count(), pool.sightings.paths()
    print(f"pool: {rows:,} sightings over {args.days} days in {len(paths)} files, "
          f"{cams.num_rows:,} cameras (built in {time.perf_counter() - started:.0f} s)")
    # One more scene first, not counted: both sides' first query opens files and warms up.
    wanted = scenes(cams, args.days, args.searches + 1, seed=11)
    search_s, one_s, passages = [], [], []
    with TestClient(create_app(settings, runtime=runtime)) as client:
        login = client.post("/api/v1/auth/login", json={
            "username": "analyst", "password": PASSWORDS["analyst"]}).json()
        headers = {"Authorization": f"Bearer {login['access_token']}"}
        case = client.post("/api/v1/cases", headers=headers,
                           json={"kind": "traffic", "title": "肇事逃逸案周边过车研判"}).json()
        for lng, lat, at in wanted:
            for limit, times in ((20, search_s), (1, one_s)):
                t0 = time.perf_counter()
                resp = client.post("/api/v1/intel/around", headers=headers, json={
                    "lng": lng, "lat": lat, "at": at.isoformat(), "radius_m": RADIUS_M,
                    "minutes": MINUTES, "case_number": case["number"], "limit": limit,
                    "purpose": "肇事逃逸：案发时段周边过车研判"})
                times.append(time.perf_counter() - t0)
                if resp.status_code != 200:
                    raise RuntimeError(resp.text)
            passages.append(resp.json()["passages"])
    connection = duckdb.connect(":memory:")
    connection.register("cams", cams)
    naive_s, same = [], []
    for (lng, lat, at), found in zip(wanted, passages, strict=True):
        start_ms = int((at - timedelta(minutes=MINUTES)).timestamp() * 1000)
        end_ms = int((at + timedelta(minutes=MINUTES)).timestamp() * 1000)
        t0 = time.perf_counter()
        count = connection.execute(NAIVE, [paths, lat, lat, lng, RADIUS_M, start_ms,
                                           end_ms]).fetchone()[0]
        naive_s.append(time.perf_counter() - t0)
        same.append(count == found)
    runtime.engine.dispose()
    search_s, one_s, naive_s = search_s[1:], one_s[1:], naive_s[1:]
    passages, agree = passages[1:], sum(same[1:])
    print(f"{args.searches} searches, radius {RADIUS_M:g} m, ±{MINUTES:g} min; passages per "
          f"search: median {statistics.median(passages):.0f}, max {max(passages)}; "
          f"same passages found by both: {agree}/{args.searches}")
    print("| method | median (ms) | p95 (ms) |")
    print("|---|---|---|")
    for label, values in (("/api/v1/intel/around (cameras near, window's files, candidates' "
                           "movements, audit; 20 candidates)", search_s),
                          ("the same with 1 candidate (mostly the passages step)", one_s),
                          ("naive: full scan of the month, distance and time in SQL (DuckDB)",
                           naive_s)):
        median, p95 = _stats(values)
        print(f"| {label} | {median * 1000:.1f} | {p95 * 1000:.1f} |")


if __name__ == "__main__":
    main()
