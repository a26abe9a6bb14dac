"""The yardstick page and the callback form in Chromium against the demo with a year's past.

A supervisor reads the city, opens a district, drills a year-on-year figure down
to its incidents, exports the view and reads the workbook back; a caller
answers a callback through the SMS link's form, unsatisfied, and the station
gets a supervised task.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from tests.web.browser_support import (
    RESULTS_DIR,
    DemoServer,
    api_get,
    api_login,
    demo_with_history,
    new_context,
    store_session,
    watched_tab,
)

pytestmark = pytest.mark.browser

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    """The demo with 400 days of past incidents: a year ago exists for every month shown."""
    yield from demo_with_history(tmp_path_factory, 400)


@pytest.fixture
def page(browser: Any, server: DemoServer) -> Iterator[Any]:
    with watched_tab(browser, server, viewport={"width": 1440, "height": 1000}) as tab:
        yield tab


def test_a_district_figure_drilled_to_its_records_and_exported(page: Any, server: DemoServer):
    login = api_login(server.base_url, "supervisor")
    token = login["access_token"]
    city = api_get(server.base_url, token, "/api/v1/kpi")
    street = next(i for i in city["indicators"] if i["id"] == "street_crime")
    assert street["value"] > 0 and street["last_year"] > 0  # a real year ago
    store_session(page, server.base_url, login)
    page.goto(f"{server.base_url}/kpi")
    page.wait_for_selector("body[data-kpi-ready='1']")
    expect(page.locator("#kpi-month")).to_have_value(city["first"][:7])
    row = page.locator("tr[data-indicator='street_crime']")
    expect(row.locator("button.val")).to_have_text(f"{street['value']:,.0f}")
    expect(row.locator(".chg").first).to_have_attribute(
        "data-good", "better" if street["better"] else ("worse" if street["better"] is False
                                                        else "same"))
    # Open the district ranked first for street crime.
    first_unit = street["units"][0]
    page.click(f"#kpi-units li[data-unit='{first_unit['code']}'] button")
    expect(page.locator("#kpi-crumbs .here")).to_have_text(first_unit["name_zh"])
    district = api_get(server.base_url, token, f"/api/v1/kpi?org={first_unit['code']}")
    district_street = next(i for i in district["indicators"] if i["id"] == "street_crime")
    expect(row.locator("button.val")).to_have_text(f"{district_street['value']:,.0f}")
    row.locator("button.val").click()
    expect(page.locator("#kpi-records-card")).to_be_visible()
    expect(page.locator("#records-meta")).to_contain_text(f"共 {district_street['value']:.0f} 条")
    first_link = page.locator("#kpi-records a").first
    assert first_link.get_attribute("href").startswith("/console?incident=")
    RESULTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS_DIR / "kpi-district.png"), full_page=True)
    with page.expect_download() as info:
        page.click("#kpi-export")
    book = load_workbook(io.BytesIO(open(info.value.path(), "rb").read()))
    rows = list(book["考核指标"].iter_rows(values_only=True))
    assert first_unit["name_zh"] in rows[0][0]
    assert next(r for r in rows if r[1] == "街面现行案件")[4] == district_street["value"]
    page.emulate_media(media="print")
    page.screenshot(path=str(RESULTS_DIR / "kpi-monthly-report-print.png"), full_page=True)
    page.emulate_media(media="screen")
    page.click("#lang-toggle button[data-lang='en']")
    expect(page.locator("#kpi-h")).to_have_text("Indicators")


def _close_a_call(base: str, token: str) -> dict:
    auth = {"Authorization": f"Bearer {token}"}
    stations = httpx.get(f"{base}/api/v1/geo/stations", headers=auth, timeout=30).json()
    where = stations["features"][0]["geometry"]["coordinates"]
    made = httpx.post(f"{base}/api/v1/incidents", headers=auth, timeout=30, json={
        "narrative": "报警人称电动车被盗", "category_code": "10", "sub_code": "1002",
        "caller_phone": "13907340001", "lng": where[0], "lat": where[1]}).json()
    units = httpx.get(f"{base}/api/v1/units", headers=auth, timeout=30,
                      params={"status": "available", "limit": 5000}).json()
    unit = next(u for u in units if u["station_code"] == made["station_code"])
    httpx.post(f"{base}/api/v1/incidents/{made['id']}/dispatch", headers=auth, timeout=30,
               json={"unit_ids": [unit["id"]]})
    outcome = next(iter(httpx.get(f"{base}/api/v1/incident-outcomes", headers=auth).json()))
    for step in ({"to": "on_scene"}, {"to": "resolved", "outcome": outcome}, {"to": "closed"}):
        resp = httpx.post(f"{base}/api/v1/incidents/{made['id']}/transitions", headers=auth,
                          json=step, timeout=30)
        assert resp.status_code == 200, resp.text
    return made


def _wait_for(fetch, found, what: str, tries: int = 60):
    for _ in range(tries):
        hit = found(fetch())
        if hit:
            return hit
        time.sleep(0.5)
    raise AssertionError(f"never saw {what}")


def test_a_caller_answers_unsatisfied_through_the_link_and_the_station_gets_a_task(
    browser: Any, server: DemoServer
):
    base = server.base_url
    dispatcher = api_login(base, "dispatcher")["access_token"]
    made = _close_a_call(base, dispatcher)
    auth = {"Authorization": f"Bearer {dispatcher}"}
    callback = _wait_for(
        lambda: httpx.get(f"{base}/api/v1/callbacks", headers=auth, timeout=30).json(),
        lambda rows: next((c for c in rows if c["incident_id"] == made["id"]), None),
        "the callback queued")
    link = httpx.post(f"{base}/api/v1/callbacks/{callback['id']}/link", headers=auth,
                      timeout=30).json()["url"]
    context = new_context(browser, server, viewport={"width": 390, "height": 844},
                          is_mobile=True, has_touch=True)
    try:
        phone = context.new_page()
        phone.goto(link)
        phone.wait_for_selector("body[data-survey-ready='1']")
        phone.check("input[value='unsatisfied']")
        phone.click("#sv-send")
        expect(phone.locator("#sv-msg")).to_have_text("请说明不满意的原因")
        phone.fill("#sv-reason", "民警到场后态度敷衍")
        phone.click("#sv-send")
        expect(phone.locator("#sv-msg")).to_have_text("感谢您的评价")
        RESULTS_DIR.mkdir(exist_ok=True)
        phone.screenshot(path=str(RESULTS_DIR / "survey-answered.png"))
        phone.reload()
        phone.wait_for_selector("body[data-survey-ready='1']")
        phone.check("input[value='satisfied']")
        phone.click("#sv-send")
        expect(phone.locator("#sv-msg")).to_have_text("链接无效或已失效")
    finally:
        context.close()
    supervisor = api_login(base, "supervisor")["access_token"]
    task = _wait_for(
        lambda: api_get(base, supervisor, "/api/v1/oversight/tasks?source=requested&limit=500"),
        lambda body: next((t for t in body["items"] if made["number"] in t["title"]), None),
        "the supervised task")
    assert task["owner_org_code"] == made["station_code"]
