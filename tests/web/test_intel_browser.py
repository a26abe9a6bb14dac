"""The plate-search page in Chromium against the real demo server and its data pool."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.web.browser_support import (
    RESULTS_DIR,
    ConsoleWatch,
    DemoServer,
    api_login,
    new_context,
    store_session,
)

pytestmark = pytest.mark.browser

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect


def _sample_plate(server: DemoServer) -> str:
    """The demo prints a commuting plate of its pool; search that one."""
    found = re.search(r"try plate (\S+)\)", server.log_tail(20_000))
    assert found, server.log_tail()
    return found.group(1)


def test_plate_search_draws_the_trajectory_with_times(browser: Any, server: DemoServer) -> None:
    console = ConsoleWatch()
    context = new_context(browser, server, viewport={"width": 1366, "height": 800}, locale="zh-CN")
    context.set_default_timeout(20_000)
    page = context.new_page()
    console.attach(page)
    login = api_login(server.base_url, "analyst")
    store_session(page, server.base_url, login)
    case = httpx.post(f"{server.base_url}/api/v1/cases", timeout=10,
                      headers={"Authorization": f"Bearer {login['access_token']}"},
                      json={"kind": "traffic", "title": "G107向阳街道电动车肇事逃逸案"}).json()
    page.goto(f"{server.base_url}/intel/plates")
    page.wait_for_selector("body[data-ready='1']")
    plate = _sample_plate(server)

    # Without a case number the page asks for one and sends nothing.
    page.fill("#plate", plate)
    page.click("#search-btn")
    expect(page.locator("#form-error")).to_have_text("请填写案件编号")
    expect(page.locator("#result-card")).to_be_hidden()

    page.fill("#case-number", case["number"])
    page.fill("#purpose", "电动车肇事逃逸案件轨迹研判")
    page.click("#search-btn")
    page.wait_for_selector("body[data-result]")
    rows = page.locator("#sightings tbody tr")
    count = rows.count()
    assert count >= 6, count
    # Ordered in time, each with a camera and a grid.
    times = [rows.nth(i).locator("td").nth(1).inner_text() for i in range(count)]
    assert times == sorted(times)
    assert all(rows.nth(i).locator("td").nth(4).inner_text() for i in range(count))
    # One stop per camera on the map, each listing the numbers and times of its passages.
    cameras = {rows.nth(i).locator("td").nth(2).get_attribute("title") for i in range(count)}
    assert page.locator(".yy-stop").count() == len(cameras)
    labels = " ".join(page.locator(".yy-time").all_inner_texts())
    assert times[0][:11] in labels and times[-1][:11] in labels
    expect(page.locator(".chip").first).to_contain_text(plate)
    RESULTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS_DIR / "plate-trajectory.png"))

    # English switch keeps the result.
    page.click("#lang-toggle button[data-lang='en']")
    expect(page.locator("#search-btn")).to_have_text("Search")
    expect(page.locator("#result-summary")).to_contain_text("sightings")
    context.close()
    assert not console.unexpected(), console.unexpected()
