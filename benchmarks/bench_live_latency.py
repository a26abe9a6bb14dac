"""From commit to screen: how long until an incident created over the API shows on open pages.

Starts the real `yanyun demo --no-live`, opens /console and /wall in Debian's
Chromium (Playwright), then creates incidents one at a time over HTTP. The
clock starts when the 201 answer arrives (the transaction is committed before
the answer is sent) and stops when a MutationObserver in each page sees the
incident: the console's queue row, the wall's redraw that counts it. The live
path is: outbox row -> event poller (every YANYUN_WEB__EVENT_POLL_S) ->
WebSocket -> the console re-reads the incident / the wall uses the event's
own fields and redraws at most every 250 ms -> DOM.

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
from typing import Any

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

# Stamps, in page time (the machine's clock), when a row with a data-id or
# data-incident attribute first enters the page.
OBSERVER = """
window.__seen = {};
new MutationObserver((records) => {
  const now = Date.now();
  for (const r of records) for (const n of r.addedNodes) {
    if (n.nodeType !== 1) continue;
    for (const e of [n, ...n.querySelectorAll('[data-id],[data-incident]')]) {
      const id = e.dataset?.id || e.dataset?.incident;
      if (id && !(id in window.__seen)) window.__seen[id] = now;
    }
  }
}).observe(document.body, { childList: true, subtree: true });
"""


# The wall lists only the most urgent open incidents, so it is stamped when a
# redraw (body[data-renders] changes) first holds the incident in its figures.
WALL_OBSERVER = """
window.__seen = {};
new MutationObserver(() => {
  const now = Date.now();
  for (const id of window.yanyunWall.figures().open) {
    if (!(id in window.__seen)) window.__seen[id] = now;
  }
}).observe(document.body, { attributes: true, attributeFilter: ['data-renders'] });
"""


def _open(browser: Any, base_url: str, login: dict, path: str, ready: str,
          observer: str = OBSERVER) -> Any:
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    store_session(page, base_url, login)
    page.goto(f"{base_url}{path}")
    page.wait_for_selector(ready)
    page.evaluate(observer)
    return page


def _summary(name: str, values: list[float]) -> str:
    values = sorted(values)
    p90 = values[int(0.9 * (len(values) - 1))]
    return f"| {name} | {statistics.median(values):.0f} | {p90:.0f} | {values[-1]:.0f} |"


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
        console = _open(browser, server.base_url, login, "/console",
                        "body[data-console-ready='1']")
        wall = _open(browser, server.base_url, login, "/wall", "body[data-wall-ready='1']",
                     WALL_OBSERVER)
        console.wait_for_timeout(1000)
        wall_ms: list[float] = []
        with httpx.Client(base_url=server.base_url,
                          headers={"Authorization": f"Bearer {token}"}) as client:
            for n in range(args.incidents):
                resp = client.post("/api/v1/incidents", json={
                    "narrative": f"测试警情{n}：报警人称电动车被盗", "category_code": "10",
                    "sub_code": "1002", "lng": lng, "lat": lat})
                committed_ms = time.time() * 1000
                resp.raise_for_status()
                inc_id = resp.json()["id"]
                for page, out in ((console, latencies_ms), (wall, wall_ms)):
                    page.wait_for_function("(id) => id in window.__seen", arg=inc_id,
                                           timeout=10_000)
                    out.append(page.evaluate("(id) => window.__seen[id]", inc_id) - committed_ms)
                # A random gap, so arrivals do not phase-lock with the poller.
                time.sleep(rng.uniform(0.1, 0.6))
        browser.close()
    print(f"incidents={len(latencies_ms)} event_poll_s=0.25 (default)")
    print("| page | median ms | p90 ms | max ms |")
    print("|---|---|---|---|")
    print(_summary("console (queue row)", latencies_ms))
    print(_summary("wall (charts and figures redrawn)", wall_ms))


if __name__ == "__main__":
    main()
