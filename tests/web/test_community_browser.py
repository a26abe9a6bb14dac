"""Community pages in Chromium: a volunteer call from an incident, a hazard to verified,
an enterprise service day planned and reported."""

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
    new_context,
    store_session,
)

pytestmark = pytest.mark.browser

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect


def _page(browser: Any, server: DemoServer, username: str) -> tuple[Any, Any, ConsoleWatch]:
    login = api_login(server.base_url, username)
    context = new_context(browser, server, viewport={"width": 1600, "height": 1000}, locale="zh-CN")
    context.set_default_timeout(20_000)
    page = context.new_page()
    console = ConsoleWatch()
    console.attach(page)
    store_session(page, server.base_url, login)
    return context, page, console


def test_volunteer_call_from_an_incident_accepted_and_stood_down(
    browser: Any, server: DemoServer
) -> None:
    login = api_login(server.base_url, "dispatcher")
    headers = {"Authorization": f"Bearer {login['access_token']}"}
    stations = api_get(server.base_url, login["access_token"], "/api/v1/geo/stations")
    lng, lat = stations["features"][0]["geometry"]["coordinates"]
    resp = httpx.post(
        f"{server.base_url}/api/v1/incidents",
        headers=headers,
        timeout=20,
        json={
            "narrative": "老人走失，家属求助",
            "category_code": "70",
            "sub_code": "7001",
            "lng": lng,
            "lat": lat,
        },
    )
    assert resp.status_code == 201, resp.text
    incident = resp.json()
    context, page, console = _page(browser, server, "dispatcher")
    try:
        page.goto(f"{server.base_url}/volunteers")
        page.wait_for_selector("body[data-ready='1']")
        row = page.locator(f"#incidents tr[data-id='{incident['id']}']")
        if not row.count():  # community reads command's events; give it a moment
            page.wait_for_timeout(6000)
            page.reload()
            page.wait_for_selector("body[data-ready='1']")
        expect(page.locator("#kpi-volunteers")).to_have_text("121,000")
        row.get_by_role("button", name="呼叫义警").click()
        expect(page.locator("#call-msg")).to_contain_text("已呼叫 5 名义警")
        first = page.locator("#responses tbody tr").first
        expect(first).to_have_attribute("data-status", "called")
        first.get_by_role("button", name="响应").click()
        expect(page.locator("#responses tbody tr").first).to_have_attribute(
            "data-status", "accepted"
        )
        page.locator("#responses tbody tr").first.get_by_role("button", name="到场").click()
        expect(page.locator("#responses tbody tr").first).to_have_attribute(
            "data-status", "arrived"
        )
        page.locator("#org button").first.click()
        expect(page.locator("#org ul li").first).to_contain_text("支队")
        RESULTS_DIR.mkdir(exist_ok=True)
        page.screenshot(path=str(RESULTS_DIR / "volunteers.png"), full_page=True)
        page.locator("#stand-down").click()
        expect(page.locator("#call-detail")).to_have_attribute("data-status", "stood_down")
        statuses = page.locator("#responses tbody tr").evaluate_all(
            "rows => rows.map(r => r.dataset.status)"
        )
        assert set(statuses) == {"stood_down"}
        page.locator("#lang-toggle button[data-lang='en']").click()
        expect(page.locator("#stand-down")).to_be_hidden()
        expect(page.locator(".cm-title")).to_contain_text("Volunteer police")
        assert not console.unexpected(), console.unexpected()
    finally:
        context.close()


def test_hazard_found_to_verified_and_service_day_planned_and_reported(
    browser: Any, server: DemoServer
) -> None:
    context, page, console = _page(browser, server, "admin")
    try:
        page.goto(f"{server.base_url}/community")
        page.wait_for_selector("body[data-ready='1']")
        expect(page.locator("#kpi-teams")).to_have_text("4,882")
        form = page.locator("#hazard-form")
        form.locator("input[name='title']").fill("浏览器测试：楼道电动车充电")
        form.locator("input[name='photo']").fill("photo://test/hazard-1.jpg")
        form.get_by_role("button", name="上报").click()
        expect(page.locator("#hazard-msg")).to_have_text("已上报隐患")
        row = page.locator("#reports tbody tr", has_text="浏览器测试：楼道电动车充电")
        expect(row).to_have_attribute("data-status", "found")
        for button, status in (("交办", "assigned"), ("已整改", "removed"), ("核验", "verified")):
            if status == "verified":
                page.select_option("#report-filter", "hazard")
            row.get_by_role("button", name=button).click()
            expect(row).to_have_attribute("data-status", status)
        page.select_option("#report-filter", "open")
        page.screenshot(path=str(RESULTS_DIR / "community-grid.png"), full_page=True)

        page.get_by_role("tab", name="矛盾纠纷").click()
        page.wait_for_selector("body[data-tab-ready='disputes']")
        expect(page.locator("#disputes tbody tr")).to_have_count(20)
        page.get_by_role("tab", name="一村一辅警").click()
        page.wait_for_selector("body[data-tab-ready='villages']")
        expect(page.locator("#villages-total")).to_have_text("共 2,372 条")
        page.get_by_role("tab", name="项目警官").click()
        page.wait_for_selector("body[data-tab-ready='enterprises']")
        page.locator("#day-form").get_by_role("button", name="安排服务日").click()
        expect(page.locator("#day-msg")).to_contain_text("已安排服务日")
        planned_future = page.locator("#days tbody tr").first
        expect(planned_future).to_have_attribute("data-status", "planned")
        due = page.locator(
            "#days tbody tr[data-status='planned']", has=page.get_by_role("button", name="上报总结")
        ).first
        page.once("dialog", lambda d: d.accept("走访企业3家，现场解决问题2个"))
        due_id = due.get_attribute("data-id")
        due.get_by_role("button", name="上报总结").click()
        expect(page.locator("#day-msg")).to_have_text("服务日已上报")
        expect(page.locator(f"#days tbody tr[data-id='{due_id}']")).to_have_attribute(
            "data-status", "reported"
        )
        page.screenshot(path=str(RESULTS_DIR / "community-enterprises.png"), full_page=True)
        assert not console.unexpected(), console.unexpected()
    finally:
        context.close()
