"""From commit to screen: how long until an incident created over the API shows on an open console.

Starts the real `yanyun demo --no-live`, opens /console in Debian's Chromium
(Playwright), then creates incidents one at a time over HTTP. The clock starts
when the 201 answer arrives (the transaction is committed before the answer
is sent) and stops when the incident's row is in the page's queue. The live
path is: outbox row -> event poller (every YANYUN_WEB__EVENT_POLL_S) ->
WebSocket -> the page re-reads the incident -> DOM.

Usage:
    .venv/bin/python benchmarks/bench_live_latency.py --incidents 30
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.web.browser_support import (  # noqa: E402
    api_get,
    api_login,
    launch_chromium,
    run_demo_server,
    store_session,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="yanyun-latency-"))
    latencies_ms: list[float] = []
    rng = random.Random(args.seed)
    with run_demo_server(tmp) as server, sync_playwright() as pw:
        login = api_login(server.base_url, "dispatcher")
        token = login["access_token"]
        station = api_get(server.base_url, token, "/api/v1/geo/stations")["features"][0]
        lng, lat = station["geometry"]["coordinates"]
        browser = launch_chromium(pw)
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        store_session(page, server.base_url, login)
        page.goto(f"{server.base_url}/console")
        page.wait_for_selector("body[data-console-ready='1']")
        page.wait_for_timeout(1000)
        with httpx.Client(
            base_url=server.base_url, headers={"Authorization": f"Bearer {token}"}
        ) as client:
            for n in range(args.incidents):
                resp = client.post(
                    "/api/v1/incidents",
                    json={
                        "narrative": f"测试警情{n}：报警人称电动车被盗",
                        "category_code": "10",
                        "sub_code": "1002",
                        "lng": lng,
                        "lat": lat,
                    },
                )
                committed = time.perf_counter()
                resp.raise_for_status()
                inc_id = resp.json()["id"]
                page.wait_for_selector(f".qrow[data-id='{inc_id}']", timeout=10_000)
                latencies_ms.append((time.perf_counter() - committed) * 1000)
                # A random gap, so arrivals do not phase-lock with the poller.
                time.sleep(rng.uniform(0.1, 0.6))
        browser.close()
    latencies_ms.sort()
    p90 = latencies_ms[int(0.9 * (len(latencies_ms) - 1))]
    print(f"incidents={len(latencies_ms)} event_poll_s=0.25 (default)")
    print("| measure | ms |")
    print("|---|---|")
    print(f"| median | {statistics.median(latencies_ms):.0f} |")
    print(f"| p90 | {p90:.0f} |")
    print(f"| max | {latencies_ms[-1]:.0f} |")


if __name__ == "__main__":
    main()
