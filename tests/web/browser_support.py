"""Helpers for the browser tests: the real demo server, Chromium, console checks.

The pages are tested end to end: `yanyun demo` runs as a subprocess on a free
port with its own SQLite file, and Debian's Chromium is driven by Playwright.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from yanyun.auth.demo import DEMO_USERS
from yanyun.core.clock import SHANGHAI

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run",
]
REQUIRE_BROWSER = os.environ.get("YANYUN_TEST_REQUIRE_BROWSER") == "1"
PASSWORDS = {u.username: u.password for u in DEMO_USERS}
REPO_ROOT = Path(__file__).resolve().parents[2]
RESULTS_DIR = REPO_ROOT / "test-results"
SERVER_START_TIMEOUT_S = 90.0
#: The demo server's clock starts here and runs, so no page test depends on the
#: calendar. CI runs the browser tests once more from a weekend evening just
#: before midnight (YANYUN_TEST_CLOCK_START), where a day turns mid-test.
CLOCK_START = os.environ.get("YANYUN_TEST_CLOCK_START", "2026-11-25T10:00:00+08:00")
SESSION_KEY = "yanyun.session"


def require_chromium() -> None:
    """Skip (or, with YANYUN_TEST_REQUIRE_BROWSER=1, fail) when Chromium is absent."""
    if CHROMIUM.exists():
        return
    reason = f"Chromium not installed at {CHROMIUM} (apt-get install chromium)"
    if REQUIRE_BROWSER:
        pytest.fail(reason)
    pytest.skip(reason)


def launch_chromium(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                      args=CHROMIUM_ARGS)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class DemoServer:
    base_url: str
    process: subprocess.Popen
    log_path: Path

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError:
            return ""


def _server_env(database_url: str, lake: Path | None = None,
                extra: dict[str, str] | None = None) -> dict[str, str]:
    # Settings from the developer's shell (a tile URL, say) must not leak into the test.
    env = {k: v for k, v in os.environ.items() if not k.startswith("YANYUN_")}
    env.update({
        "YANYUN_ENV": "development",
        "YANYUN_DATABASE_URL": database_url,
        "YANYUN_CLOCK_START": CLOCK_START,
        "PYTHONUNBUFFERED": "1",
    })
    if lake is not None:  # the data pool beside the test's database, not in the checkout
        env["YANYUN_LAKE_PATH"] = str(lake)
    env.update(extra or {})
    return env


@dataclass(frozen=True)
class DemoTemplate:
    """The plain demo city (no past), built once per test process and copied per server."""

    folder: Path
    build_log: bytes
    #: The building process's clock when it finished: a server on a copy starts its
    #: clock there, as if it had built the city itself just before serving it.
    clock_end: datetime


_template: DemoTemplate | None = None


def demo_template() -> DemoTemplate:
    """Build the plain demo once for this process (a city build costs 20-60 s; a
    server on a copy of it is up in a few), so each test module still gets a
    fresh database of its own without paying for the whole city again."""
    global _template
    if _template is not None:
        return _template
    folder = Path(tempfile.mkdtemp(prefix="yanyun-demo-template-"))
    atexit.register(shutil.rmtree, folder, True)
    started = time.monotonic()
    built = subprocess.run(
        [sys.executable, "-m", "yanyun.cli", "demo", "--no-serve", "--no-live",
         "--history-days", "0"],
        cwd=REPO_ROOT, env=_server_env(f"sqlite:///{folder / 'demo.db'}", folder / "lake"),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=SERVER_START_TIMEOUT_S * 3,
    )
    elapsed = time.monotonic() - started
    if built.returncode != 0:
        pytest.fail(f"the demo template failed to build ({built.returncode}):\n"
                    f"{built.stdout.decode(errors='replace')[-4000:]}")
    clock_end = datetime.fromisoformat(CLOCK_START) + timedelta(seconds=round(elapsed + 1))
    _template = DemoTemplate(folder, built.stdout, clock_end)
    return _template


def _copy_template(template: DemoTemplate, tmp_dir: Path) -> None:
    for item in template.folder.iterdir():  # the database with its WAL files, and the lake
        if item.is_dir():
            shutil.copytree(item, tmp_dir / item.name)
        else:
            shutil.copy2(item, tmp_dir / item.name)


@contextlib.contextmanager
def run_demo_server(
    tmp_dir: Path, database_url: str | None = None, extra_args: tuple[str, ...] = (),
    extra_env: dict[str, str] | None = None,
) -> Iterator[DemoServer]:
    """Build the demo city into a fresh database (SQLite file by default) and serve it;
    ``extra_env`` sets YANYUN_ variables of the test's own (a job's interval, say).

    A plain SQLite demo (no past asked for) starts from a copy of the process's
    template; the demo's own steps then find the city built and only check it.
    """
    port = free_port()
    log_path = tmp_dir / "server.log"
    env_extra = dict(extra_env or {})
    template = None
    if database_url is None and "--history-days" not in extra_args:
        template = demo_template()
        _copy_template(template, tmp_dir)
        env_extra.setdefault("YANYUN_CLOCK_START", template.clock_end.isoformat())
    with log_path.open("wb") as log:
        if template is not None:
            log.write(template.build_log)
            log.flush()
        process = subprocess.Popen(
            [sys.executable, "-m", "yanyun.cli", "demo", "--host", "127.0.0.1",
             # No past by default (it costs seconds per server); a module that
             # needs it passes --history-days, and the last value given wins.
             "--port", str(port), "--no-live", "--history-days", "0", *extra_args],
            cwd=REPO_ROOT,
            env=_server_env(database_url or f"sqlite:///{tmp_dir / 'demo.db'}", tmp_dir / "lake",
                            env_extra),
            stdout=log, stderr=subprocess.STDOUT,
        )
    server = DemoServer(f"http://127.0.0.1:{port}", process, log_path)
    try:
        _wait_healthy(server)
        yield server
    finally:
        process.terminate()
        try:
            # Uvicorn waits for open WebSocket handlers on shutdown; the test data
            # is throwaway, so a short grace period, then kill.
            process.wait(timeout=3)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_healthy(server: DemoServer) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"yanyun demo exited with {server.process.returncode}:\n"
                        f"{server.log_tail()}")
        try:
            if httpx.get(f"{server.base_url}/api/v1/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail(f"yanyun demo not healthy after {SERVER_START_TIMEOUT_S} s:\n"
                f"{server.log_tail()}")


def server_now(base_url: str) -> datetime:
    """The demo server's own time, in Asia/Shanghai: tests compute their expectations from it."""
    resp = httpx.get(f"{base_url}/api/v1/health", timeout=10)
    assert resp.status_code == 200, resp.text
    return datetime.fromisoformat(resp.json()["now"]).astimezone(SHANGHAI)


