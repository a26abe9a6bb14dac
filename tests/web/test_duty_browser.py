"""The duty pages in Chromium, against the real demo server (which staffs the city)."""

from __future__ import annotations

import re
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
    server_now,
    store_session,
)

pytestmark = pytest.mark.browser

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect


def open_duty(
    browser: Any, server: DemoServer, tab: str, console: ConsoleWatch, **context_options: Any
) -> tuple[Any, Any, dict]:
    context = new_context(browser, server,
        viewport={"width": 1600, "height": 1000}, locale="zh-CN", **context_options
    )
    context.set_default_timeout(20_000)
    page = context.new_page()
    console.attach(page)
    login = api_login(server.base_url, "duty")
    store_session(page, server.base_url, login)
    page.goto(f"{server.base_url}/duty#{tab}")
    page.wait_for_selector("body[data-duty-ready='1']")
    return context, page, login


def test_roster_unit_crewed_only_while_someone_on_duty(browser: Any, server: DemoServer) -> None:
    console = ConsoleWatch()
    console.allow_status(422)
    context, page, login = open_duty(browser, server, "roster", console)
    try:
        expect(page.locator(".brand-title")).to_have_text("勤务管理")
        assert int(page.locator("#n-police").inner_text()) >= 15
        row = page.locator("#units-table tr[data-status='available']:not([data-crew='0'])").first
        unit_id = row.get_attribute("data-unit")
        target = page.locator(f"#units-table tr[data-unit='{unit_id}']")
        page.click(f"button[data-stand-down='{unit_id}']")
        # Duty announces the empty crew; command takes the unit out of service.
        expect(target).to_have_attribute("data-crew", "0")
        expect(target).to_have_attribute("data-status", "out_of_service")
        units = {
            u["id"]: u
            for u in api_get(server.base_url, login["access_token"], "/api/v1/units?limit=5000")
        }
        assert units[unit_id]["status"] == "out_of_service"
        page.click(f"button[data-assign='{unit_id}']")
        expect(target).to_have_attribute("data-status", "available")
        expect(target.locator(".person")).to_have_count(1)
        expect(target.locator("td").nth(2)).to_have_text("可用")
        page.screenshot(path=str(RESULTS_DIR / "duty-roster.png"))
        # Contacts are masked; the full number needs a case and a purpose.
        first = page.locator("#officers-table tbody tr").first
        officer_id = first.get_attribute("data-officer")
        phone = first.locator(f"[data-phone='{officer_id}']")
        expect(phone).to_contain_text("****")
        first.locator("button[data-reveal]").click()
        expect(page.locator("#contact-error")).to_contain_text("案件编号")
        # A number that names no case of the duty manager's is refused; a real one passes.
        page.fill("#case-number", "A4304-2026-118")
        page.fill("#purpose", "联系当班民警核实警情")
        first.locator("button[data-reveal]").click()
        expect(page.locator("#contact-error")).to_contain_text("不是您参与的在办案件")
        case = httpx.post(f"{server.base_url}/api/v1/cases", timeout=10,
                          headers={"Authorization": f"Bearer {login['access_token']}"},
                          json={"kind": "special", "title": "当班民警紧急联络"}).json()
        page.fill("#case-number", case["number"])
        page.fill("#purpose", "联系当班民警核实警情")
        first.locator("button[data-reveal]").click()
        expect(phone).not_to_contain_text("*")
        page.click("#lang-toggle button[data-lang='en']")
        expect(target.locator("td").nth(2)).to_have_text("Available")
        page.click("#lang-toggle button[data-lang='zh']")
    finally:
        context.close()
    assert not console.unexpected(), console.unexpected()


def test_duty_level_raised_shows_its_shortfall(browser: Any, server: DemoServer) -> None:
    console = ConsoleWatch()
    context, page, _ = open_duty(browser, server, "levels", console)
    try:
        nanyue = page.locator(".level-card[data-level='level_2']").first
        expect(nanyue.locator(".level-name")).to_have_text("南岳区")
        expect(nanyue.locator(".level-tag")).to_have_text("二级勤务")
        station = page.locator("#level-area optgroup").nth(1).locator("option").first
        page.select_option("#level-area", station.get_attribute("value"))
        page.select_option("#level-level", "level_1")
        page.fill("#level-reason", "衡阳国际马拉松赛事安保")
        page.click("#level-form button[type='submit']")
        card = page.locator(".level-card[data-level='level_1']").first
        expect(card.locator(".level-tag")).to_have_text("一级勤务")
        assert int(card.locator(".shortfall").get_attribute("data-shortfall")) > 0
        page.screenshot(path=str(RESULTS_DIR / "duty-levels.png"))
    finally:
        context.close()
    assert not console.unexpected(), console.unexpected()


