"""From a committed sighting batch to the 布控 alert on a live-channel client, against polling.

The app (the real `create_app`, its outbox runner and live hub) serves on a
local port under uvicorn in this process; a WebSocket client follows
``/api/v1/events/ws`` as a case member. Each round posts one batch (a few
hundred rows, one of them the watched plate) to the ingest API. The clock
starts at the commit of the ingest transaction (the outbox's after-commit
hook, in this process, so the same clock) and stops when the client reads
the ``watch.hit`` event; it also notes when the case's timeline holds the
hit (the ``case.changed`` event of the case consumer's commit).

The previous way, a workspace reading the case every 15 s, is modelled from
the same rounds, not waited out (50 rounds x 15 s would take 12 minutes): a
poller at a random phase sees the hit at its first poll after the timeline
entry is committed, so its delay is the timeline's delay plus U(0, 15 s).

Usage:
    .venv/bin/python benchmarks/bench_watch_alert.py --hits 50 --backend sqlite
    .venv/bin/python benchmarks/bench_watch_alert.py --hits 50 --backend postgresql
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import uvicorn
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import (  # noqa: E402
    PASSWORDS,
    drop_database,
    fresh_database_url,
    make_settings,
    prepare_database,
)
from tests.web.browser_support import free_port  # noqa: E402

from yanyun.core import events  # noqa: E402
from yanyun.core.clock import SystemClock  # noqa: E402
from yanyun.core.db import build_runtime, session_scope  # noqa: E402
from yanyun.geo.service import load_index  # noqa: E402
from yanyun.intel import service as intel_service  # noqa: E402
from yanyun.intel.settings import IntelSettings  # noqa: E402
from yanyun.web.app import create_app  # noqa: E402

PLATE = "湘D7K3M9"
POLL_S = 15.0


class Stamps:
    """perf_counter times of commits that wrote events, and of the client's events."""

    def __init__(self) -> None:
        self.commits: list[float] = []
        self.hits: list[float] = []
        self.timeline: list[float] = []
        self.lock = threading.Lock()

    def commit(self) -> None:
        with self.lock:
            self.commits.append(time.perf_counter())

    def first_commit_after(self, t: float) -> float:
        with self.lock:
            return next(c for c in self.commits if c >= t)


def _login(base: str, username: str, password: str | None = None) -> dict:
    resp = httpx.post(f"{base}/api/v1/auth/login", timeout=10, json={
        "username": username, "password": password or PASSWORDS[username]})
    resp.raise_for_status()
    return resp.json()


def _post(base: str, token: str, path: str, body: dict) -> dict:
    resp = httpx.post(f"{base}{path}", json=body, timeout=60,
                      headers={"Authorization": f"Bearer {token}"})
    if resp.status_code >= 300:
        raise RuntimeError(f"{path}: {resp.status_code} {resp.text}")
    return resp.json()


def _setup(base: str) -> tuple[dict, str]:
    """The analyst's case with the plate on watch, approved by the supervisor."""
    analyst = _login(base, "analyst")
    case = _post(base, analyst["access_token"], "/api/v1/cases",
                 {"kind": "criminal", "title": "盗抢机动车专案"})
    entry = _post(base, analyst["access_token"], "/api/v1/intel/watches", {
        "plate": PLATE, "case_number": case["number"], "reason": "被盗车辆，车主报案",
        "expires_at": (datetime.now(UTC) + timedelta(days=7)).isoformat()})
    _post(base, _login(base, "supervisor")["access_token"],
          f"/api/v1/intel/watches/{entry['id']}/decision", {"approve": True})
    return case, analyst["access_token"]


def _follow(base: str, token: str, case: dict, stamps: Stamps, stop: threading.Event) -> None:
    with connect(base.replace("http", "ws") + "/api/v1/events/ws") as ws:
        ws.send(json.dumps({"token": token, "after": 0}))
        while not stop.is_set():
            try:
                message = json.loads(ws.recv(timeout=0.5))
            except TimeoutError:
                continue
            except ConnectionClosed:  # the server stopping at the end of the run
                return
            now = time.perf_counter()
            kind, payload = message.get("kind"), message.get("payload") or {}
            if kind == "watch.hit":
                stamps.hits.append(now)
            elif kind == "case.changed" and payload.get("what") == "watch_hit" \
                    and payload.get("case_id") == case["id"]:
                stamps.timeline.append(now)


