"""The one shell in Chromium: each role's home, the menu it offers, the inbox badge, the search.

One demo server and one browser for the module; a fresh context per role.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from tests.web.browser_support import (
    PASSWORDS,
    RESULTS_DIR,
    ConsoleWatch,
    DemoServer,
    api_get,
    api_login,
    new_context,
)
from yanyun import registry
from yanyun.auth.demo import DEMO_USERS
from yanyun.auth.permissions import Perm, permissions_of

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

HOMES = {
    "admin": "/map", "dispatcher": "/console", "analyst": "/forecast", "duty": "/wall",
    "opinion": "/opinion", "supervisor": "/oversight/board", "officer": "/home", "chief": "/home",
}
ROLE_OF = {u.username: u.role.value for u in DEMO_USERS}
SHOTS = RESULTS_DIR / "shell"
LAPTOP = {"width": 1366, "height": 768}


def _page_patterns() -> list[tuple[re.Pattern[str], str | None]]:
    """Each page's path as a pattern ({case_id} matches one segment), with its permission."""
    return [(re.compile("^" + re.sub(r"\{[^/]+\}", "[^/]+", p.path) + "$"), p.permission)
            for _, p in registry.pages()]


def _forbidden_links(page: Any, username: str) -> list[str]:
    granted = permissions_of([ROLE_OF[username]])
    paths = page.evaluate("""() => [...document.querySelectorAll('a[href]')]
        .map(a => new URL(a.href, location.href))
        .filter(u => u.origin === location.origin).map(u => u.pathname)""")
    bad = []
    for path in set(paths):
        for pattern, permission in _page_patterns():
            if pattern.match(path) and permission is not None and Perm(permission) not in granted:
                bad.append(path)
    return sorted(bad)


def _no_horizontal_scroll(page: Any) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, "
                           "document.documentElement.clientWidth, document.body.scrollWidth]")
    assert widths[0] <= widths[1] + 1 and widths[2] <= widths[1] + 1, (page.url, widths)


def _settle(page: Any) -> None:
    """The shell has its menu and the page its first data (or gave up on it)."""
    expect(page.locator("#shell")).to_have_attribute("data-ready", "1")
    # Every page marks itself ready (data-ready, data-map-ready, ...) once its data is drawn.
    page.wait_for_function("""() => [...document.body.attributes]
        .filter(a => /^data-([a-z]+-)?ready$/.test(a.name)).every(a => a.value !== '0')""")


def _badge_agrees_with_server(page: Any, server: DemoServer, token: str, key: str,
                              read: bool) -> None:
    """The badge shows the server's unread count and the item's read mark is `read`.

    The demo's live calls keep adding items to a station's inbox, so the count is
    compared with the server's at the same moment (polled), never with a number
    remembered from before.
    """
    deadline = time.monotonic() + 20
    while True:
        inbox = httpx.get(f"{server.base_url}/api/v1/me/inbox", timeout=10,
                          headers={"Authorization": f"Bearer {token}"}).json()
        shown = page.locator("#shell-badge").get_attribute("data-count")
        mine = [i for i in inbox["items"] if i["key"] == key]
        if mine and mine[0]["read"] is read and shown == str(inbox["unread"]):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"badge {shown}, server {inbox['unread']}, item {mine}")
        page.wait_for_timeout(250)


def _login(page: Any, server: DemoServer, username: str) -> None:
    page.goto(f"{server.base_url}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORDS[username])
    page.press("#password", "Enter")


@contextmanager
def _signed_in(browser: Any, server: DemoServer, username: str, *, viewport: dict = LAPTOP,
               before_login: Callable[[Any], None] | None = None,
               ) -> Iterator[tuple[Any, ConsoleWatch]]:
    """A fresh browser context signed in through the form as `username`, on their home page."""
    console = ConsoleWatch()
    context = new_context(browser, server, viewport=viewport)
    context.set_default_timeout(20_000)
    page = context.new_page()
    console.attach(page)
    if before_login is not None:
        before_login(page)
    try:
        _login(page, server, username)
        page.wait_for_url(f"{server.base_url}{HOMES[username]}")
        yield page, console
    finally:
        context.close()


@pytest.mark.parametrize("username", list(HOMES))
def test_each_role_lands_home_and_is_offered_only_what_it_may_open(
    browser: Any, server: DemoServer, username: str
) -> None:
    refused: list[tuple[str, str, int]] = []

    def watch_refusals(page: Any) -> None:
        page.on("response",
                lambda r: r.status >= 400 and refused.append((page.url, r.url, r.status)))

    with _signed_in(browser, server, username, before_login=watch_refusals) as (page, console):
        _settle(page)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"home-{username}.png"))
        offered = page.evaluate(
            "() => [...document.querySelectorAll('#shell-modules a[href]')]"
            ".map(a => new URL(a.href).pathname)")
        granted = permissions_of([ROLE_OF[username]])
        expected = {p.path for _, p in registry.pages()
                    if p.nav and "{" not in p.path and p.path != "/m"
                    and not p.path.startswith("/m/") and p.permission is not None
                    and Perm(p.permission) in granted}
        assert set(offered) == expected, username
        assert _forbidden_links(page, username) == []
        _no_horizontal_scroll(page)
        for path in offered:
            if path == HOMES[username]:
                continue
            page.goto(f"{server.base_url}{path}")
            _settle(page)
            assert _forbidden_links(page, username) == [], path
            _no_horizontal_scroll(page)
        assert not console.unexpected(), (username, console.unexpected(), refused)