def test_duty_level_with_a_skill_requirement_shows_that_skills_shortfall(
    browser: Any, server: DemoServer
) -> None:
    console = ConsoleWatch()
    context, page, login = open_duty(browser, server, "levels", console)
    try:
        station = page.locator("#level-area optgroup").nth(1).locator("option").nth(1)
        page.select_option("#level-area", station.get_attribute("value"))
        page.select_option("#level-level", "level_3")
        page.fill("#level-reason", "演唱会安保：武装巡逻")
        page.click("#req-add")
        row = page.locator("#req-rows [data-req-row]").first
        row.locator(".req-code").select_option("skill:firearms")
        row.locator(".req-count").fill("300")
        page.click("#level-form button[type='submit']")
        expect(page.locator("#toast")).to_contain_text("三级勤务")
        levels = api_get(server.base_url, login["access_token"], "/api/v1/duty/levels")
        level = next(lv for lv in levels if lv["reason"] == "演唱会安保：武装巡逻")
        [need] = level["requirements"]
        assert (need["kind"], need["code"], need["required"]) == ("skill", "firearms", 300)
        card = page.locator(f".level-card[data-level-id='{level['id']}']")
        armed = card.locator("tr[data-requirement='skill:firearms']")
        expect(armed).to_have_attribute("data-shortfall", str(need["shortfall"]))
        assert need["shortfall"] == 300 - need["available_min"] > 0
        expect(armed.locator("td").first).to_have_text("技能 · 持枪（武装）")
        expect(armed.locator(".badge")).to_have_text(str(need["shortfall"]))
        page.click("#lang-toggle button[data-lang='en']")
        expect(armed.locator("td").first).to_have_text("Skills · Armed (firearms)")
        page.click("#lang-toggle button[data-lang='zh']")
        page.screenshot(path=str(RESULTS_DIR / "duty-level-requirements.png"))
    finally:
        context.close()
    assert not console.unexpected(), console.unexpected()


def _open_post_now(server: DemoServer, token: str) -> dict:
    """Give the first school post a window around the server's now, every day (its settings)."""
    post = api_get(server.base_url, token, "/api/v1/duty/posts?kind=school_post&limit=1")["items"][
        0
    ]
    # Clock in and read the day's report on one day, even when the check runs at 23:59.
    now = clear_of_midnight(server.base_url)
    start = max(now - timedelta(hours=1), now.replace(hour=0, minute=0)).strftime("%H:%M")
    end = now + timedelta(hours=1)
    windows = [[start, end.strftime("%H:%M") if end.date() == now.date() else "24:00"]]
    resp = httpx.patch(
        f"{server.base_url}/api/v1/duty/posts/{post['id']}",
        headers={"Authorization": f"Bearer {token}"},
        json={"windows": windows, "weekdays": [1, 2, 3, 4, 5, 6, 7]},
        timeout=10,
    )
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_school_gate_clock_in_inside_geofence_accepted_outside_rejected(
    browser: Any, server: DemoServer
) -> None:
    console = ConsoleWatch()
    console.allow_status(422)
    token = api_login(server.base_url, "duty")["access_token"]
    post = _open_post_now(server, token)
    inside = {"longitude": post["lng"] + 0.0002, "latitude": post["lat"], "accuracy": 8}
    context, page, _ = open_duty(
        browser, server, "school", console, geolocation=inside, permissions=["geolocation"]
    )
    try:
        page.select_option("#post-select", post["id"])
        expect(page.locator("#officer-select option").first).to_be_attached()
        page.click("#clockin-btn")
        result = page.locator("#clockin-result")
        expect(result).to_have_attribute("data-state", "ok")
        expect(result).to_contain_text("打卡成功")
        row = page.locator(f"#post-report tr[data-post='{post['id']}']")
        expect(row).to_have_attribute("data-present", "1")
        context.set_geolocation(
            {"longitude": post["lng"] + 0.01, "latitude": post["lat"], "accuracy": 8}
        )
        page.click("#clockin-btn")
        expect(result).to_have_attribute("data-state", "bad")
        expect(result).to_contain_text("不在岗位范围内")
        assert result.get_attribute("data-field") == "lng"
        # The report of the last full school day: the seeded history of the city.
        day = server_now(server.base_url).date() - timedelta(days=1)
        while day.isoweekday() > 5:
            day -= timedelta(days=1)
        page.fill("#report-day", day.isoformat())
        page.dispatch_event("#report-day", "change")
        expect(page.locator("#r-windows")).to_have_text(re.compile(r"^[1-9]"))
        expect(page.locator("#r-rate")).to_have_text(re.compile(r"%$"))
        page.screenshot(path=str(RESULTS_DIR / "school-post-compliance.png"))
    finally:
        context.close()
    assert not console.unexpected(), console.unexpected()
