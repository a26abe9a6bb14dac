"""The G107 hit-and-run worked through the pages, against the demo city's seeded scenario.

A 110 call about an e-bike that knocked someone down on 107国道 at 向阳街道 at
07:00; the dispatcher opens a case from the incident on the console; the
analyst searches the plates around the place and time, finds the e-bike that
left fast, looks up its owner (bound to the case, masked, audited) and gives
the station a task to summon the owner; the owner of the case marks it solved;
a supervisor opens the case from the audit row of the owner lookup. The
elapsed time of each step is recorded (the seed took three hours), never
asserted.
"""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any

import httpx
import pytest

from tests.web.browser_support import (
    RESULTS_DIR,
    ConsoleWatch,
    DemoServer,
    api_login,
    new_context,
    server_now,
    store_session,
)
from yanyun.cases import scenario

pytestmark = pytest.mark.browser

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect


class Steps:
    """Elapsed seconds from the call to each step, written beside the screenshots."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.rows: list[dict[str, Any]] = []

    def mark(self, step: str) -> None:
        self.rows.append({"step": step, "elapsed_s": round(time.perf_counter() - self.started, 2)})

    def save(self) -> None:
        RESULTS_DIR.mkdir(exist_ok=True)
        (RESULTS_DIR / "g107-steps.json").write_text(
            json.dumps(self.rows, ensure_ascii=False, indent=1), encoding="utf-8")


def _tab(browser: Any, server: DemoServer, username: str, console: ConsoleWatch) -> Any:
    context = new_context(browser, server, viewport={"width": 1500, "height": 1000})
    context.set_default_timeout(20_000)
    page = context.new_page()
    console.attach(page)
    store_session(page, server.base_url, api_login(server.base_url, username))
    return page


def _call_110(server: DemoServer) -> dict[str, Any]:
    """The call, taken a couple of minutes after the accident at the scenario's scene."""
    login = api_login(server.base_url, "dispatcher")
    scene_at = scenario.scene_time(server_now(server.base_url))
    lng, lat = scenario.SCENE
    resp = httpx.post(f"{server.base_url}/api/v1/incidents", timeout=10,
                      headers={"Authorization": f"Bearer {login['access_token']}"},
                      json={"narrative": scenario.NARRATIVE, "address_text": scenario.ADDRESS,
                            "category_code": "30", "sub_code": "3001", "lng": lng, "lat": lat,
                            "occurred_at": scene_at.isoformat(),
                            "received_at": (scene_at + timedelta(minutes=2)).isoformat()})
    assert resp.status_code == 201, resp.text
    return resp.json()


def _open_case_on_console(page: Any, server: DemoServer, incident: dict[str, Any]) -> str:
    page.goto(f"{server.base_url}/console")
    page.wait_for_selector("body[data-console-ready='1']")
    page.click(f".qrow[data-id='{incident['id']}']")
    page.click("#open-case")
    link = page.locator("#case-card a[data-case-id]").first
    expect(link).to_be_visible()
    case_id = link.get_attribute("data-case-id")
    link.click()
    page.wait_for_selector("body[data-ready='1']")
    expect(page.locator("#case-summary")).to_contain_text("电动车撞倒行人")
    expect(page.locator("#incident-list")).to_contain_text(incident["number"])
    page.fill("#member-username", "analyst")
    page.click("#member-form button[type='submit']")
    expect(page.locator("#member-list li[data-username='analyst']")).to_be_visible()
    return case_id


def _around_and_owner(page: Any, server: DemoServer, case_id: str) -> None:
    page.goto(f"{server.base_url}/cases/{case_id}")
    page.wait_for_selector("body[data-ready='1']")
    page.fill("#around-purpose", "电动车肇事逃逸：案发时段周边过车研判")
    page.fill("#around-radius", "500")
    page.click("#around-btn")
    page.wait_for_selector("body[data-candidates]")
    first = page.locator("#candidate-table tbody tr").first
    expect(first).to_have_attribute("data-plate", scenario.PLATE)
    expect(page.locator(".yy-stop").first).to_be_visible()
    page.screenshot(path=str(RESULTS_DIR / "g107-candidates-map.png"))
    first.locator("button").click()
    page.fill("#owner-purpose", "核查肇事电动车登记车主")
    page.click("#owner-btn")
    expect(page.locator("#owner-card")).to_contain_text("谭")
    expect(page.locator("#owner-card")).to_contain_text("****")
    expect(page.locator("#owner-card dd[data-bound]")).to_be_visible()
    expect(page.locator("#timeline li[data-kind='search']")).to_have_count(2)
    page.screenshot(path=str(RESULTS_DIR / "g107-owner-bound.png"))


