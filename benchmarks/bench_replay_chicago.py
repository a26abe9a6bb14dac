"""Replay a window of real Chicago incidents against a fleet at the district stations.

Every policy of the simulator (recommend, nearest_station, nearest_unit)
answers the same calls, with the same handling, reaction and on-scene times
(drawn from --seed), through the in-memory port (yanyun.sim.memory_port): no
database, the platform's own ranking and travel-time estimator. Prints the
policies side by side and the time each replay took.

Data: City of Chicago data portal, "Crimes - 2001 to present" (see
../shared/data/README.md); read in place, never copied. Without the folder
the benchmark says so and exits 0.

Run: python benchmarks/bench_replay_chicago.py --data ../shared/data/chicago \
    --start 2018-10-01 --days 7 --units-per-station 6 --seed 1
"""

from __future__ import annotations

import argparse
import platform
import random
import sys
import time
from datetime import datetime
from pathlib import Path

import simpy

from yanyun.sim.chicago import chicago_fleet, load_chicago_incidents, load_chicago_stations
from yanyun.sim.engine import POLICIES
from yanyun.sim.replay import replay
from yanyun.sim.report import format_report

INCIDENTS = "incidents_2014_2018.parquet"
STATIONS = "chicago_police_stations.csv"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data/chicago"))
    parser.add_argument("--start", default="2018-10-01", help="local Chicago date or time")
    parser.add_argument("--days", type=float, default=7.0)
    parser.add_argument("--units-per-station", type=int, default=6)
    parser.add_argument(
        "--armed-per-station", type=int, default=None, help="default: a third of the units"
    )
    parser.add_argument("--arrival-target-s", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--policy", choices=[*POLICIES, "all"], default="all")
    args = parser.parse_args(argv)

    incidents, stations_csv = args.data / INCIDENTS, args.data / STATIONS
    if not (incidents.is_file() and stations_csv.is_file()):
        print(
            f"skipped: Chicago data not found under {args.data} "
            f"(needs {INCIDENTS} and {STATIONS}; see ../shared/data/README.md)"
        )
        return 0
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        print("skipped: pyarrow is needed to read the Parquet file (pip install pyarrow)")
        return 0

    armed = (
        args.armed_per_station
        if args.armed_per_station is not None
        else max(1, args.units_per_station // 3)
    )
    t0 = time.perf_counter()
    stations = load_chicago_stations(stations_csv)
    stream = load_chicago_incidents(
        incidents,
        start=datetime.fromisoformat(args.start),
        days=args.days,
        rng=random.Random(args.seed),
    )
    load_s = time.perf_counter() - t0
    fleet = chicago_fleet(
        stations, units_per_station=args.units_per_station, armed_per_station=armed
    )
    print(
        f"window: {stream.start:%Y-%m-%d %H:%M %Z} + {args.days:g} days; "
        f"{len(stream.calls):,} incidents with coordinates "
        f"({stream.dropped_no_location:,} without, dropped); classes {stream.by_class}"
    )
    print(
        f"fleet: {len(fleet)} patrol cars at {len(stations)} district stations "
        f"({args.units_per_station} per station, {armed} of them armed), urban speeds; "
        f"targets: dispatch 60 s, arrival {args.arrival_target_s} s"
    )
    print(f"read and prepared in {load_s:.2f} s")
    policies = list(POLICIES) if args.policy == "all" else [args.policy]
    reports = []
    for policy in policies:
        reports.append(
            replay(
                stream,
                units=fleet,
                stations=stations,
                policy=policy,
                arrival_target_s=args.arrival_target_s,
            )
        )
    print(format_report(reports))
    print(
        f"machine: {platform.machine()}, CPython {platform.python_version()}, "
        f"simpy {simpy.__version__}; total {time.perf_counter() - t0:.1f} s"
    )
    print('data: City of Chicago data portal, "Crimes - 2001 to present"')
    return 0


if __name__ == "__main__":
    sys.exit(main())
