"""From commit to screen: how long until an incident created over the API shows on open pages.

Starts the real `yanyun demo --no-live`, opens /console and /wall in Debian's
Chromium (Playwright), then creates incidents one at a time over HTTP. The
clock starts when the 201 answer arrives (the transaction is committed before
the answer is sent) and stops when a MutationObserver in each page sees the
incident: the console's queue row, the wall's redraw that counts it. The live
path is: outbox row -> the commit wakes the event runner at once (a commit
hook in the process; PostgreSQL's NOTIFY for every other server process; the
poll every YANYUN_WEB__EVENT_POLL_S is only the fallback) -> WebSocket ->
the console re-reads the incident / the wall uses the event's own fields and
redraws at most every 250 ms -> DOM.

``--avl-units N`` runs the city's AVL beside it: N units each sending a fix
every 10 s (N/10 fixes a second, in one batch a second to
``POST /api/v1/units/positions``, one ``units.moved`` event per station),
so the fan-out carries the positions while the incidents are timed.

The server writes its stamps of the live path (``YANYUN_WEB__LIVE_TRACE_PATH``;
a server without it prints end-to-end figures only), and the console page
stamps each WebSocket message on arrival, so each incident's time is split
into stages, all from the commit (the commit hook's wake):
wake -> live read starts (the loop's turn and the reader thread) -> outbox
read -> fan-out to the sockets' queues -> sent on the console's socket ->
received by the page -> the queue row in the DOM (the console re-reads the
incident over HTTP before it draws the row). The 201 answer arrives after
the commit, so the page figures (from the 201, as before) are a little
shorter than commit -> page.

``--db-from DIR`` serves a copy of a city already built (SQLite, a folder
holding yanyun.db and lake/, as bench_city_pages builds the year: 365 days x
800), its clock starting now (the builder's history ends when it was built).

Usage:
    .venv/bin/python benchmarks/bench_live_latency.py --incidents 30
    .venv/bin/python benchmarks/bench_live_latency.py --avl-units 1000 \
        --db-from /tmp/yanyun-city/d365x800
    .venv/bin/python benchmarks/bench_live_latency.py --backend postgresql --avl-units 1000
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import drop_database, fresh_database_url  # noqa: E402
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


# Stamps each live event when its WebSocket message arrives, before the page's own handler.
WS_STAMP = """
window.__ws = {};
const Socket = window.WebSocket;
window.WebSocket = class extends Socket {
  constructor(...args) {
    super(...args);
    this.addEventListener('message', (m) => {
      const now = Date.now();
      try {
        const d = JSON.parse(m.data);
        if (d.type === 'event' && !(d.id in window.__ws)) window.__ws[d.id] = now;
      } catch (e) { /* not JSON */ }
    });
  }
};
"""


def _open(browser: Any, base_url: str, login: dict, path: str, ready: str,
          observer: str = OBSERVER) -> Any:
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.add_init_script(WS_STAMP)
    store_session(page, base_url, login)
    page.goto(f"{base_url}{path}")
    page.wait_for_selector(ready)
    page.evaluate(observer)
    return page


def _summary(name: str, values: list[float]) -> str:
    values = sorted(values)
    p90 = values[int(0.9 * (len(values) - 1))]
    p95 = values[int(0.95 * (len(values) - 1))]
    return (f"| {name} | {statistics.median(values):.0f} | {p90:.0f} | {p95:.0f} | "
            f"{values[-1]:.0f} |")


def _avl(base_url: str, token: str, units: int, stop: threading.Event, sent: list[int],
         slow: list[float]) -> None:
    """Every second a tenth of the units report (a fix each every 10 s), one batch."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=30) as client:
        fleet = client.get("/api/v1/units", params={"limit": 20000}).json()[:units]
        # The demo's clock is shifted: stamp fixes in the server's time.
        server_now = datetime.fromisoformat(client.get("/api/v1/health").json()["now"])
        shift = datetime.now(UTC) - server_now
        second = 0
        while not stop.is_set():
            started = time.monotonic()
            now = (datetime.now(UTC) - shift).isoformat()
            share = [u for i, u in enumerate(fleet) if i % 10 == second % 10]
            batch = [{"unit_id": u["id"], "lng": u["lng"] + 0.0001 * (second % 7),
                      "lat": u["lat"], "at": now} for u in share]
            if batch:
                resp = client.post("/api/v1/units/positions", json={"positions": batch})
                if resp.status_code == 200:
                    sent[0] += resp.json()["accepted"]
                slow.append((time.monotonic() - started) * 1000)
            second += 1
            stop.wait(max(0.0, 1.0 - (time.monotonic() - started)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--avl-units", type=int, default=0,
                        help="units sending a fix every 10 s while the incidents are timed")
    parser.add_argument("--db-from", type=Path, default=None,
                        help="a built city's folder (yanyun.db, lake/) to serve a copy of")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="yanyun-latency-"))
    latencies_ms: list[float] = []
    wall_ms: list[float] = []
    rng = random.Random(args.seed)
    if args.db_from is not None:
        import shutil

        shutil.copy(args.db_from / "yanyun.db", tmp / "demo.db")
        shutil.copytree(args.db_from / "lake", tmp / "lake")
        url = f"sqlite:///{tmp / 'demo.db'}"
    else:
        url = fresh_database_url(args.backend, "bench_live", tmp)
    stop = threading.Event()
    sent, batch_ms = [0], []
    stamps: list[dict] = []
    try:
        _measure(args, tmp, url, rng, latencies_ms, wall_ms, stop, sent, batch_ms, stamps)
    finally:
        stop.set()
        drop_database(url)
    print(f"backend={args.backend} db={args.db_from or 'demo (no past)'} "
          f"incidents={len(latencies_ms)} avl_units={args.avl_units} "
          f"fixes_accepted={sent[0]} avl_batch_p50_ms="
          f"{statistics.median(batch_ms) if batch_ms else 0:.0f}")
    print("| page | median ms | p90 ms | p95 ms | max ms |")
    print("|---|---|---|---|---|")
    print(_summary("console (queue row)", latencies_ms))
    print(_summary("wall (charts and figures redrawn)", wall_ms))
    _print_stages(tmp / "live-trace.jsonl", stamps)
    import shutil

    shutil.rmtree(tmp, ignore_errors=True)  # a copied year is 300 MB