def _rows(round_: int, cameras: list[str], rng: random.Random, size: int) -> list[dict]:
    seen = datetime.now(UTC) - timedelta(seconds=120 - round_)
    rows = [{"plate": f"湘D{rng.randrange(10**5):05d}", "camera": rng.choice(cameras),
             "seen_at": (seen - timedelta(seconds=rng.random() * 60)).isoformat()}
            for _ in range(size - 1)]
    rows.append({"plate": PLATE, "camera": cameras[0], "seen_at": seen.isoformat()})
    return rows


def _stats(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def _serve(url: str, lake: Path) -> tuple[uvicorn.Server, threading.Thread, str, list[str]]:
    clock = SystemClock()
    prepare_database(url, clock)
    settings = make_settings(url, lake_path=lake,
                             intel=IntelSettings(cameras=300, demo_plates=50, demo_days=0))
    runtime = build_runtime(settings, clock=clock)
    with session_scope(runtime) as session:
        intel_service.build_cameras(session=session, clock=clock, index=load_index(session=session),
                                    count=300, seed=7)
    with session_scope(runtime) as session:
        cameras = [c.code for c in intel_service.list_cameras(
            session=session, kind=None, area=None, after=None, limit=300)]
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings, runtime=runtime), host="127.0.0.1",
                                           port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    return server, thread, base, cameras


def run(backend: str, hits: int, size: int) -> dict[str, tuple[float, float]]:
    tmp = Path(tempfile.mkdtemp(prefix="yanyun-watch-alert-"))
    url = fresh_database_url(backend, "bench_watch_alert", tmp)
    server, thread, base, cameras = _serve(url, tmp / "lake")
    stamps, stop = Stamps(), threading.Event()
    undo = events.on_commit_with_events(stamps.commit)
    try:
        case, token = _setup(base)
        follower = threading.Thread(target=_follow, args=(base, token, case, stamps, stop),
                                    daemon=True)
        follower.start()
        time.sleep(1.0)
        admin = _login(base, "admin")["access_token"]
        rng, alert, timeline = random.Random(7), [], []
        for n in range(hits):
            before = (len(stamps.hits), len(stamps.timeline))
            sent = time.perf_counter()
            _post(base, admin, "/api/v1/intel/sightings/batches",
                  {"batch_id": f"bench-{n}", "rows": _rows(n, cameras, rng, size)})
            deadline = time.monotonic() + 30
            while len(stamps.hits) <= before[0] or len(stamps.timeline) <= before[1]:
                if time.monotonic() > deadline:
                    raise RuntimeError("no alert within 30 s")
                time.sleep(0.001)
            committed = stamps.first_commit_after(sent)
            alert.append(stamps.hits[before[0]] - committed)
            timeline.append(stamps.timeline[before[1]] - committed)
        phases = random.Random(11)
        polled = [t + phases.uniform(0, POLL_S) for t in timeline]
        return {"alert": _stats(alert), "timeline": _stats(timeline), "poll": _stats(polled)}
    finally:
        undo()
        stop.set()
        server.should_exit = True
        thread.join(timeout=10)
        drop_database(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hits", type=int, default=50)
    parser.add_argument("--rows", type=int, default=500, help="rows per batch")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    print(f"{args.hits} hits, one batch of {args.rows} rows each (one row the watched plate)")
    print("| backend | path | median (s) | p95 (s) |")
    print("|---|---|---|---|")
    for backend in backends:
        figures = run(backend, args.hits, args.rows)
        for name, label in (("alert", "live channel: commit -> watch.hit on the socket"),
                            ("timeline", "case timeline holds it (case.changed on the socket)"),
                            ("poll", "previous way: workspace polls every 15 s (modelled)")):
            median, p95 = figures[name]
            print(f"| {backend} | {label} | {median:.3f} | {p95:.3f} |")


if __name__ == "__main__":
    main()
