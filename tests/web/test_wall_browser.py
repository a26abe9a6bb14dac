"""The commander's wall in Chromium: charts drawn from the day, then kept live by events."""

from __future__ import annotations

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


def _open_incident(base_url: str, headers: dict[str, str], point: list[float],
                   category_code: str) -> dict[str, Any]:
    resp = httpx.post(f"{base_url}/api/v1/incidents", headers=headers, timeout=10,
                      json={"narrative": "群众报警，请尽快处置", "category_code": category_code,
                            "lng": point[0], "lat": point[1]})
    assert resp.status_code == 201, resp.text
    return resp.json()


def _series(page: Any, chart: str) -> dict[str, list]:
    return {s["id"]: s["data"] for s in page.evaluate("(c) => window.yanyunWall.series(c)", chart)}


def test_wall_draws_the_day_and_follows_live_events(browser: Any, server: DemoServer) -> None:
    clear_of_midnight(server.base_url)  # "today" on the wall and from the API must agree
    login = api_login(server.base_url, "dispatcher")
    headers = {"Authorization": f"Bearer {login['access_token']}"}
    stations = api_get(server.base_url, login["access_token"], "/api/v1/geo/stations")["features"]
    points = [f["geometry"]["coordinates"] for f in stations[:3]]
    for point, code in zip(points, ("10", "20", "10"), strict=True):
        _open_incident(server.base_url, headers, point, code)
    day = api_get(server.base_url, login["access_token"], "/api/v1/dashboard/day")
    today = [r for r in day["incidents"] if r["today"]]
    assert len(today) >= 3

    console = ConsoleWatch()
    context = new_context(browser, server, viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    console.attach(page)
    try:
        store_session(page, server.base_url, login)
        page.goto(f"{server.base_url}/wall")
        page.wait_for_selector("body[data-wall-ready='1']")
        expect(page.locator("#conn-banner")).to_have_attribute("data-state", "connected")

        # Every chart holds what the JSON twin says.
        assert sum(_series(page, "hourly")["today"]) == len(today)
        assert _series(page, "hourly")["week"] == day["week_ago"]["by_hour"]
        by_cat = page.evaluate("window.yanyunWall.figures().byCategory")
        assert by_cat["10"] >= 2 and by_cat["20"] >= 1
        assert "刑事案件" in page.evaluate("window.yanyunWall.axis('category')")
        units = _series(page, "units")["units"]
        assert sum(units) == len(day["unit_status"])
        available = sum(1 for s in day["unit_status"].values() if s == "available")
        assert units[0] == available
        districts = page.evaluate("window.yanyunWall.axis('districts')")
        assert len(districts) == len(day["districts"]) == 12
        expect(page.locator("#kpi-today")).to_have_text(str(len(today)))
        expect(page.locator("#open-list li[data-incident]")).to_have_count(
            min(14, sum(1 for r in day["incidents"] if r["status"] == "received")))

        # A call taken elsewhere arrives through the WebSocket, not a reload.
        renders = int(page.get_attribute("body", "data-renders"))
        new = _open_incident(server.base_url, headers, points[0], "20")
        expect(page.locator("#kpi-today")).to_have_text(str(len(today) + 1))
        assert page.evaluate("window.yanyunWall.figures().byCategory")["20"] == by_cat["20"] + 1
        expect(page.locator(f"#open-list li[data-incident='{new['id']}']")).to_have_count(1)

        # Dispatching a unit moves it from available to dispatched on the donut.
        recs = api_get(server.base_url, login["access_token"],
                       f"/api/v1/incidents/{new['id']}/recommendations?limit=1")
        resp = httpx.post(f"{server.base_url}/api/v1/incidents/{new['id']}/dispatch",
                          headers=headers, json={"unit_ids": [recs[0]["unit_id"]]}, timeout=10)
        assert resp.status_code == 200, resp.text
        page.wait_for_function(
            "(n) => window.yanyunWall.series('units')[0].data[0] === n", arg=available - 1)
        figures = page.evaluate("window.yanyunWall.figures()")
        assert figures["dispatch"]["due"] == 1 and figures["units"]["dispatched"] >= 1
        expect(page.locator("#kpi-dispatch")).not_to_have_text("–")
        assert int(page.get_attribute("body", "data-renders")) > renders
        RESULTS_DIR.mkdir(exist_ok=True)
        page.screenshot(path=str(RESULTS_DIR / "wall-1920x1080.png"))

        page.click("#lang-toggle button[data-lang='en']")
        expect(page.locator("#h-units")).to_have_text("Units by status")
        assert "Criminal case" in " ".join(page.evaluate("window.yanyunWall.axis('category')"))
        assert {s["name"] for s in page.evaluate("window.yanyunWall.series('hourly')")} == {
            "Today", "Same day last week"}
        page.screenshot(path=str(RESULTS_DIR / "wall-1920x1080-en.png"))
        page.click("#lang-toggle button[data-lang='zh']")

        page.set_viewport_size({"width": 1366, "height": 768})
        page.wait_for_timeout(300)
        for chart in ("hourly", "category", "units", "districts"):
            box = page.locator(f"#chart-{chart}").bounding_box()
            assert box and box["height"] > 150 and box["y"] + box["height"] <= 768 + 1
            assert box["x"] + box["width"] <= 1366 + 1
        page.screenshot(path=str(RESULTS_DIR / "wall-1366x768.png"))
    finally:
        context.close()
    assert not console.unexpected(), f"console errors: {console.unexpected()}"
