"""The server's resident memory: at start, and after rounds of page loads, per allocator setting.

Builds the city once with the project's own builder (as bench_city_pages does:
`yanyun demo --no-serve --no-live --history-days N [--history-per-day M]`,
kept under --dir), then for each allocator setting starts a fresh
`yanyun serve` on it (its jobs and outbox runner running, as in production),
reads the process's resident set (VmRSS, /proc) when it answers, after its
warm-up, and after each round of page loads: every page's first data (the
wall, the console's incidents and units, the work list, the forecast for
the city and a station, the tidal plan), `--calls` calls each, and in each
round the forecast for `--categories` more incident categories (each is a
product of its own, so a per-process store of rendered products that grew
without bound would show here). Side by side: glibc's default arenas
(``YANYUN_WEB__MALLOC_ARENAS=0``, the server as it was: glibc gives a busy
thread an arena of its own, up to 8 per core, and each keeps what it once
held) and the server's default now (2 arenas, set with mallopt at start;
yanyun.core.memory).

    PYTHONPATH=src python benchmarks/bench_server_memory.py [--days 90] [--per-day 0] \
        [--dir /tmp/yanyun-mem] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_city_pages import PASSWORDS, database_url, ensure_built  # noqa: E402

PAGES = [
    ("/api/v1/dashboard/day", "admin"),
    ("/api/v1/incidents?open_only=true&limit=500", "dispatcher"),
    ("/api/v1/units?limit=200", "dispatcher"),
    ("/api/v1/oversight/worklist?mine=false", "supervisor"),
    ("/api/v1/forecast/next-day", "analyst"),
    ("/api/v1/forecast/next-day", "chief"),
    ("/api/v1/duty/tidal", "duty"),
]
SETTINGS = {"glibc's arenas (before)": {"YANYUN_WEB__MALLOC_ARENAS": "0"},
            "2 arenas (now)": {}}


def rss_mb(pid: int) -> float:
    """Resident memory of a process, MB (VmRSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(url: str, lake: Path, extra_env: dict[str, str], log: Path) -> tuple[subprocess.Popen,
                                                                               str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("YANYUN_")}
    env.update(YANYUN_DATABASE_URL=url, YANYUN_LAKE_PATH=str(lake), **extra_env)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "yanyun.cli", "serve", "--host", "127.0.0.1",
             "--port", str(port)], env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                return process, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise SystemExit("server not healthy after 120 s")


def one_setting(url: str, lake: Path, extra_env: dict[str, str], args, log: Path) -> list[float]:
    process, base = serve(url, lake, extra_env, log)
    figures = [rss_mb(process.pid)]
    try:
        with httpx.Client(base_url=base, timeout=120) as client:
            tokens = {}
            for user, password in PASSWORDS.items():
                resp = client.post("/api/v1/auth/login",
                                   json={"username": user, "password": password})
                resp.raise_for_status()
                tokens[user] = {"Authorization": f"Bearer {resp.json()['access_token']}"}
            codes = [c["code"] for c in client.get("/api/v1/incident-categories",
                                                   headers=tokens["analyst"]).json()]
            time.sleep(args.settle_s)  # the warm-up and the first jobs' pass
            figures.append(rss_mb(process.pid))
            for n in range(args.rounds):
                picked = codes[n * args.categories:(n + 1) * args.categories]
                calls = [*PAGES, *((f"/api/v1/forecast/next-day?category={c}", "analyst")
                                   for c in picked)]
                for path, user in calls:
                    for _ in range(args.calls):
                        client.get(path, headers=tokens[user]).raise_for_status()
                figures.append(rss_mb(process.pid))
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--per-day", type=int, default=0,
                        help="incidents a day (0: the demo's own rate)")
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--dir", type=Path, default=Path("/tmp/yanyun-mem"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--calls", type=int, default=10)
    parser.add_argument("--categories", type=int, default=2,
                        help="more forecast categories asked in each round")
    parser.add_argument("--settle-s", type=float, default=5.0)
    args = parser.parse_args()
    url = database_url(args.backend, args.days, args.per_day or 0, args.dir)
    lake = ensure_built(url, args.days, args.per_day, args.dir) if args.per_day else \
        _ensure_demo(url, args.days, args.dir)
    rows = {name: one_setting(url, lake, env, args, args.dir / f"server-{n}.log")
            for n, (name, env) in enumerate(SETTINGS.items())}
    moments = ["serving", f"after {args.settle_s:g} s (warm-up)",
               *(f"after round {n + 1}" for n in range(args.rounds))]
    print(f"backend={args.backend} days={args.days} per_day={args.per_day or 'demo'} "
          f"calls={args.calls} per page per round, +{args.categories} forecast categories "
          "per round")
    print("| moment | " + " | ".join(f"RSS MB, {name}" for name in rows) + " |")
    print("|---|" + "---|" * len(rows))
    for i, moment in enumerate(moments):
        print(f"| {moment} | " + " | ".join(f"{figs[i]:.0f}" for figs in rows.values()) + " |")


def _ensure_demo(url: str, days: int, root: Path) -> Path:
    """The demo at its own rate, `days` of history, built once under `root`."""
    folder = Path(url.removeprefix("sqlite:///")).parent if url.startswith("sqlite") else \
        root / f"d{days}xdemo"
    lake = folder / "lake"
    folder.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, YANYUN_DATABASE_URL=url, YANYUN_LAKE_PATH=str(lake))
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "yanyun.cli", "demo", "--no-serve", "--no-live",
                    "--history-days", str(days)], env=env, capture_output=True, check=True)
    print(f"built or found {url} in {time.perf_counter() - started:.0f} s", flush=True)
    return lake


if __name__ == "__main__":
    main()