def test_pages_fit_a_phone_width_and_a_wide_screen(browser: Any, server: DemoServer) -> None:
    login = api_login(server.base_url, "admin")
    offered = [m["path"] for m in
               api_get(server.base_url, login["access_token"], "/api/v1/me/home")["modules"]]
    for viewport in ({"width": 360, "height": 780}, {"width": 1920, "height": 1080}):
        with _signed_in(browser, server, "admin", viewport=viewport) as (page, console):
            for path in offered:
                page.goto(f"{server.base_url}{path}")
                _settle(page)
                _no_horizontal_scroll(page)
                if path == "/home":
                    page.screenshot(path=str(SHOTS / f"home-admin-{viewport['width']}.png"))
            if viewport["width"] == 360:
                # The modules fold into the menu button, and it opens them.
                expect(page.locator("#shell-modules")).to_be_hidden()
                page.click("#shell-menu-btn")
                expect(page.locator("#shell-modules")).to_be_visible()
                page.screenshot(path=str(SHOTS / "menu-admin-360.png"))
                _no_horizontal_scroll(page)
            assert not console.unexpected(), console.unexpected()


def test_inbox_badge_follows_a_task_given_from_another_session(
    browser: Any, server: DemoServer
) -> None:
    with _signed_in(browser, server, "officer") as (page, console):
        _settle(page)
        expect(page.locator("#shell-live")).to_have_attribute("data-state", "connected")
        supervisor = api_login(server.base_url, "supervisor")
        officer = api_login(server.base_url, "officer")
        resp = httpx.post(f"{server.base_url}/api/v1/oversight/tasks", timeout=10,
                          headers={"Authorization": f"Bearer {supervisor['access_token']}"},
                          json={"title": "核查解放路夜市消防通道",
                                "owner_user_id": officer["user"]["id"]})
        assert resp.status_code == 201, resp.text
        task_key = f"task:{resp.json()['id']}"

        _badge_agrees_with_server(page, server, officer["access_token"], task_key, read=False)
        item = page.locator(f"#home-sections li[data-key='{task_key}']")
        expect(item).to_contain_text("核查解放路夜市消防通道")

        page.click("#shell-inbox-btn")
        entry = page.locator(f"#shell-items li[data-key='{task_key}']")
        expect(entry).to_be_visible()
        page.screenshot(path=str(SHOTS / "inbox-officer.png"))
        entry.locator("button.shell-read").click()
        expect(entry).to_have_class(re.compile(r"\bis-read\b"))
        _badge_agrees_with_server(page, server, officer["access_token"], task_key, read=True)
        # The item's link opens the work list with that task brought into view.
        entry.locator("a.shell-item-title").click()
        page.wait_for_url(re.compile(r"/oversight/worklist\?task="))
        card = page.locator(f"li.task[data-id='{resp.json()['id']}']")
        expect(card).to_have_class(re.compile(r"\bis-focus\b"))
        expect(card).to_be_in_viewport()
        assert not console.unexpected(), console.unexpected()


def test_search_finds_an_incident_by_number_and_a_grid_by_name(
    browser: Any, server: DemoServer
) -> None:
    dispatcher = api_login(server.base_url, "dispatcher")
    headers = {"Authorization": f"Bearer {dispatcher['access_token']}"}
    grids = api_get(server.base_url, dispatcher["access_token"],
                    "/api/v1/search?q=" + httpx.QueryParams({"q": "网格"})["q"])
    grid = next(r for r in grids["results"] if r["kind"] == "grid")
    lng, lat = (float(v) for v in grid["href"].split("at=")[1].split(","))
    resp = httpx.post(f"{server.base_url}/api/v1/incidents", headers=headers, timeout=10, json={
        "source": "call_110", "narrative": "报警称路口两车刮擦，无人受伤",
        "lng": lng, "lat": lat, "category_code": "10", "sub_code": "1002"})
    assert resp.status_code == 201, resp.text
    number = resp.json()["number"]

    with _signed_in(browser, server, "dispatcher") as (page, console):
        _settle(page)
        page.locator("body").press("/")
        expect(page.locator("#shell-q")).to_be_focused()
        page.keyboard.type(number)
        hit = page.locator("#shell-results a[data-kind='incident']")
        expect(hit).to_have_count(1)
        expect(hit).to_contain_text(number)

        page.fill("#shell-q", grid["title"])
        grid_hit = page.locator("#shell-results a[data-kind='grid']").first
        expect(grid_hit).to_contain_text(grid["title"])

        page.fill("#shell-q", "湘D12345")
        expect(page.locator("#shell-results .shell-note")).to_contain_text("合成作战")
        expect(page.locator("#shell-results a[href='/cases']")).to_be_visible()

        page.fill("#shell-q", grid["title"])
        page.locator("#shell-results a[data-kind='grid']").first.click()
        page.wait_for_url(re.compile(r"/map\?at="))
        expect(page.locator("#lookup")).to_have_attribute("data-status", "ok")
        expect(page.locator("#lookup-grid")).to_contain_text(grid["title"])
        assert not console.unexpected(), console.unexpected()
