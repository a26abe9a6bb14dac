"""The tidal deployment page in Chromium against the real demo server (with past incidents)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.web.browser_support import (
    RESULTS_DIR,
    DemoServer,
    api_get,
    api_login,
    demo_with_history,
    store_session,
    watched_tab,
)

pytestmark = pytest.mark.browser

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    """The demo with 60 days of past incidents, so there is demand to plan for."""
    yield from demo_with_history(tmp_path_factory, 60)


@pytest.fixture
def page(browser: Any, server: DemoServer) -> Iterator[Any]:
    viewport = {"width": 1440, "height": 900}
    with watched_tab(browser, server, viewport=viewport, timeout_ms=30_000) as tab:
        yield tab


def _pct(v: float) -> str:
    return f"{v * 100:.1f}%"


def set_hour(page: Any, hour: int) -> None:
    page.locator("#td-hour").fill(str(hour))
    expect(page.locator("body")).to_have_attribute("data-hour", str(hour))


def test_duty_manager_moves_through_the_hours_and_adopts_the_days_plan(
    page: Any, server: DemoServer
):
    login = api_login(server.base_url, "duty")
    store_session(page, server.base_url, login)
    page.goto(f"{server.base_url}/duty")
    page.wait_for_selector("body[data-duty-ready='1']")
    page.click("a[href='/duty/tidal']:visible")  # the page's own link (the menu's is folded)
    page.wait_for_selector("body[data-tidal-ready='1']")
    expect(page.locator(".brand-title")).to_have_text("潮汐警力部署")
    day = page.locator("#td-day").input_value()

    set_hour(page, 4)
    night = api_get(
        server.base_url, login["access_token"], f"/api/v1/duty/tidal?day={day}&hour=4"
    )
    expect(page.locator("#td-hour-label")).to_have_text("04:00–05:00")
    expect(page.locator("#td-hour-rec")).to_have_text(_pct(night["hours"][4]["recommended"]))
    expect(page.locator("#td-hour-cur")).to_have_text(_pct(night["hours"][4]["current"]))
    units = len(night["units"])
    expect(page.locator("path.td-unit")).to_have_count(units)
    moving = sum(u["moves"] for u in night["units"])
    assert moving > 0
    expect(page.locator("path.td-stand")).to_have_count(moving)
    expect(page.locator("path.td-move")).to_have_count(moving)
    night_stands = page.locator("path.td-stand").evaluate_all(
        "els => els.map(e => e.getAttribute('d')).sort().join('|')"
    )

    set_hour(page, 20)
    evening = api_get(
        server.base_url, login["access_token"], f"/api/v1/duty/tidal?day={day}&hour=20"
    )
    expect(page.locator("#td-hour-rec")).to_have_text(_pct(evening["hours"][20]["recommended"]))
    assert evening["hours"][20]["demand"] > evening["hours"][4]["demand"]
    expect(page.locator("#td-day-rec")).to_have_text(_pct(evening["day_recommended"]))
    expect(page.locator("#td-day-cur")).to_have_text(_pct(evening["day_current"]))
    evening_stands = page.locator("path.td-stand").evaluate_all(
        "els => els.map(e => e.getAttribute('d')).sort().join('|')"
    )
    assert evening_stands != night_stands  # the tide moves the stand points
    assert page.locator("path.td-grid").count() > 0  # the demand as a light grid layer
    expect(page.locator("#td-adopted")).to_have_attribute("data-state", "none")
    expect(page.locator("#td-meta")).to_contain_text("热点预测")

    page.click("#td-adopt")
    expect(page.locator("#td-adopted")).to_have_attribute("data-state", "adopted")
    expect(page.locator("#td-adopted")).to_contain_text("勤务管理员 赵")
    RESULTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS_DIR / "tidal-deployment.png"))

    page.reload()
    page.wait_for_selector("body[data-tidal-ready='1']")
    expect(page.locator("body")).to_have_attribute("data-source", "adopted")
    expect(page.locator("#td-adopted")).to_contain_text("已采用")
    expect(page.locator("#td-adopted")).to_contain_text("地图显示已采用的方案")
    page.click("#lang-toggle button[data-lang='en']")
    expect(page.locator(".brand-title")).to_have_text("Tidal deployment")
    expect(page.locator("#td-adopted")).to_contain_text("The map shows the adopted plan")
