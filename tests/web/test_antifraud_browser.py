"""The anti-fraud desk in Chromium against the real demo: a high-grade warning arrives, is
routed to the officer's station, phoned in time and dissuaded; another goes overdue and
becomes a supervised task (督办)."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from tests.web.browser_support import (
    RESULTS_DIR,
    DemoServer,
    api_get,
    api_login,
    clear_of_midnight,
    new_context,
    require_chromium,
    run_demo_server,
    store_session,
    watched_tab,
)
from yanyun.antifraud.settings import AntifraudSettings

pytestmark = pytest.mark.browser

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

SECRET = AntifraudSettings().push_secret  # the demo server runs with the default


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    """The demo with a brisk overdue scan, so a missed deadline is seen within seconds."""
    require_chromium()
    with run_demo_server(tmp_path_factory.mktemp("antifraud"),
                         extra_env={"YANYUN_ANTIFRAUD__OVERDUE_SCAN_S": "5"}) as running:
        yield running


def _push(server: DemoServer, rows: list[dict[str, Any]]) -> dict[str, Any]:
    body = json.dumps({"source": "national", "warnings": rows}, ensure_ascii=False).encode()
    signature = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    resp = httpx.post(f"{server.base_url}/api/v1/antifraud/push", content=body, timeout=30,
                      headers={"X-Yanyun-Signature": signature,
                               "Content-Type": "application/json"})
    assert resp.status_code == 201, resp.text
    assert resp.json()["accepted"] == len(rows), resp.text
    return resp.json()


def _warning(ref: str, where: list[float], received_at: str) -> dict[str, Any]:
    return {"warning_id": ref, "received_at": received_at, "victim_name": "刘秀英",
            "victim_phone": "13807349876", "victim_id_number": "11010519491231002X",
            "address": "派出所辖区", "lng": where[0], "lat": where[1],
            "fraud_type": "冒充公检法", "suspect_account": f"acct-{ref}", "amount_yuan": 80000}


def _own_station_point(server: DemoServer, token: str, station: str) -> list[float]:
    stations = api_get(server.base_url, token, "/api/v1/geo/stations")["features"]
    return next(s["geometry"]["coordinates"] for s in stations
                if s["properties"].get("code") == station)


def test_a_warning_is_dissuaded_in_time_and_a_missed_one_is_supervised(
    browser: Any, server: DemoServer
) -> None:
    now = clear_of_midnight(server.base_url)
    officer = api_login(server.base_url, "officer")
    station = officer["user"]["org_code"]
    where = _own_station_point(server, officer["access_token"], station)
    _push(server, [_warning("BT-HIGH-1", where, now.isoformat())])
    mine = api_get(server.base_url, officer["access_token"], "/api/v1/antifraud/warnings")
    fresh = next(w for w in mine if w["suspect_account"] == "acct-BT-HIGH-1")
    assert fresh["grade"] == "high" and fresh["station_code"] == station
    with watched_tab(browser, server, viewport={"width": 1600, "height": 1000}) as page:
        store_session(page, server.base_url, officer)
        page.goto(f"{server.base_url}/antifraud")
        page.wait_for_selector("body[data-antifraud-ready='1']")
        item = page.locator(f"#list-high [data-number='{fresh['number']}']")
        expect(item).to_have_attribute("data-station", station)
        expect(item.locator(".af-clock")).to_contain_text("电话")
        item.click()
        expect(page.locator("#detail-heading")).to_contain_text(fresh["number"])
        page.locator("#act-phone").click()
        expect(page.locator("#detail-contacts li")).to_have_count(1)
        page.locator("#outcome-select").select_option("dissuaded")
        page.locator("#act-outcome").click()
        expect(item).to_have_count(0)
        done = api_get(server.base_url, officer["access_token"],
                       f"/api/v1/antifraud/warnings/{fresh['id']}")
        assert done["outcome"] == "dissuaded" and done["first_phone_at"] <= done["phone_due_at"]
        expect(page.locator("#f-dissuaded")).not_to_have_text("0")
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(RESULTS_DIR / "antifraud-desk.png"))
        # A second warning, received a quarter of an hour ago and never phoned.
        late_at = (now - timedelta(minutes=15)).isoformat()
        _push(server, [_warning("BT-LATE-1", where, late_at)])
        late = next(w for w in api_get(server.base_url, officer["access_token"],
                                       "/api/v1/antifraud/warnings")
                    if w["suspect_account"] == "acct-BT-LATE-1")
        late_item = page.locator(f"#list-high [data-number='{late['number']}']")
        expect(late_item).to_have_class("af-item is-overdue")
        task = _supervised_task(server, late["number"])
        assert task["owner_org_code"] == station
        # A third, dissuaded by phone 70 minutes ago without the visit its grade owes: the
        # desk lists it as closed with the visit owed, and the visit is logged late (补录走访).
        visit_at = (now - timedelta(minutes=70)).isoformat()
        _push(server, [_warning("BT-VISIT-1", where, visit_at)])
        owed = next(w for w in api_get(server.base_url, officer["access_token"],
                                       "/api/v1/antifraud/warnings")
                    if w["suspect_account"] == "acct-BT-VISIT-1")
        _api_post(server, officer["access_token"], f"/api/v1/antifraud/warnings/{owed['id']}"
                  "/contacts", {"channel": "phone", "reached": True})
        _api_post(server, officer["access_token"], f"/api/v1/antifraud/warnings/{owed['id']}"
                  "/outcome", {"outcome": "dissuaded"})
        page.reload()
        page.wait_for_selector("body[data-antifraud-ready='1']")
        owed_item = page.locator(f"#list-visit-owed [data-number='{owed['number']}']")
        expect(owed_item).to_have_class("af-item is-overdue")
        owed_item.click()
        expect(page.locator("#act-phone")).to_be_disabled()
        page.locator("#act-late-visit").click()
        expect(page.locator("#detail-visit")).to_contain_text("逾期上门")
        expect(page.locator("#act-late-visit")).to_be_hidden()
        expect(owed_item).to_have_count(0)
        page.screenshot(path=str(RESULTS_DIR / "antifraud-desk-late-visit.png"))
        visited = api_get(server.base_url, officer["access_token"],
                          f"/api/v1/antifraud/warnings/{owed['id']}")
        assert (visited["outcome"], visited["visit_late"]) == ("dissuaded", True)
        assert [c["channel"] for c in visited["contacts"]] == ["phone", "visit"]


def _api_post(server: DemoServer, token: str, path: str, body: dict[str, Any]) -> None:
    resp = httpx.post(f"{server.base_url}{path}", json=body, timeout=30,
                      headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code in (200, 201), resp.text


def _supervised_task(server: DemoServer, number: str) -> dict[str, Any]:
    chief = api_login(server.base_url, "chief")["access_token"]
    for _ in range(120):  # the overdue scan runs every 5 s, then the runner makes the task
        tasks = api_get(server.base_url, chief, "/api/v1/oversight/tasks?limit=500")["items"]
        found = [t for t in tasks if number in t["title"]]
        if found:
            return found[0]
        time.sleep(0.5)
    raise AssertionError(f"no supervised task for {number}")


def test_the_trends_map_and_a_defrauded_warnings_case_link(
    browser: Any, server: DemoServer
) -> None:
    now = clear_of_midnight(server.base_url)
    officer = api_login(server.base_url, "officer")
    station = officer["user"]["org_code"]
    where = _own_station_point(server, officer["access_token"], station)
    _push(server, [_warning("BT-CASE-1", where, now.isoformat())])
    fresh = next(w for w in api_get(server.base_url, officer["access_token"],
                                    "/api/v1/antifraud/warnings")
                 if w["suspect_account"] == "acct-BT-CASE-1")
    with watched_tab(browser, server, viewport={"width": 1600, "height": 1300},
                     allow_statuses=(422,)) as page:
        store_session(page, server.base_url, officer)
        page.goto(f"{server.base_url}/antifraud")
        page.wait_for_selector("body[data-antifraud-ready='1'][data-trends-ready='1']")
        # The map colours the officer's district (their station's warnings, the demo's too).
        own = page.locator(f"path.af-district[data-code='{fresh['district_code']}']")
        expect(own).to_have_count(1)
        assert int(own.get_attribute("data-count")) >= 1
        expect(page.locator("#type-table tbody tr").first).to_be_visible()
        page.locator("#trend-period").select_option("month")
        page.wait_for_selector("body[data-trend-period='month']")
        expect(page.locator("#trend-range")).to_contain_text(now.strftime("%Y-%m-01"))
        # Record a publicity activity for the station.
        page.locator("#pub-place").fill("雁云广场反诈宣传")
        page.locator("#pub-audience").fill("150")
        page.locator("#pub-types").select_option(["police", "brushing"])
        page.locator("#publicity-form button[type=submit]").click()
        expect(page.locator("#publicity-list li").first).to_contain_text("雁云广场反诈宣传")
        # A warning ends defrauded: cases opens its case, the desk links it.
        item = page.locator(f"#list-high [data-number='{fresh['number']}']")
        item.click()
        expect(page.locator("#stop-form")).to_be_hidden()  # not before the person is reached
        page.locator("#act-visit").click()
        expect(page.locator("#detail-contacts li")).to_have_count(1)
        # Already paid: the officer asks the bank to stop it (止付冻结), which closes the
        # warning as defrauded; more stopped than lost is refused with the reason.
        page.locator("#stop-bank").fill("中国工商银行衡阳分行")
        page.locator("#stop-account").fill("6222020000001234")
        page.locator("#stop-lost").fill("80000")
        page.locator("#stop-stopped").fill("90000")
        page.locator("#stop-form button[type=submit]").click()
        expect(page.locator("#af-error")).to_contain_text("止付金额不能超过被骗金额")
        page.locator("#stop-stopped").fill("52000")
        page.locator("#stop-form button[type=submit]").click()
        expect(page.locator("#detail-stops li")).to_contain_text("冻结52,000")
        # Cases opens the case from the event, anti-fraud links it back; the detail shows it.
        link = page.locator("#case-link")
        expect(link).to_have_text(re.compile(r"^AJ\d{8}-\d{4}$"), timeout=30_000)
        expect(page.locator("#trend-legend span.af-scale-0")).to_have_text("0")
        assert page.locator("#trend-legend span").count() >= 2
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(RESULTS_DIR / "antifraud-trends.png"), full_page=True)
        detail = api_get(server.base_url, officer["access_token"],
                         f"/api/v1/antifraud/warnings/{fresh['id']}")
        assert detail["outcome"] == "defrauded" and detail["stopped_yuan"] == 52000
        assert [p["amount_stopped_yuan"] for p in detail["stop_payments"]] == [52000]
        case = api_get(server.base_url, officer["access_token"],
                       f"/api/v1/cases/{detail['case_id']}")
        assert case["kind"] == "fraud" and fresh["number"] in case["title"]
        assert "刘**" in case["summary"] and "刘秀英" not in case["summary"]
        link.click()
        page.wait_for_url(f"**/cases/{detail['case_id']}")
        page.wait_for_selector("body[data-ready='1']")
        expect(page.locator("body")).to_contain_text(case["number"])


def test_the_city_wide_trends_map_colours_every_district(browser: Any, server: DemoServer) -> None:
    supervisor = api_login(server.base_url, "supervisor")
    districts = api_get(server.base_url, supervisor["access_token"],
                        "/api/v1/geo/districts")["features"]
    with watched_tab(browser, server, viewport={"width": 1600, "height": 1300}) as page:
        store_session(page, server.base_url, supervisor)
        page.goto(f"{server.base_url}/antifraud")
        page.wait_for_selector("body[data-antifraud-ready='1'][data-trends-ready='1']")
        expect(page.locator("path.af-district")).to_have_count(len(districts))
        # The demo's synthetic stream (1,650 a day) reaches every district.
        counts = [int(c) for c in page.locator("path.af-district").evaluate_all(
            "nodes => nodes.map(n => n.getAttribute('data-count'))")]
        assert min(counts) > 0
        # Supervisors read the desk; they record no publicity.
        expect(page.locator("#publicity-form")).to_be_hidden()
        page.locator("#trend-period").select_option("day")
        page.wait_for_selector("body[data-trend-period='day']")
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(RESULTS_DIR / "antifraud-trends-city.png"), full_page=True)


def test_the_officer_works_a_warning_from_the_phone(browser: Any, server: DemoServer) -> None:
    now = clear_of_midnight(server.base_url)
    officer = api_login(server.base_url, "officer")
    station = officer["user"]["org_code"]
    where = _own_station_point(server, officer["access_token"], station)
    phone = new_context(browser, server, viewport={"width": 360, "height": 780},
                        is_mobile=True, has_touch=True)
    phone.set_default_timeout(20_000)
    page = phone.new_page()
    try:
        store_session(page, server.base_url, officer)
        page.goto(f"{server.base_url}/m")
        page.wait_for_selector("body[data-field-ready='1']")
        _push(server, [_warning("BT-PHONE-1", where, now.isoformat())])
        fresh = next(w for w in api_get(server.base_url, officer["access_token"],
                                        "/api/v1/antifraud/warnings")
                     if w["suspect_account"] == "acct-BT-PHONE-1")
        card = page.locator(f"[data-warning='{fresh['id']}']")
        # It reaches the phone without a reload (the live event), masked.
        expect(card).to_contain_text(fresh["number"])
        expect(card).to_contain_text("138****9876")
        card.locator("[data-fraud-call]").tap()
        expect(card.locator("[data-fraud-tel]")).to_have_attribute("href", "tel:13807349876")
        card.locator("[data-fraud-contact='reached']").tap()
        card = page.locator(f"[data-warning='{fresh['id']}']")
        card.locator(f"[data-outcome='{fresh['id']}']").select_option("dissuaded")
        page.screenshot(path=str(RESULTS_DIR / "field-fraud-warning.png"))
        card.locator("[data-fraud-close]").tap()
        expect(page.locator(f"[data-warning='{fresh['id']}']")).to_have_count(0)
        done = api_get(server.base_url, officer["access_token"],
                       f"/api/v1/antifraud/warnings/{fresh['id']}")
        assert done["outcome"] == "dissuaded" and len(done["contacts"]) == 1
        assert done["first_phone_at"] is not None
        # The full number was read once, audited and bound to the warning.
        supervisor = api_login(server.base_url, "supervisor")["access_token"]
        audit = api_get(server.base_url, supervisor,
                        f"/api/v1/oversight/audit?resource_id={fresh['id']}&limit=100")["items"]
        (RESULTS_DIR / "antifraud-warning-audit.json").write_text(
            json.dumps(audit, ensure_ascii=False, indent=1), encoding="utf-8")
        reads = [r for r in audit if r["personal"]]
        assert len(reads) == 1 and reads[0]["username"] == "officer"
        assert reads[0]["case_number"] == fresh["number"]
    finally:
        phone.close()
