"""Fifty clients at once on the real server: errors, latency and the health endpoint's latency.

The mix an outside audit used: users of every role opening their pages
(reads), dispatchers creating incidents and writing notes (writes), and
strangers guessing passwords at the login (the password hash must not hold
the other users up), while a probe asks `/api/v1/health` every 100 ms.
Both backends in one run, same load, side by side.

Usage:
    .venv/bin/python benchmarks/bench_load.py --clients 50 --seconds 30
    .venv/bin/python benchmarks/bench_load.py --backend sqlite --clients 10
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import drop_database, fresh_database_url  # noqa: E402
from tests.web.browser_support import PASSWORDS, api_login, run_demo_server  # noqa: E402

# What each role's pages ask for first.
READS = {
    "dispatcher": ["/api/v1/incidents?open_only=true&limit=200", "/api/v1/units?limit=2000",
                   "/api/v1/dashboard/day"],
    "chief": ["/api/v1/oversight/tasks?limit=100", "/api/v1/incidents?open_only=true",
              "/api/v1/duty/officers?limit=100"],
    "supervisor": ["/api/v1/oversight/board", "/api/v1/oversight/tasks?limit=100"],
    "opinion": ["/api/v1/opinion/events?limit=50"],
    "duty": ["/api/v1/duty/officers?limit=200", "/api/v1/dashboard/day"],
    "analyst": ["/api/v1/geo/stations", "/api/v1/dashboard/day"],
}
WRITERS = ("dispatcher",)
STRANGERS = 8


@dataclass
class Tally:
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    failures: Counter = field(default_factory=Counter)

    def add(self, started: float, status: int | None, failure: str | None = None) -> None:
        self.latencies_ms.append((time.perf_counter() - started) * 1000)
        if status is not None:
            self.statuses[status // 100 * 100] += 1
        if failure:
            self.failures[failure] += 1


def _quantile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _call(client: httpx.AsyncClient, tally: Tally, method: str, url: str, **kw) -> None:
    started = time.perf_counter()
    try:
        resp = await client.request(method, url, **kw)
    except httpx.HTTPError as exc:
        tally.add(started, None, type(exc).__name__)
        return
    failure = None
    if resp.status_code >= 500:
        failure = "5xx " + resp.text[:60]
    tally.add(started, resp.status_code, failure)


async def _user(base: str, token: str, role: str, stop: float, tally: Tally, rng: random.Random):
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as client:
        while time.monotonic() < stop:
            if role in WRITERS and rng.random() < 0.3:
                body = {"narrative": "有人在路口打架，请速来", "category_code": "10",
                        "lng": 112.6 + rng.uniform(-0.03, 0.03),
                        "lat": 26.9 + rng.uniform(-0.03, 0.03), "source": "phone"}
                await _call(client, tally, "POST", "/api/v1/incidents", json=body)
            else:
                await _call(client, tally, "GET", rng.choice(READS[role]))


async def _stranger(base: str, n: int, stop: float, tally: Tally) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        while time.monotonic() < stop:
            body = {"username": f"guess{n}", "password": "wrong-password"}
            await _call(client, tally, "POST", "/api/v1/auth/login", json=body)


async def _health(base: str, stop: float, tally: Tally) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        while time.monotonic() < stop:
            await _call(client, tally, "GET", "/api/v1/health")
            await asyncio.sleep(0.1)


async def _run(base: str, clients: int, seconds: float) -> dict[str, object]:
    roles = list(READS)
    tokens = {role: api_login(base, role)["access_token"] for role in roles}
    users, strangers, health = Tally(), Tally(), Tally()
    stop = time.monotonic() + seconds
    rng = random.Random(20261205)
    started = time.perf_counter()
    tasks = [
        _user(base, tokens[roles[i % len(roles)]], roles[i % len(roles)], stop, users,
              random.Random(rng.random()))
        for i in range(clients - STRANGERS)
    ]
    tasks += [_stranger(base, i, stop, strangers) for i in range(STRANGERS)]
    tasks.append(_health(base, stop, health))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - started
    return {
        "requests/s": len(users.latencies_ms) / elapsed,
        "p50 ms": _quantile(users.latencies_ms, 0.5),
        "p99 ms": _quantile(users.latencies_ms, 0.99),
        "errors": sum(users.failures.values()) + sum(strangers.failures.values()),
        "error kinds": dict(users.failures + strangers.failures),
        "logins/s (wrong)": len(strangers.latencies_ms) / elapsed,
        "health p50 ms": _quantile(health.latencies_ms, 0.5),
        "health p99 ms": _quantile(health.latencies_ms, 0.99),
        "health max ms": max(health.latencies_ms, default=float("nan")),
        "statuses": dict(users.statuses + strangers.statuses),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()
    assert set(READS) <= set(PASSWORDS)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    results = {}
    for backend in backends:
        tmp = Path(tempfile.mkdtemp(prefix="yanyun-load-"))
        url = fresh_database_url(backend, "bench_load", tmp)
        try:
            with run_demo_server(tmp, database_url=url) as server:
                results[backend] = asyncio.run(_run(server.base_url, args.clients, args.seconds))
        finally:
            drop_database(url)
    print(f"\n{args.clients} clients ({STRANGERS} of them guessing passwords), "
          f"{args.seconds:.0f} s, one server process per backend\n")
    keys = list(next(iter(results.values())))
    print(f"| figure | {' | '.join(results)} |")
    print(f"|---|{'---|' * len(results)}")
    for key in keys:
        cells = []
        for r in results.values():
            v = r[key]
            cells.append(f"{v:,.1f}" if isinstance(v, float) else str(v))
        print(f"| {key} | {' | '.join(cells)} |")
    mean_p50 = statistics.fmean(float(r["p50 ms"]) for r in results.values())
    print(f"\nmean p50 over backends: {mean_p50:.1f} ms")


if __name__ == "__main__":
    main()
