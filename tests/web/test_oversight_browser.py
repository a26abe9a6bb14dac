"""The supervision pages in Chromium, against the real demo server."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from tests.web.browser_support import (
    RESULTS_DIR,
    ConsoleWatch,
    DemoServer,
    api_get,
    api_login,
    clear_of_midnight,
    new_context,
    store_session,
)

pytestmark = pytest.mark.browser

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect


def _open(browser: Any, server: DemoServer, username: str, path: str,
          console: ConsoleWatch) -> tuple[Any, Any, dict]:
    context = new_context(browser, server, viewport={"width": 1600, "height": 1000}, locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    console.attach(page)
    login = api_login(server.base_url, username)
    store_session(page, server.base_url, login)
    page.goto(f"{server.base_url}{path}")
    page.wait_for_selector("body[data-ready='1']")
    return context, page, login


def _last_closed_day(server: DemoServer, token: str) -> str:
    """The most recent day whose clearing has run (the demo seeds a week of them)."""
    today = api_get(server.base_url, token, "/api/v1/oversight/board")["day"]
    from datetime import date, timedelta

    day = date.fromisoformat(today)
    for _ in range(10):
        day -= timedelta(days=1)
        board = api_get(server.base_url, token, f"/api/v1/oversight/board?day={day}&kind=station")
        if board["rows"]:
            return day.isoformat()
    raise AssertionError("the demo has no closed day on its board")


def test_clearing_board_shows_each_station_and_the_days_totals(
    browser: Any, server: DemoServer
) -> None:
    console = ConsoleWatch()
    supervisor = api_login(server.base_url, "supervisor")
    day = _last_closed_day(server, supervisor["access_token"])
    board = api_get(server.base_url, supervisor["access_token"],
                    f"/api/v1/oversight/board?day={day}&kind=station")
    context, page, _ = _open(browser, server, "supervisor",
                             f"/oversight/board?day={day}&kind=station", console)
    try:
        expect(page.locator("#board-day")).to_have_value(day)
        rows = page.locator("#board-rows tr")
        expect(rows).to_have_count(len(board["rows"]))
        totals = board["totals"]
        expect(page.locator("#t-due")).to_have_text(f"{totals['due']:,}")
        expect(page.locator("#t-escalated")).to_have_text(f"{totals['escalated']:,}")
        assert totals["due"] == totals["cleared"] + totals["escalated"] + totals["pending"] > 0
        # Worst first: the first row is the station with the lowest clearing rate.
        worst = board["rows"][0]
        expect(rows.first).to_have_attribute("data-org", worst["org_code"])
        expect(rows.first.locator("td").first).to_have_text(worst["org_name_zh"])
        expect(page.locator("#board-state")).to_have_text("当日已清零结算")
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(RESULTS_DIR / "clearing-board.png"))

        # The previous day, and the English switch, redraw from the API.
        page.click("#day-prev")
        expect(page.locator("#board-day")).not_to_have_value(day)
        page.click("#lang-toggle button[data-lang='en']")
        expect(page.locator(".brand-title")).to_have_text("Daily clearing board")
        expect(page.locator("#board-table th").first).to_have_text("Unit")
        page.click("#lang-toggle button[data-lang='zh']")
        assert not console.unexpected(), console.unexpected()
    finally:
        context.close()


def test_chief_finishes_a_task_from_the_work_list(browser: Any, server: DemoServer) -> None:
    console = ConsoleWatch()
    # A task for the chief's station, due later today by the server's clock. (The
    # recurring duties are no fixture: after the day's end they have moved up.)
    now = clear_of_midnight(server.base_url)
    end_of_day = now.replace(hour=23, minute=58, second=0, microsecond=0)
    chief = api_login(server.base_url, "chief")
    supervisor = api_login(server.base_url, "supervisor")
    created = httpx.post(
        f"{server.base_url}/api/v1/oversight/tasks",
        headers={"Authorization": f"Bearer {supervisor['access_token']}"},
        json={"title": "核查学校周边治安隐患", "owner_org_code": chief["user"]["org_code"],
              "due_at": min(now + timedelta(hours=1), end_of_day).isoformat()},
        timeout=10,
    )
    assert created.status_code == 201, created.text
    work = api_get(server.base_url, chief["access_token"], "/api/v1/oversight/worklist")
    assert created.json()["id"] in {t["id"] for t in work["due_today"]}
    context, page, _ = _open(browser, server, "chief", "/oversight/worklist", console)
    try:
        task = created.json()
        card = page.locator(f"#list-due li[data-id='{task['id']}']")
        expect(card).to_be_visible()
        card.locator("button[data-action='done']").click()
        expect(page.locator(f"#list-done li[data-id='{task['id']}']")).to_be_visible()
        expect(page.locator(f"#list-done li[data-id='{task['id']}'] .status")).to_have_text(
            "已办结")
        # The chief did it, so the chief is not offered to verify it.
        expect(page.locator(f"#list-done li[data-id='{task['id']}'] button")).to_have_count(0)
        page.screenshot(path=str(RESULTS_DIR / "work-list.png"))
        assert not console.unexpected(), console.unexpected()
    finally:
        context.close()


def test_risk_register_and_audit_viewer_render(browser: Any, server: DemoServer) -> None:
    console = ConsoleWatch()
    context, page, _ = _open(browser, server, "supervisor", "/oversight/risks", console)
    try:
        expect(page.locator("#risk-rows tr").first).to_be_visible()
        expect(page.locator("#coverage-rows tr").first).to_be_visible()
        page.check("#only-overdue")
        expect(page.locator("#risk-rows tr.is-overdue").first).to_be_visible()
        page.screenshot(path=str(RESULTS_DIR / "risk-register.png"))

        page.goto(f"{server.base_url}/oversight/audit")
        page.wait_for_selector("body[data-ready='1']")
        expect(page.locator("#audit-rows tr").first).to_be_visible()
        page.fill("#audit-form input[name='action']", "login")
        page.click("#audit-form button[type='submit']")
        expect(page.locator("#audit-rows tr").first.locator("td").nth(4)).to_have_text("login")
        page.screenshot(path=str(RESULTS_DIR / "audit-viewer.png"))
        assert not console.unexpected(), console.unexpected()
    finally:
        context.close()