def _trace(path: Path) -> tuple[dict[str, dict], dict[int, list[float]], list[dict]]:
    """The server's stamps: each resource's first live pass, each event's sends, all passes."""
    import json

    first_pass: dict[str, dict] = {}
    sends: dict[int, list[float]] = {}
    passes: list[dict] = []
    if not path.exists():
        return first_pass, sends, passes
    for line in path.read_text().splitlines():
        rec = json.loads(line)
        if rec["s"] == "pass":
            passes.append(rec)
            for event_id, _kind, resource_id in rec["events"]:
                first_pass.setdefault(resource_id, {**rec, "event_id": event_id})
        elif rec["s"] == "send":
            sends.setdefault(rec["id"], []).append(rec["t"] * 1000)
    return first_pass, sends, passes


def _print_stages(path: Path, stamps: list[dict]) -> None:
    """Each incident's path split into stages, ms (median and p95 over the incidents)."""
    first_pass, sends, passes = _trace(path)
    if not first_pass:
        print("(no server trace: this server does not write YANYUN_WEB__LIVE_TRACE_PATH)")
        return
    stages: dict[str, list[float]] = {}

    def add(name: str, value: float) -> None:
        stages.setdefault(name, []).append(value)

    for st in stamps:
        rec = first_pass.get(st["incident"])
        if rec is None or not rec["wake"]:
            continue
        wake = rec["wake"] * 1000
        sent = sorted(sends.get(rec["event_id"], []))
        add("commit (wake) -> 201 at the client", st["answered"] - wake)
        add("wake -> live read starts", rec["start"] * 1000 - wake)
        add("  of which: loop turn (wake -> dispatch)", rec["dispatch"] * 1000 - wake)
        add("outbox read (query + gap rule + JSON form)", (rec["read"] - rec["start"]) * 1000)
        add("fan-out to the sockets' queues", (rec["fanout"] - rec["read"]) * 1000)
        if sent:
            add("fan-out -> first socket sent", sent[0] - rec["fanout"] * 1000)
            add("fan-out -> last socket sent", sent[-1] - rec["fanout"] * 1000)
        ws = st["arrivals"].get(str(rec["event_id"]))
        if ws is not None:
            add("commit -> console's socket message", ws - wake)
            add("socket message -> queue row (re-read + draw)", st["row"] - ws)
        add("commit -> console queue row", st["row"] - wake)
    print()
    print("| stage (console) | median ms | p95 ms |")
    print("|---|---|---|")
    for name, values in stages.items():
        values = sorted(values)
        p95 = values[int(0.95 * (len(values) - 1))]
        print(f"| {name} | {statistics.median(values):.1f} | {p95:.1f} |")
    sizes = [len(p["events"]) for p in passes]
    reads = sorted((p["read"] - p["start"]) * 1000 for p in passes)
    print(f"live passes: {len(passes)}, events per pass median {statistics.median(sizes):.0f} "
          f"max {max(sizes)}; outbox read median {statistics.median(reads):.1f} ms, "
          f"p95 {reads[int(0.95 * (len(reads) - 1))]:.1f} ms")


def _measure(args, tmp, url, rng, latencies_ms, wall_ms, stop, sent, batch_ms,
             stamps) -> None:
    from playwright.sync_api import sync_playwright
    from tests.web import browser_support

    # Building the demo on PostgreSQL takes a minute and more on a loaded machine.
    browser_support.SERVER_START_TIMEOUT_S = max(browser_support.SERVER_START_TIMEOUT_S, 300)

    trace = {"YANYUN_WEB__LIVE_TRACE_PATH": str(tmp / "live-trace.jsonl")}
    if args.db_from is not None:
        trace["YANYUN_CLOCK_START"] = datetime.now(UTC).isoformat()
    with run_demo_server(tmp, database_url=url, extra_env=trace) as server, \
            sync_playwright() as pw:
        login = api_login(server.base_url, "dispatcher")
        token = login["access_token"]
        station = api_get(server.base_url, token, "/api/v1/geo/stations")["features"][0]
        lng, lat = station["geometry"]["coordinates"]
        browser = launch_chromium(pw)
        console = _open(browser, server.base_url, login, "/console",
                        "body[data-console-ready='1']")
        wall = _open(browser, server.base_url, login, "/wall", "body[data-wall-ready='1']",
                     WALL_OBSERVER)
        if args.avl_units:
            threading.Thread(target=_avl, args=(server.base_url, token, args.avl_units, stop,
                                                sent, batch_ms), daemon=True).start()
        console.wait_for_timeout(3000 if args.avl_units else 1000)
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
                stamps.append({"incident": inc_id, "answered": committed_ms,
                               "row": committed_ms + latencies_ms[-1]})
                # A random gap, so arrivals do not phase-lock with the poller.
                time.sleep(rng.uniform(0.1, 0.6))
        stop.set()
        # When the console's socket received each event (matched to incidents by the trace).
        arrivals = console.evaluate("() => window.__ws")
        for st in stamps:
            st["arrivals"] = arrivals
        browser.close()

if __name__ == "__main__":
    main()
