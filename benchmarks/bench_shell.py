"""What the shell adds to every office page: /me/home, /me/inbox and /search per role.

Builds the demo city (no past, no live calls) into a fresh SQLite file, then
times each of the shell's calls over HTTP (in process) for each office role,
beside the smallest signed-in call a page already makes (/api/v1/auth/me).

    PYTHONPATH=src .venv/bin/python benchmarks/bench_shell.py --repeat 30
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path

from fastapi.testclient import TestClient

from yanyun.auth.demo import DEMO_USERS
from yanyun.cli.main import run_demo_steps
from yanyun.core.clock import SHANGHAI, FrozenClock
from yanyun.core.contexts import DemoOptions
from yanyun.core.db import build_runtime
from yanyun.core.migrate import upgrade
from yanyun.registry import load_settings
from yanyun.web.app import create_app

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)
CALLS = {
    "auth/me (baseline)": "/api/v1/auth/me",
    "me/home": "/api/v1/me/home",
    "me/inbox": "/api/v1/me/inbox",
    "search 网格": "/api/v1/search?q=%E7%BD%91%E6%A0%BC",
    "search 衡阳东站": "/api/v1/search?q=%E8%A1%A1%E9%98%B3%E4%B8%9C%E7%AB%99",
}


def _ms(client: TestClient, headers: dict[str, str], path: str, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        resp = client.get(path, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        assert resp.status_code == 200, (path, resp.status_code, resp.text[:200])
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'demo.db'}"
        upgrade(url)
        settings = load_settings(database_url=url, env="development",
                                 lake_path=str(Path(tmp) / "lake"))
        runtime = build_runtime(settings, clock=FrozenClock(NOW))
        started = time.perf_counter()
        for _ in run_demo_steps(runtime, DemoOptions(history_days=0, live=False)):
            pass
        print(f"demo built in {time.perf_counter() - started:.0f} s (SQLite, no past)")
        client = TestClient(create_app(settings, runtime=runtime, background=False))
        print(f"| role | {' | '.join(CALLS)} |")
        print(f"|---|{'---:|' * len(CALLS)}")
        for demo in DEMO_USERS:
            if demo.role.value == "volunteer":
                continue
            login = client.post("/api/v1/auth/login",
                                json={"username": demo.username, "password": demo.password})
            client.cookies.clear()
            headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
            cells = []
            for path in CALLS.values():
                p50, p95 = _ms(client, headers, path, args.repeat)
                cells.append(f"{p50:.0f} / {p95:.0f} ms")
            print(f"| {demo.username} | {' | '.join(cells)} |")
        runtime.engine.dispose()


if __name__ == "__main__":
    main()
