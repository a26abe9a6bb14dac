"""布控预警 on the pages: a batch with a watched plate comes in; the consoles show the alert
without a reload, one operator confirms the read, and the other console and the case's
workspace see the verdict live."""

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
    new_context,
    server_now,
    store_session,
)

pytestmark = pytest.mark.browser

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

PLATE = "湘D7K3M9"


def _post(server: DemoServer, login: dict[str, Any], path: str, body: dict[str, Any]) -> Any:
    resp = httpx.post(f"{server.base_url}{path}", json=body, timeout=30,
                      headers={"Authorization": f"Bearer {login['access_token']}"})
    assert resp.status_code in (200, 201), resp.text
    return resp.json()


def _watched_case(server: DemoServer) -> dict[str, Any]:
    """The analyst's case, its plate on watch (asked by the analyst, approved by a supervisor)."""
    analyst = api_login(server.base_url, "analyst")
    case = _post(server, analyst, "/api/v1/cases",
                 {"kind": "criminal", "title": "盗抢机动车专案"})
    now = server_now(server.base_url)
    entry = _post(server, analyst, "/api/v1/intel/watches", {
        "plate": PLATE, "case_number": case["number"], "reason": "被盗车辆，车主报案",
        "expires_at": (now + timedelta(days=7)).isoformat()})
    _post(server, api_login(server.base_url, "supervisor"),
          f"/api/v1/intel/watches/{entry['id']}/decision", {"approve": True})
    return case


def _tab(browser: Any, server: DemoServer, username: str, console: ConsoleWatch) -> Any:
    context = new_context(browser, server, viewport={"width": 1500, "height": 950})
    context.set_default_timeout(20_000)
    page = context.new_page()
    console.attach(page)
    store_session(page, server.base_url, api_login(server.base_url, username))
    return page


def _open_console(page: Any, server: DemoServer) -> None:
    page.goto(f"{server.base_url}/console")
    page.wait_for_selector("body[data-console-ready='1']")
    # (Not wait_for_function: its polling evaluates a string, which the page's CSP refuses.)
    expect(page.locator("#conn-banner")).to_have_attribute("data-state", "connected")


def _ingest_sighting(server: DemoServer) -> str:
    """A checkpoint reads the watched plate two minutes ago; the camera's code."""
    admin = api_login(server.base_url, "admin")
    camera = api_get(server.base_url, admin["access_token"],
                     "/api/v1/intel/cameras?kind=checkpoint&limit=1")["items"][0]["code"]
    seen = server_now(server.base_url) - timedelta(minutes=2)
    done = _post(server, admin, "/api/v1/intel/sightings/batches", {
        "batch_id": "watch-alert-browser",
        "rows": [{"plate": PLATE, "camera": camera, "seen_at": seen.isoformat()}]})
    assert done["accepted"] == 1
    return camera


def test_a_watch_hit_alerts_the_consoles_and_a_verdict_reaches_every_page(
        browser: Any, server: DemoServer) -> None:
    RESULTS_DIR.mkdir(exist_ok=True)
    console = ConsoleWatch()
    case = _watched_case(server)
    operator = _tab(browser, server, "dispatcher", console)
    _open_console(operator, server)
    command = _tab(browser, server, "admin", console)
    _open_console(command, server)
    workspace = _tab(browser, server, "analyst", console)
    workspace.goto(f"{server.base_url}/cases/{case['id']}")
    workspace.wait_for_selector("body[data-ready='1']")
    expect(workspace.locator("#conn-banner")).to_have_attribute("data-state", "connected")

    camera = _ingest_sighting(server)
    # No reload: the alert arrives on the live channel, red, and says not to act yet.
    card = operator.locator(".watch-alert").first
    expect(card).to_be_visible()
    expect(card).to_have_attribute("data-status", "pending")
    expect(card).to_contain_text(PLATE)
    expect(card).to_contain_text(camera)
    expect(card).to_contain_text(case["number"])
    expect(card.locator(".watch-unconfirmed")).to_have_text("未确认识别，请勿据此处置")
    other = command.locator(".watch-alert").first
    expect(other).to_be_visible()
    expect(other.locator(f"a[href='/cases/{case['id']}']")).to_have_text(case["number"])
    expect(workspace.locator("#timeline li[data-kind='watch_hit']")).to_have_count(1)
    operator.screenshot(path=str(RESULTS_DIR / "watch-alert-console.png"))

    card.locator("button[data-watch-confirm]").click()
    expect(card).to_have_attribute("data-status", "confirmed")
    # The other console and the case's workspace hear the verdict without a reload.
    expect(other).to_have_attribute("data-status", "confirmed")
    expect(other.locator(".watch-unconfirmed")).to_have_count(0)
    expect(other).to_contain_text("已确认识别（dispatcher）")
    expect(workspace.locator("#timeline li[data-kind='watch_decided']")).to_contain_text("已确认")
    command.screenshot(path=str(RESULTS_DIR / "watch-alert-confirmed.png"))
    for page in (operator, command, workspace):
        page.context.close()
    assert not console.unexpected(), console.unexpected()
