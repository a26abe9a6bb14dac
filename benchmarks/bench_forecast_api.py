"""Benchmark the forecast page's API: GET /api/v1/forecast/next-day, first and repeated calls.

The forecast page asks for tomorrow's forecast with its live score
(yesterday's hit rate and the last 30 days'). Run against a demo database
with a year of history, built once with

    YANYUN_DATABASE_URL=sqlite:////tmp/demo/yanyun.db YANYUN_LAKE_PATH=/tmp/demo/lake \
        yanyun demo --no-serve --history-days 365

then, with the same variables set:

    python benchmarks/bench_forecast_api.py --repeat 5

Printed per scope (the whole city as the analyst, one station as its chief)
and category: wall-clock milliseconds of the first call and the median of the
repeated ones, through FastAPI's TestClient (no network), with the server's
own clock.
"""

from __future__ import annotations

import argparse
import statistics
import time

from fastapi.testclient import TestClient

from yanyun.registry import load_settings
from yanyun.web.app import create_app

USERS = {"analyst": "yanyun-analyst-2026", "chief": "yanyun-chief-2026"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    client = TestClient(create_app(load_settings()))
    print("| user (scope) | category | first call ms | repeated calls ms (median) "
          "| incidents used | score days |")
    print("|---|---|---|---|---|---|")
    for user, password in USERS.items():
        token = client.post(
            "/api/v1/auth/login", json={"username": user, "password": password}
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        for category in (None, "70"):
            params = {"category": category} if category else {}
            times = []
            for _ in range(args.repeat + 1):
                started = time.perf_counter()
                resp = client.get("/api/v1/forecast/next-day", params=params, headers=headers)
                times.append((time.perf_counter() - started) * 1000)
                resp.raise_for_status()
            body = resp.json()
            print(
                f"| {user} | {category or 'all'} | {times[0]:.0f} "
                f"| {statistics.median(times[1:]):.0f} | {body['incidents_used']} "
                f"| {body['score']['days']} |"
            )


if __name__ == "__main__":
    main()
