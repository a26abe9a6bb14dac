"""The forecast page in Chromium against the real demo server: hotspots with their score."""

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
    """The demo with 90 days of past incidents, so there is something to forecast and score."""
    yield from demo_with_history(tmp_path_factory, 90)


@pytest.fixture
def page(browser: Any, server: DemoServer) -> Iterator[Any]:
    viewport = {"width": 1366, "height": 768}
    with watched_tab(browser, server, viewport=viewport, timeout_ms=20_000) as tab:
        yield tab


def test_forecast_layer_shows_hotspots_and_the_live_score(page: Any, server: DemoServer):
    login = api_login(server.base_url, "analyst")
    data = api_get(server.base_url, login["access_token"], "/api/v1/forecast/next-day")
    assert data["hotspot_cells"] > 0 and data["score"]["days"] == 30
    store_session(page, server.base_url, login)
    page.goto(f"{server.base_url}/forecast")
    page.wait_for_selector("body[data-forecast-ready='1']")
    cells = page.locator("path.fc-cell")
    expect(cells).to_have_count(data["hotspot_cells"])
    rate = data["score"]["hit_rate"]
    expect(page.locator("#score-rate")).to_have_text(f"{rate * 100:.1f}%")
    expect(page.locator("#score-heading")).to_have_text("预测准确度（实测）")
    expect(page.locator("#score-days-label")).to_have_text("近30日命中率")
    sel = data["selection"]
    expect(page.locator("#score-served")).to_contain_text(f"采用方法：{sel['label']}")
    expect(page.locator("#score-served")).to_contain_text(
        f"回测命中率 {sel['hit_rate'] * 100:.1f}%"
    )
    expect(page.locator("#fc-grids li").first).to_contain_text(data["grids"][0]["grid_code"])
    shift = data["next_shift"]
    shift_word = "白班" if shift["name"] == "day" else "夜班"
    expect(page.locator("#fc-shift-meta")).to_contain_text(shift_word)
    expect(page.locator("#fc-shift-grids li").first).to_contain_text(shift["grids"][0]["grid_code"])
    RESULTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS_DIR / "forecast-layer.png"))
    page.click("#lang-toggle button[data-lang='en']")
    expect(page.locator("#score-heading")).to_have_text("Measured accuracy")
    expect(page.locator("#score-served")).to_contain_text(
        f"served method: {sel['label']} (backtest hit rate {sel['hit_rate'] * 100:.1f}% "
        f"vs counts {sel['baseline_hit_rate'] * 100:.1f}%, {sel['days']} days"
    )
    with page.expect_download() as info:
        page.click("#export-geojson")
    assert info.value.suggested_filename == f"hotspots-{data['day']}.geojson"
