"""Sustained intake over HTTP: incidents/s and p99 against the same server's empty endpoint.

Starts the real `yanyun demo` (full Hengyang city) on a fresh database,
logs in as a dispatcher, then drives it with wrk (Debian's `wrk`):

1. GET /api/v1/health: the server's ceiling for a request doing nothing;
2. POST /api/v1/incidents: validate, locate to grid/station/district, find
   the 1-3-5 circle, number, write incident + call + transition + event +
   audit rows, commit (SQLite: synchronous=FULL), answer.

Usage:
    .venv/bin/python benchmarks/bench_intake_http.py --seconds 20 --connections 8
    .venv/bin/python benchmarks/bench_intake_http.py --backend postgresql
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import drop_database, fresh_database_url  # noqa: E402
from tests.web.browser_support import api_get, api_login, run_demo_server  # noqa: E402

LUA = """
wrk.method = "POST"
wrk.body = [[%s]]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %s"
"""


def _wrk(
    url: str,
    *,
    seconds: int,
    connections: int,
    threads: int,
    script: Path | None = None,
    token: str | None = None,
) -> dict[str, float]:
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if token and script is None:
        cmd += ["-H", f"Authorization: Bearer {token}"]
    if script:
        cmd += ["-s", str(script)]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps,
        "p99_ms": float(p99.group(1)) * scale,
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk not found: apt-get install wrk")
    tmp = Path(tempfile.mkdtemp(prefix="yanyun-bench-"))
    url = fresh_database_url(args.backend, "bench_http", tmp)
    try:
        with run_demo_server(tmp, database_url=url) as server:
            token = api_login(server.base_url, "dispatcher")["access_token"]
            station = api_get(server.base_url, token, "/api/v1/geo/stations")["features"][0]
            lng, lat = station["geometry"]["coordinates"]
            body = json.dumps(
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
            script = tmp / "post.lua"
            script.write_text(LUA % (body, token), encoding="utf-8")
            common = {
                "seconds": args.seconds,
                "connections": args.connections,
                "threads": args.threads,
            }
            empty = _wrk(f"{server.base_url}/api/v1/health", **common)
            intake = _wrk(f"{server.base_url}/api/v1/incidents", script=script, **common)
    finally:
        drop_database(url)
    print(f"backend={args.backend} connections={args.connections} seconds={args.seconds}")
    print("| endpoint | requests/s | p99 ms | non-2xx |")
    print("|---|---|---|---|")
    print(
        f"| GET /api/v1/health (empty) | {empty['rps']:.0f} | {empty['p99_ms']:.1f} | "
        f"{empty['non_2xx']} |"
    )
    print(
        f"| POST /api/v1/incidents | {intake['rps']:.0f} | {intake['p99_ms']:.1f} | "
        f"{intake['non_2xx']} |"
    )
    print(f"intake / empty ratio: {intake['rps'] / empty['rps']:.2f}")


if __name__ == "__main__":
    main()
