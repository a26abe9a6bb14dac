"""Benchmark unit recommendation: top-k units by ETA for one incident.

A random fleet inside Hengyang's city outline (half of it in the five urban
districts, half anywhere in the city) and random incident points (60 % in
the urban districts). Each incident asks for the 5 available units with a
required capability that arrive first, under GreatCircleEstimator's ETA.
Methods, each timed per query with time.perf_counter_ns:

- FleetIndex.top_k (box search, the production path);
- FleetIndex.top_k with box_search=False (vectorised ETA of every eligible
  unit, then np.partition);
- a plain Python loop over all units with the scalar estimator, then sort;
- SQL computing the same ETA (haversine in SQL, a join to per-kind speeds),
  ORDER BY eta, id LIMIT 5, over the whole table and with a bounding-box
  prefilter on an index (the box grows with the same exactness rule as
  FleetIndex), in SQLite (in memory) and PostgreSQL (schema bench_recommend,
  dropped at the end; skipped if the server cannot be reached).

The slow methods are timed on the first --loop-queries / --sql-queries
incidents. All methods must return the same top-5 ids on the first
--loop-queries incidents before any figure is printed.

Run: python benchmarks/bench_recommend.py --units 10000 --queries 2000 --seed 1
"""

from __future__ import annotations

import argparse
import math
import platform
import sqlite3
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
import sqlalchemy
from shapely.ops import unary_union

from yanyun.command.capabilities import CAPABILITIES, capability_mask
from yanyun.command.ranking import FleetIndex, UnitSnapshot
from yanyun.command.search_box import enclosing_box
from yanyun.geo.boundaries import load_boundaries, load_city_outline
from yanyun.geo.citygen import CitySpec
from yanyun.geo.coords import EARTH_RADIUS_M
from yanyun.geo.travel import UNIT_KIND_CODES, UNIT_KINDS, GreatCircleEstimator

K = 5
# Shares of the fleet by kind; the seeds name 41 quick-response platforms,
# 152 fixed posts and 389 motorcycles beside the stations' cars and foot patrols.
KIND_SHARES = {
    "patrol_car": 0.35,
    "quick_response": 0.10,
    "motorcycle": 0.25,
    "foot": 0.15,
    "fixed_post": 0.15,
}
CAPABILITY_SHARES = {
    "patrol": 0.9,
    "armed": 0.25,
    "traffic": 0.2,
    "first_aid": 0.3,
    "water_rescue": 0.02,
}
REQUIRED_CHOICES: list[tuple[frozenset[str], float]] = [
    (frozenset({"patrol"}), 0.55),
    (frozenset(), 0.10),
    (frozenset({"patrol", "armed"}), 0.10),
    (frozenset({"traffic"}), 0.10),
    (frozenset({"first_aid"}), 0.10),
    (frozenset({"water_rescue"}), 0.05),
]
AVAILABLE_SHARE = 0.7
PG_SCHEMA = "bench_recommend"


@dataclass(frozen=True)
class Query:
    lng: float
    lat: float
    required: frozenset[str]
    urban: bool


@dataclass
class Timing:
    method: str
    times_ns: list[int]

    @property
    def median_us(self) -> float:
        return float(np.median(self.times_ns)) / 1000.0

    @property
    def p99_us(self) -> float:
        return float(np.percentile(self.times_ns, 99)) / 1000.0

    @property
    def per_s(self) -> float:
        return len(self.times_ns) / (sum(self.times_ns) / 1e9)


