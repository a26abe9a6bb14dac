"""Sustained intake over HTTP: incidents/s and p99 against the same server's empty endpoint.

Starts the real `yanyun demo` (full Hengyang city) on a fresh database,
logs in as a dispatcher, then drives it with wrk (Debian's `wrk`):

1. GET /api/v1/health: the server's ceiling for a request doing nothing;
2. POST /api/v1/incidents: validate, locate to grid/station/district, find
   the 1-3-5 circle, number, write incident + call + transition + event +
   audit rows, commit (SQLite: synchronous=FULL), answer.

On SQLite the intake runs twice in one run, each on its own fresh server:
with the fair writer queue (write sessions take their turn in arrival order
before BEGIN IMMEDIATE, core.db.FairLock) and without it
(YANYUN_SQLITE_FAIR_WRITES=0: waiting writers spin in SQLite's busy handler).
``--paced N`` first runs a human-paced load on the fresh server: N dispatchers each creating
an incident every ``--pace-s`` seconds (random start), its p50/p99.

Usage:
    .venv/bin/python benchmarks/bench_intake_http.py --seconds 20 --connections 8 32
    .venv/bin/python benchmarks/bench_intake_http.py --backend postgresql --paced 30
    # before/after, back to back: main's server, then this checkout's
    .venv/bin/python benchmarks/bench_intake_http.py --fair on --paced 30 \
        --reference-src ../main/src
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import drop_database, fresh_database_url  # noqa: E402
from tests.web import browser_support  # noqa: E402
from tests.web.browser_support import api_get, api_login, run_demo_server  # noqa: E402

# A shared, loaded machine may take minutes to build the demo city.
browser_support.SERVER_START_TIMEOUT_S = max(browser_support.SERVER_START_TIMEOUT_S, 600.0)

LUA = """
wrk.method = "POST"
wrk.body = [[%s]]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %s"
"""


def _ms(text: str) -> float:
    m = re.match(r"([\d.]+)(us|ms|s)", text)
    return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]


def _wrk(
    url: str,
    *,
    seconds: int,
    connections: int,
    threads: int,
    script: Path | None = None,
    token: str | None = None,
) -> dict[str, float]:
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
           "--timeout", "30s"]
    if token and script is None:
        cmd += ["-H", f"Authorization: Bearer {token}"]
    if script:
        cmd += ["-s", str(script)]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: .*timeout (\d+)", out)
    return {
        "rps": rps,
        "p50_ms": p50,
        "p99_ms": p99,
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
        "timeouts": int(errors.group(1)) if errors else 0,
    }


async def _paced(base_url: str, token: str, body: str, dispatchers: int, pace_s: float,
                 seconds: float) -> list[float]:
    """Each dispatcher creates an incident every ``pace_s`` (random phase); latencies in ms."""
    latencies: list[float] = []
    failures = 0
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    start = time.monotonic()
    end = start + seconds
    slow: list[tuple[float, float]] = []

    async def one(client: httpx.AsyncClient, rng: random.Random) -> None:
        nonlocal failures
        await asyncio.sleep(rng.uniform(0, pace_s))
        while time.monotonic() < end:
            t0 = time.perf_counter()
            resp = await client.post(f"{base_url}/api/v1/incidents", content=body.encode(),
                                     headers=headers)
            latencies.append((time.perf_counter() - t0) * 1000)
            slow.append((latencies[-1], time.monotonic() - start))
            failures += resp.status_code != 201
            await asyncio.sleep(max(0.0, pace_s - (time.perf_counter() - t0)))

    limits = httpx.Limits(max_connections=dispatchers)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        await asyncio.gather(*(one(client, random.Random(i)) for i in range(dispatchers)))
    if failures:
        print(f"paced: {failures} answers not 201")
    worst = sorted(slow, reverse=True)[:5]
    print("paced: slowest calls (ms, at s into the run): "
          + ", ".join(f"{ms:.0f} at {at:.2f}" for ms, at in worst))
    return latencies


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _body(server_url: str, token: str) -> str:
    station = api_get(server_url, token, "/api/v1/geo/stations")["features"][0]
    lng, lat = station["geometry"]["coordinates"]
    return json.dumps(
        {
            "narrative": "报警人称在小区门口电动车被盗",
            "category_code": "10",
            "sub_code": "1002",
            "lng": lng,
            "lat": lat,
            "caller_phone": "13807341234",
        },
        ensure_ascii=False,
    )


def _run(args: argparse.Namespace, fair: bool | None, src: str | None = None) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="yanyun-bench-"))
    url = fresh_database_url(args.backend, "bench_http", tmp)
    env = {} if fair is None else {"YANYUN_SQLITE_FAIR_WRITES": "1" if fair else "0"}
    env.update(kv.split("=", 1) for kv in args.server_env)
    label = {None: "", True: " fair queue", False: " busy-wait (no queue)"}[fair]
    if src is not None:
        env["PYTHONPATH"] = str(Path(src).resolve())
        label += f" [server from {src}]"
    else:
        label += " [server from this checkout]"
    try:
        with run_demo_server(tmp, database_url=url, extra_env=env) as server:
            token = api_login(server.base_url, "dispatcher")["access_token"]
            body = _body(server.base_url, token)
            script = tmp / "post.lua"
            script.write_text(LUA % (body, token), encoding="utf-8")
            print(f"\nbackend={args.backend}{label}")
            if args.paced and args.settle_s:
                # Past the jobs that run at start: the steady state a shift works in.
                time.sleep(args.settle_s)
            if args.paced:
                lat = asyncio.run(_paced(server.base_url, token, body, args.paced, args.pace_s,
                                         args.paced_seconds))
                print(f"paced: {args.paced} dispatchers, one incident each every {args.pace_s:g} s"
                      f" for {args.paced_seconds:g} s, starting {args.settle_s:g} s after start-up:"
                      f" {len(lat)} calls, p50 "
                      f"{statistics.median(lat):.1f} ms, p99 {_pct(lat, 0.99):.1f} ms, max "
                      f"{max(lat):.1f} ms", flush=True)
            if not args.seconds:
                print(f"server log: {server.log_path}")
                return
            print(f"wrk, {args.seconds} s each, after the paced load:")
            print("| connections | endpoint | requests/s | p50 ms | p99 ms | p99/p50 | non-2xx |"
                  " intake/health |")
            print("|---|---|---|---|---|---|---|---|")
            for connections in args.connections:
                common = {"seconds": args.seconds, "connections": connections,
                          "threads": args.threads}
                empty = _wrk(f"{server.base_url}/api/v1/health", **common)
                intake = _wrk(f"{server.base_url}/api/v1/incidents", script=script, **common)
                for name, r in (("GET /api/v1/health", empty), ("POST /api/v1/incidents", intake)):
                    ratio = f"{intake['rps'] / empty['rps']:.2f}" if r is intake else ""
                    print(f"| {connections} | {name} | {r['rps']:.0f} | {r['p50_ms']:.1f} | "
                          f"{r['p99_ms']:.1f} | {r['p99_ms'] / max(r['p50_ms'], 0.001):.1f} | "
                          f"{r['non_2xx'] + r['timeouts']} | {ratio} |", flush=True)
    finally:
        drop_database(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, nargs="+", default=[8])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--fair", choices=["both", "on", "off"], default="both",
                        help="SQLite: with the fair writer queue, without, or both (default)")
    parser.add_argument("--paced", type=int, default=0, help="dispatchers at a human pace")
    parser.add_argument("--pace-s", type=float, default=20.0)
    parser.add_argument("--paced-seconds", type=float, default=60.0)
    parser.add_argument("--settle-s", type=float, default=0.0,
                        help="wait this long after the server is up before the paced load")
    parser.add_argument("--reference-src", metavar="PATH",
                        help="first run the same load on a server from this source tree (another "
                             "checkout's src/, e.g. main's), then on this checkout's")
    parser.add_argument("--server-env", nargs="*", default=[], metavar="KEY=VALUE",
                        help="YANYUN_ settings for the server (e.g. YANYUN_WEB__EVENT_POLL_S=1)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk not found: apt-get install wrk")
    for src in ([args.reference_src] if args.reference_src else []) + [None]:
        if args.backend == "postgresql":
            _run(args, None, src)
            continue
        for fair in {"both": (False, True), "on": (True,), "off": (False,)}[args.fair]:
            _run(args, fair, src)


if __name__ == "__main__":
    main()
