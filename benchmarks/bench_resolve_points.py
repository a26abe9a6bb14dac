"""Benchmark point -> grid resolution over the Hengyang demo city.

Compares PointResolver.resolve_many (raster + exact fallback), the same
without its raster (bulk STRtree bounding-box query, then intersects_xy on
prepared grids), one bulk STRtree.query(points, predicate="intersects"), and
the naive loop of one STRtree query per point. The loop is timed on a subsample and scaled to the
full count, which the output says. All methods are checked to agree on the
subsample before any figure is printed.

Run: python benchmarks/bench_resolve_points.py --points 1000000 --seed 1
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np
import shapely

from yanyun.geo.boundaries import load_boundaries
from yanyun.geo.citygen import CitySpec, generate_city
from yanyun.geo.resolver import PointResolver


def naive_loop(tree: shapely.STRtree, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    out = np.full(len(x), -1, dtype=np.int32)
    for i in range(len(x)):
        hits = tree.query(shapely.Point(x[i], y[i]), predicate="intersects")
        if len(hits):
            out[i] = hits.min()
    return out


def bulk_predicate_query(tree: shapely.STRtree, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    point_idx, geom_idx = tree.query(shapely.points(x, y), predicate="intersects")
    best = np.full(len(x), np.iinfo(np.int32).max, dtype=np.int64)
    np.minimum.at(best, point_idx, geom_idx)
    best[best == np.iinfo(np.int32).max] = -1
    return best.astype(np.int32)


def best_time(fn, repeat: int) -> tuple[float, np.ndarray]:
    best = float("inf")
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--loop-points", type=int, default=100_000, help="subsample timed with the naive loop"
    )
    parser.add_argument("--repeat", type=int, default=3, help="best of N for the batch methods")
    args = parser.parse_args()

    districts = load_boundaries("hengyang")
    start = time.perf_counter()
    city = generate_city(districts, spec=CitySpec(), seed=args.seed)
    generate_s = time.perf_counter() - start
    grids = [g.geometry for g in city.grids]

    start = time.perf_counter()
    resolver = PointResolver(grids)
    build_s = time.perf_counter() - start
    plain = PointResolver(grids, raster_cells=0)
    tree = shapely.STRtree(grids)

    rng = np.random.default_rng(args.seed)
    minx, miny, maxx, maxy = shapely.total_bounds(np.array(grids))
    x = rng.uniform(minx, maxx, args.points)
    y = rng.uniform(miny, maxy, args.points)
    n_loop = min(args.loop_points, args.points)

    raster_s, raster_result = best_time(lambda: resolver.resolve_many(x, y), args.repeat)
    bulk_s, bulk_result = best_time(lambda: plain.resolve_many(x, y), args.repeat)
    query_s, query_result = best_time(lambda: bulk_predicate_query(tree, x, y), args.repeat)
    start = time.perf_counter()
    loop_result = naive_loop(tree, x[:n_loop], y[:n_loop])
    loop_sub_s = time.perf_counter() - start
    loop_s = loop_sub_s * args.points / n_loop

    if not (
        np.array_equal(raster_result[:n_loop], loop_result)
        and np.array_equal(bulk_result[:n_loop], loop_result)
        and np.array_equal(raster_result, bulk_result)
        and np.array_equal(raster_result, query_result)
    ):
        raise SystemExit("methods disagree: no figures printed")

    inside = float(np.mean(raster_result >= 0))
    print(
        f"Hengyang demo city: {len(city.grids)} grids, {len(city.stations)} stations, "
        f"generated in {generate_s:.2f} s (seed {args.seed})"
    )
    print(
        f"resolver build {build_s:.2f} s, raster {resolver.raster_shape}, "
        f"{resolver.raster_clear_fraction():.1%} of cells clear of edges"
    )
    print(
        f"{args.points:,} uniform points over the city bbox, {inside:.1%} inside a grid; "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"shapely {shapely.__version__} (GEOS {shapely.geos_version_string})"
    )
    print()
    print(f"| {'method':46s} | {'points':>9s} | {'seconds':>7s} | {'points/s':>10s} | speed-up |")
    print(f"|{'-' * 48}|{'-' * 11}|{'-' * 9}|{'-' * 12}|{'-' * 10}|")
    loop_name = "per-point STRtree loop" + (
        "" if n_loop == args.points else f" (scaled from {n_loop:,})"
    )
    rows = [
        (loop_name, loop_s),
        ('bulk STRtree.query(predicate="intersects")', query_s),
        ("bulk bbox query + intersects_xy (no raster)", bulk_s),
        ("PointResolver.resolve_many (raster)", raster_s),
    ]
    for name, seconds in rows:
        print(
            f"| {name:46s} | {args.points:>9,} | {seconds:7.3f} | "
            f"{args.points / seconds:>10,.0f} | {loop_s / seconds:7.1f}x |"
        )


if __name__ == "__main__":
    main()