def _task_and_solve(analyst: Any, owner: Any, incident: dict[str, Any]) -> None:
    analyst.fill("#task-title", "传唤肇事电动车车主到所接受调查")
    analyst.fill("#task-org", incident["station_code"])
    analyst.click("#task-btn")
    expect(analyst.locator("#timeline li[data-kind='task_requested']")).to_be_visible()
    owner.reload()
    owner.wait_for_selector("body[data-ready='1']")
    owner.click("#status-buttons button[data-to='solved']")
    owner.fill("#solve-detained", "0")
    owner.fill("#solve-note", "车主谭某已到所接受调查")
    owner.click("#solve-btn")
    expect(owner.locator("body")).to_have_attribute("data-status", "solved")
    owner.screenshot(path=str(RESULTS_DIR / "g107-case-workspace.png"))


def _audit_opens_case(page: Any, server: DemoServer, number: str) -> None:
    page.goto(f"{server.base_url}/oversight/audit")
    page.wait_for_selector("body[data-ready='1']")
    page.fill("#audit-form input[name='resource_type']", "intel_registration")
    page.click("#audit-form button[type='submit']")
    link = page.locator(f"#audit-rows a.case-link:text-is('{number}')").first
    expect(link).to_be_visible()
    page.screenshot(path=str(RESULTS_DIR / "g107-audit-row.png"))
    link.click()
    page.wait_for_selector("body[data-ready='1']")
    expect(page.locator("#case-number")).to_have_text(number)


def _case_audit(server: DemoServer, case_id: str, number: str, since: str) -> list[dict]:
    """Every audit row of the case: its own changes and each read made under its number."""
    token = api_login(server.base_url, "supervisor")["access_token"]
    rows: list[dict] = []
    after = 0
    while True:
        resp = httpx.get(f"{server.base_url}/api/v1/oversight/audit",
                         params={"after_id": after, "limit": 500, "since": since}, timeout=30,
                         headers={"Authorization": f"Bearer {token}"})
        resp.raise_for_status()
        page = resp.json()
        rows += [r for r in page["items"]
                 if r["case_number"] == number or case_id in json.dumps(r)
                 or number in json.dumps(r, ensure_ascii=False)]
        if page["next_after_id"] is None:
            return rows
        after = page["next_after_id"]


def test_g107_from_the_call_to_the_owner_and_the_case_solved(
        browser: Any, server: DemoServer) -> None:
    RESULTS_DIR.mkdir(exist_ok=True)
    console = ConsoleWatch()
    steps = Steps()
    began = (server_now(server.base_url) - timedelta(minutes=1)).isoformat()
    incident = _call_110(server)
    steps.mark("110 call taken")
    dispatcher = _tab(browser, server, "dispatcher", console)
    case_id = _open_case_on_console(dispatcher, server, incident)
    number = dispatcher.locator("#case-number").inner_text()
    steps.mark("case opened from the incident")
    analyst = _tab(browser, server, "analyst", console)
    _around_and_owner(analyst, server, case_id)
    steps.mark("e-bike found around the scene and its owner identified")
    _task_and_solve(analyst, dispatcher, incident)
    steps.mark("task to the station; case solved")
    supervisor = _tab(browser, server, "supervisor", console)
    _audit_opens_case(supervisor, server, number)
    steps.mark("audit row opens the case")
    steps.save()
    print("G107 steps:", steps.rows)
    # The audit entries of the whole case, kept beside the screenshots.
    trail = _case_audit(server, case_id, number, began)
    (RESULTS_DIR / "g107-audit.json").write_text(
        json.dumps(trail, ensure_ascii=False, indent=1), encoding="utf-8")
    assert any(r["personal"] and r["case_number"] == number for r in trail), trail
    assert any(r["resource_id"] == case_id for r in trail), trail
    for page in (dispatcher, analyst, supervisor):
        page.context.close()
    assert not console.unexpected(), console.unexpected()


def test_the_cases_list_opens_a_case_and_filters_by_status(
        browser: Any, server: DemoServer) -> None:
    console = ConsoleWatch()
    page = _tab(browser, server, "analyst", console)
    page.goto(f"{server.base_url}/cases")
    page.wait_for_selector("body[data-ready='1']")
    page.click("#create-btn")
    expect(page.locator("#form-error")).to_have_text("请填写案件名称")
    page.select_option("#kind", "fraud")
    page.fill("#title", "<img src=x onerror=alert(1)>冒充客服退款诈骗")
    page.click("#create-btn")
    page.wait_for_url(f"{server.base_url}/cases/*")
    page.wait_for_selector("body[data-ready='1']")
    expect(page.locator("#case-title")).to_have_text("<img src=x onerror=alert(1)>冒充客服退款诈骗")
    expect(page.locator("#case-kind")).to_have_text("电信网络诈骗")
    page.goto(f"{server.base_url}/cases")
    page.wait_for_selector("body[data-ready='1']")
    row = page.locator("#case-table tbody tr", has_text="冒充客服退款诈骗")
    expect(row).to_have_count(1)
    page.select_option("#status-filter", "solved")
    expect(row).to_have_count(0)
    page.click("#lang-toggle button[data-lang='en']")
    expect(page.locator("#create-btn")).to_have_text("Open the case")
    page.context.close()
    assert not console.unexpected(), console.unexpected()