def random_points_in(
    rng: np.random.Generator, geom: shapely.Geometry, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Uniform points in a WGS-84 polygon by rejection from its bounding box."""
    shapely.prepare(geom)
    minx, miny, maxx, maxy = geom.bounds
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    have = 0
    while have < n:
        x = rng.uniform(minx, maxx, 2 * n)
        y = rng.uniform(miny, maxy, 2 * n)
        inside = shapely.contains_xy(geom, x, y)
        xs.append(x[inside])
        ys.append(y[inside])
        have += int(inside.sum())
    return np.concatenate(xs)[:n], np.concatenate(ys)[:n]


def make_fleet(
    rng: np.random.Generator, n: int, city: shapely.Geometry, urban: shapely.Geometry
) -> list[UnitSnapshot]:
    n_urban = n // 2
    ux, uy = random_points_in(rng, urban, n_urban)
    cx, cy = random_points_in(rng, city, n - n_urban)
    lng = np.concatenate([ux, cx])
    lat = np.concatenate([uy, cy])
    kinds = rng.choice(list(KIND_SHARES), size=n, p=list(KIND_SHARES.values()))
    cap_draws = rng.random((n, len(CAPABILITIES)))
    shares = np.array([CAPABILITY_SHARES[c] for c in CAPABILITIES])
    has = cap_draws < shares
    available = rng.random(n) < AVAILABLE_SHARE
    return [
        UnitSnapshot(
            id=f"U{i:05d}",
            lng=float(lng[i]),
            lat=float(lat[i]),
            kind=str(kinds[i]),
            capabilities=frozenset(c for c, h in zip(CAPABILITIES, has[i], strict=True) if h),
            available=bool(available[i]),
        )
        for i in range(n)
    ]


def make_queries(
    rng: np.random.Generator, n: int, city: shapely.Geometry, urban: shapely.Geometry
) -> list[Query]:
    n_urban = round(n * 0.6)
    ux, uy = random_points_in(rng, urban, n_urban)
    cx, cy = random_points_in(rng, city, n - n_urban)
    lng = np.concatenate([ux, cx])
    lat = np.concatenate([uy, cy])
    order = rng.permutation(n)
    lng, lat = lng[order], lat[order]
    is_urban = shapely.contains_xy(urban, lng, lat)
    sets = [r for r, _ in REQUIRED_CHOICES]
    picks = rng.choice(len(sets), size=n, p=[p for _, p in REQUIRED_CHOICES])
    return [
        Query(float(lng[i]), float(lat[i]), sets[picks[i]], bool(is_urban[i])) for i in range(n)
    ]


def python_loop(units: Sequence[UnitSnapshot], est: GreatCircleEstimator, q: Query) -> list[str]:
    ranked = []
    for u in units:
        if u.available and q.required <= u.capabilities:
            eta = est.eta_s(u.lng, u.lat, q.lng, q.lat, unit_kind=u.kind, urban=q.urban)
            ranked.append((eta, u.id))
    ranked.sort()
    return [uid for _, uid in ranked[:K]]


# Haversine in SQL, as distance_m_array computes it; placeholders in the driver's style.
ETA_SQL = """
SELECT u.id,
       k.overhead_s + 2 * {R} * asin(sqrt(
           power(sin(radians({lat} - u.lat) / 2), 2)
           + cos(radians(u.lat)) * cos(radians({lat}))
             * power(sin(radians({lng} - u.lng) / 2), 2)
       )) * (CASE WHEN {urban} THEN k.s_per_m_urban ELSE k.s_per_m_rural END) AS eta_s
FROM {schema}unit AS u JOIN {schema}unit_kind AS k ON k.code = u.kind
WHERE {available} AND (u.caps & {req}) = {req} {box}
ORDER BY eta_s, u.id {collate}
LIMIT {k}
"""
BOX_SQL = "AND u.lat BETWEEN {min_lat} AND {max_lat} AND u.lng BETWEEN {min_lng} AND {max_lng}"
GIST_BOX_SQL = (
    "AND point(u.lng, u.lat) <@ box(point({min_lng}, {min_lat}), point({max_lng}, {max_lat}))"
)


def eta_sql(*, dialect: str, box: str = "") -> str:
    if dialect == "sqlite":
        names = {
            n: f":{n}"
            for n in ("lng", "lat", "urban", "req", "k", "min_lat", "max_lat", "min_lng", "max_lng")
        }
        extra = {"schema": "", "available": "u.available = 1", "collate": ""}
    else:
        names = {
            n: f"%({n})s"
            for n in ("lng", "lat", "urban", "req", "k", "min_lat", "max_lat", "min_lng", "max_lng")
        }
        extra = {"schema": f"{PG_SCHEMA}.", "available": "u.available", "collate": 'COLLATE "C"'}
    box_sql = box.format(**names) if box else ""
    return ETA_SQL.format(R=repr(EARTH_RADIUS_M), box=box_sql, **names, **extra)


class SqlRanker:
    """Top-k by ETA in SQL, over the whole table or inside a growing box."""

    def __init__(
        self,
        conn,
        *,
        dialect: str,
        est: GreatCircleEstimator,
        box: str | None,
        fleet_bounds: tuple[float, float, float, float],
        first_radius: Callable[[float, float], float],
    ) -> None:
        self.conn = conn
        self.dialect = dialect
        self.est = est
        self.full_sql = eta_sql(dialect=dialect)
        self.box_sql = eta_sql(dialect=dialect, box=box) if box else None
        self.bounds = fleet_bounds
        self.first_radius = first_radius
        self.cur = conn.cursor()

    def _params(self, q: Query) -> dict:
        urban = q.urban if self.dialect == "postgresql" else int(q.urban)
        return {
            "lng": q.lng,
            "lat": q.lat,
            "urban": urban,
            "req": capability_mask(q.required),
            "k": K,
        }

    def top(self, q: Query) -> list[str]:
        params = self._params(q)
        if self.box_sql is None:
            self.cur.execute(self.full_sql, params)
            return [row[0] for row in self.cur.fetchall()]
        radius_m = self.first_radius(q.lng, q.lat)
        while True:
            box = enclosing_box(q.lng, q.lat, radius_m)
            b = self.bounds
            if box is None or (
                box[0] <= b[0] and box[1] <= b[1] and box[2] >= b[2] and box[3] >= b[3]
            ):
                self.cur.execute(self.full_sql, params)
                return [row[0] for row in self.cur.fetchall()]
            params.update(min_lng=box[0], min_lat=box[1], max_lng=box[2], max_lat=box[3])
            self.cur.execute(self.box_sql, params)
            rows = self.cur.fetchall()
            if len(rows) == K:
                kth = float(rows[-1][1])
                if kth < self.est.eta_lower_bound_s(radius_m * (1 - 1e-9), urban=q.urban):
                    return [row[0] for row in rows]
                at_r = self.est.eta_lower_bound_s(radius_m, urban=q.urban)
                at_2r = self.est.eta_lower_bound_s(2 * radius_m, urban=q.urban)
                wanted = radius_m + (kth - at_r) / ((at_2r - at_r) / radius_m)
                radius_m = min(max(wanted * 1.01, radius_m * 1.5), radius_m * 16)
            else:
                growth = math.sqrt(2 * K / len(rows)) if rows else 4.0
                radius_m *= min(max(growth, 2.0), 16.0)


def load_units(conn, *, dialect: str, units: Sequence[UnitSnapshot], est) -> None:
    cur = conn.cursor()
    schema = "" if dialect == "sqlite" else f"{PG_SCHEMA}."
    bool_type = "INTEGER" if dialect == "sqlite" else "BOOLEAN"
    unlogged = "" if dialect == "sqlite" else "UNLOGGED "
    cur.execute(
        f"CREATE {unlogged}TABLE {schema}unit_kind (code INTEGER PRIMARY KEY, "
        "overhead_s DOUBLE PRECISION, s_per_m_urban DOUBLE PRECISION, "
        "s_per_m_rural DOUBLE PRECISION)"
    )
    cur.execute(
        f"CREATE {unlogged}TABLE {schema}unit (id TEXT PRIMARY KEY, lng DOUBLE PRECISION, "
        f"lat DOUBLE PRECISION, kind INTEGER, caps INTEGER, available {bool_type})"
    )
    ph = "?" if dialect == "sqlite" else "%s"
    kind_rows = []
    for kind in UNIT_KINDS:
        urban_kmh, rural_kmh = est.speeds_kmh[kind]
        kind_rows.append(
            (
                UNIT_KIND_CODES[kind],
                est.dispatch_overhead_s[kind],
                est.detour_factor_urban * 3.6 / urban_kmh,
                est.detour_factor_rural * 3.6 / rural_kmh,
            )
        )
    cur.executemany(f"INSERT INTO {schema}unit_kind VALUES ({ph}, {ph}, {ph}, {ph})", kind_rows)
    unit_rows = [
        (
            u.id,
            u.lng,
            u.lat,
            UNIT_KIND_CODES[u.kind],
            capability_mask(u.capabilities),
            u.available if dialect == "postgresql" else int(u.available),
        )
        for u in units
    ]
    cur.executemany(
        f"INSERT INTO {schema}unit VALUES ({ph}, {ph}, {ph}, {ph}, {ph}, {ph})", unit_rows
    )
    conn.commit()


def add_indexes(conn, *, dialect: str) -> None:
    cur = conn.cursor()
    if dialect == "sqlite":
        cur.execute("CREATE INDEX unit_lat_lng ON unit (lat, lng)")
        cur.execute("ANALYZE")
    else:
        cur.execute(f"CREATE INDEX unit_lat_lng ON {PG_SCHEMA}.unit (lat, lng)")
        cur.execute(f"CREATE INDEX unit_point ON {PG_SCHEMA}.unit USING gist (point(lng, lat))")
        cur.execute(f"ANALYZE {PG_SCHEMA}.unit")
        cur.execute(f"ANALYZE {PG_SCHEMA}.unit_kind")
    conn.commit()


def time_method(
    name: str, fn: Callable[[Query], list[str]], queries: Sequence[Query], warmup: int = 20
) -> tuple[Timing, list[list[str]]]:
    for q in queries[:warmup]:
        fn(q)
    times: list[int] = []
    answers: list[list[str]] = []
    for q in queries:
        start = time.perf_counter_ns()
        ids = fn(q)
        times.append(time.perf_counter_ns() - start)
        answers.append(ids)
    return Timing(name, times), answers


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument(
        "--loop-queries", type=int, default=200, help="incidents timed with the Python loop"
    )
    parser.add_argument(
        "--sql-queries", type=int, default=500, help="incidents timed with each SQL method"
    )
    args = parser.parse_args()

    districts = load_boundaries("hengyang")
    urban_names = set(CitySpec().urban_districts)
    urban = unary_union([d.geometry for d in districts if d.name_zh in urban_names])
    city = load_city_outline("hengyang").geometry
    rng = np.random.default_rng(args.seed)
    units = make_fleet(rng, args.units, city, urban)
    queries = make_queries(rng, args.queries, city, urban)
    est = GreatCircleEstimator()

    start = time.perf_counter()
    fleet = FleetIndex(units)
    build_ms = (time.perf_counter() - start) * 1000
    scan_fleet = FleetIndex(units, box_search=False)

    def index_top(f: FleetIndex) -> Callable[[Query], list[str]]:
        def run(q: Query) -> list[str]:
            cands = f.top_k(q.lng, q.lat, k=K, required=q.required, estimator=est, urban=q.urban)
            return [c.unit_id for c in cands]

        return run

    n_loop = min(args.loop_queries, len(queries))
    n_sql = min(max(args.sql_queries, n_loop), len(queries))
    results: list[Timing] = []
    answers: dict[str, list[list[str]]] = {}
    for name, fn, qs in [
        ("FleetIndex.top_k (box search)", index_top(fleet), queries),
        ("FleetIndex.top_k (vectorised scan of all units)", index_top(scan_fleet), queries),
        ("plain Python loop + sort", lambda q: python_loop(units, est, q), queries[:n_loop]),
    ]:
        timing, got = time_method(name, fn, qs)
        results.append(timing)
        answers[name] = got

    bounds = (
        float(fleet.lng.min()),
        float(fleet.lat.min()),
        float(fleet.lng.max()),
        float(fleet.lat.max()),
    )

    def first_radius(lng: float, lat: float) -> float:
        return fleet.initial_radius_m(lng, lat, k=K)

    sqlite_conn = sqlite3.connect(":memory:")
    sqlite_version = sqlite3.sqlite_version
    try:
        sqlite_conn.execute("SELECT sin(1), asin(0.5), radians(180), power(2, 2)").fetchone()
    except sqlite3.OperationalError:
        print("this SQLite has no math functions; it cannot run the SQL rows", file=sys.stderr)
        return 2
    load_units(sqlite_conn, dialect="sqlite", units=units, est=est)
    sql_methods: list[tuple[str, SqlRanker]] = [
        (
            "SQLite (in memory), full scan",
            SqlRanker(
                sqlite_conn,
                dialect="sqlite",
                est=est,
                box=None,
                fleet_bounds=bounds,
                first_radius=first_radius,
            ),
        )
    ]

    pg_note = ""
    pg_engine = None
    pg_conn = None
    try:
        pg_engine = sqlalchemy.create_engine(
            args.pg_url, connect_args={"connect_timeout": 3}, poolclass=sqlalchemy.NullPool
        )
        pg_conn = pg_engine.raw_connection()
    except Exception as exc:  # any failure to connect skips PostgreSQL
        pg_note = f"PostgreSQL skipped: {type(exc).__name__}: {str(exc).splitlines()[0]}"
        pg_conn = None

    try:
        if pg_conn is not None:
            cur = pg_conn.cursor()
            cur.execute("SHOW server_version")
            pg_note = f"PostgreSQL {cur.fetchone()[0]}"
            cur.execute(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE")
            cur.execute(f"CREATE SCHEMA {PG_SCHEMA}")
            pg_conn.commit()
            load_units(pg_conn, dialect="postgresql", units=units, est=est)
            cur.execute(f"ANALYZE {PG_SCHEMA}.unit")
            pg_conn.commit()
            sql_methods.append(
                (
                    "PostgreSQL, full scan",
                    SqlRanker(
                        pg_conn,
                        dialect="postgresql",
                        est=est,
                        box=None,
                        fleet_bounds=bounds,
                        first_radius=first_radius,
                    ),
                )
            )

        for name, ranker in sql_methods:
            timing, got = time_method(name, ranker.top, queries[:n_sql])
            results.append(timing)
            answers[name] = got
            ranker.conn.commit()

        add_indexes(sqlite_conn, dialect="sqlite")
        box_methods = [
            (
                "SQLite, box prefilter on (lat, lng) B-tree",
                SqlRanker(
                    sqlite_conn,
                    dialect="sqlite",
                    est=est,
                    box=BOX_SQL,
                    fleet_bounds=bounds,
                    first_radius=first_radius,
                ),
            )
        ]
        if pg_conn is not None:
            add_indexes(pg_conn, dialect="postgresql")
            box_methods += [
                (
                    "PostgreSQL, box prefilter on (lat, lng) B-tree",
                    SqlRanker(
                        pg_conn,
                        dialect="postgresql",
                        est=est,
                        box=BOX_SQL,
                        fleet_bounds=bounds,
                        first_radius=first_radius,
                    ),
                ),
                (
                    "PostgreSQL, box prefilter on GiST point index",
                    SqlRanker(
                        pg_conn,
                        dialect="postgresql",
                        est=est,
                        box=GIST_BOX_SQL,
                        fleet_bounds=bounds,
                        first_radius=first_radius,
                    ),
                ),
            ]
        for name, ranker in box_methods:
            timing, got = time_method(name, ranker.top, queries[:n_sql])
            results.append(timing)
            answers[name] = got
            ranker.conn.commit()
    finally:
        if pg_conn is not None:
            pg_conn.rollback()
            cur = pg_conn.cursor()
            cur.execute(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE")
            pg_conn.commit()
            pg_conn.close()
        if pg_engine is not None:
            pg_engine.dispose()
        sqlite_conn.close()

    reference = answers["plain Python loop + sort"]
    for name, got in answers.items():
        for i in range(n_loop):
            if got[i] != reference[i]:
                print(f"MISMATCH {name} on incident {i}: {got[i]} != {reference[i]}")
                return 1

    loop_median = next(t for t in results if t.method == "plain Python loop + sort").median_us
    eligible = [
        sum(1 for u in units if u.available and r <= u.capabilities) for r, _ in REQUIRED_CHOICES
    ]
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, "
        f"SQLite {sqlite_version}, {pg_note or 'no PostgreSQL'}"
    )
    print(
        f"{args.units:,} units, {args.queries:,} incidents, seed {args.seed}, k={K}; "
        f"FleetIndex built in {build_ms:.1f} ms; eligible units per required set: "
        + ", ".join(
            f"{'+'.join(sorted(r)) or 'any'} {n:,}"
            for (r, _), n in zip(REQUIRED_CHOICES, eligible, strict=True)
        )
    )
    print(f"top-{K} ids identical across all methods on the first {n_loop} incidents")
    print()
    print("| method | incidents timed | median µs | p99 µs | queries/s | speed-up vs loop |")
    print("|---|---:|---:|---:|---:|---:|")
    for t in results:
        print(
            f"| {t.method} | {len(t.times_ns):,} | {t.median_us:,.1f} | {t.p99_us:,.1f} | "
            f"{t.per_s:,.0f} | {loop_median / t.median_us:,.1f}x |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