def clear_of_midnight(base_url: str, margin_s: float = 180.0) -> datetime:
    """Wait, if the server's day ends within `margin_s`, until its next day has begun.

    A test that compares "today" on a page with "today" from the API must not
    straddle midnight (the calendar check runs the pages at 23:59). Returns the
    server's time after any wait.
    """
    now = server_now(base_url)
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    left_s = (midnight - now).total_seconds()
    if left_s < margin_s:
        time.sleep(left_s + 2)
        now = server_now(base_url)
    return now


def new_context(browser: Any, server: DemoServer, **options: Any) -> Any:
    """A browser context in Hengyang's time zone whose clock reads the server's time.

    A phone or PC in the bureau is synchronised with the server; a device
    clock off by days would (rightly) have its clock-ins refused as skewed.
    """
    options.setdefault("locale", "zh-CN")
    options.setdefault("timezone_id", "Asia/Shanghai")
    context = browser.new_context(**options)
    context.clock.install(time=server_now(server.base_url))
    return context


def api_login(base_url: str, username: str) -> dict[str, Any]:
    """Log a demo user in through the API; the login response as JSON."""
    resp = httpx.post(f"{base_url}/api/v1/auth/login",
                      json={"username": username, "password": PASSWORDS[username]}, timeout=10)
    assert resp.status_code == 200, resp.text
    return resp.json()


def api_get(base_url: str, token: str, path: str) -> Any:
    resp = httpx.get(f"{base_url}{path}", headers={"Authorization": f"Bearer {token}"},
                     timeout=10)
    assert resp.status_code == 200, (path, resp.status_code, resp.text)
    return resp.json()


def store_session(page: Any, base_url: str, login: dict[str, Any]) -> None:
    """Log the page in as the login page would: the HttpOnly session cookie the server
    sets, and who is logged in until when in sessionStorage (no token there)."""
    page.context.add_cookies([{
        "name": "yanyun_session", "value": login["access_token"], "url": base_url,
        "httpOnly": True, "sameSite": "Strict",
    }])
    page.goto(f"{base_url}/login")
    session = {"user": login["user"]}
    # Expiry counted on the browser's clock, as the login page does.
    page.evaluate(
        "([k, v, s]) => sessionStorage.setItem(k, JSON.stringify("
        "{...JSON.parse(v), expiresAt: new Date(Date.now() + s * 1000).toISOString()}))",
        [SESSION_KEY, json.dumps(session, ensure_ascii=False), login["expires_in_s"]],
    )


_HTTP_ERROR = re.compile(r"Failed to load resource: the server responded with a status of (\d+)")


@dataclass
class ConsoleWatch:
    """Console errors and uncaught exceptions of a page.

    A failed HTTP request is logged by Chromium itself as a console error; a
    test that provokes one on purpose (a wrong password, a click outside the
    city) allows its status.
    """

    errors: list[str] = field(default_factory=list)
    allowed_statuses: set[int] = field(default_factory=set)

    def attach(self, page: Any) -> None:
        page.on("console", lambda msg: msg.type == "error" and self.errors.append(msg.text))
        page.on("pageerror", lambda exc: self.errors.append(f"uncaught: {exc}"))

    def allow_status(self, *statuses: int) -> None:
        self.allowed_statuses.update(statuses)

    def unexpected(self) -> list[str]:
        found = []
        for text in self.errors:
            match = _HTTP_ERROR.search(text)
            if match and int(match.group(1)) in self.allowed_statuses:
                continue
            found.append(text)
        return found


@contextlib.contextmanager
def watched_tab(
    browser: Any, server: DemoServer, *, viewport: dict[str, int], timeout_ms: int = 20_000,
    allow_statuses: tuple[int, ...] = (),
) -> Iterator[Any]:
    """A tab in a fresh context whose console is watched: any unexpected error fails the test
    when the tab is given back (``allow_statuses``: answers the test provokes on purpose)."""
    console = ConsoleWatch()
    console.allow_status(*allow_statuses)
    context = new_context(browser, server, viewport=viewport, locale="zh-CN")
    context.set_default_timeout(timeout_ms)
    tab = context.new_page()
    console.attach(tab)
    try:
        yield tab
    finally:
        context.close()
    assert not console.unexpected(), f"console errors: {console.unexpected()}"


def demo_with_history(tmp_path_factory: Any, days: int) -> Iterator[DemoServer]:
    """A demo server (for a module's fixture) that starts with `days` of past incidents."""
    require_chromium()
    with run_demo_server(
        tmp_path_factory.mktemp("demo"), extra_args=("--history-days", str(days))
    ) as running:
        yield running
