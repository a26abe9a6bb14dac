"""Persons, vehicles and evidence on a case's workspace, and the e-bike register's page,
in Chromium against the demo city.

On the workspace the analyst puts a suspect's phone and the G107 e-bike on the case,
shows the phone in full (a read bound to the case: its audit row is on the timeline and
in the audit log) and refers the case to a document. On /intel/ebikes the station
officer registers an e-bike, transfers it, and imports a GBK register with one bad row:
nothing is loaded and the row is named with its line and field.
"""

from __future__ import annotations

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
from yanyun.cases import scenario

pytestmark = pytest.mark.browser

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

SUSPECT_PHONE = "13907341234"
REGISTER = (
    "号牌,车主姓名,身份证号,手机号,住址,品牌,颜色\n"
    "衡阳K20001,张伟,430402198801011238,13907340001,衡阳市雁峰区先锋路1号,爱玛,红\n"
    "衡阳K20002,王芳,430402198801011239,13907340002,衡阳市雁峰区先锋路2号,台铃,黑\n"
)


def _tab(browser: Any, server: DemoServer, username: str, console: ConsoleWatch) -> Any:
    context = new_context(browser, server, viewport={"width": 1500, "height": 1100})
    context.set_default_timeout(20_000)
    page = context.new_page()
    console.attach(page)
    store_session(page, server.base_url, api_login(server.base_url, username))
    return page


def _open_case(server: DemoServer, username: str) -> dict[str, Any]:
    token = api_login(server.base_url, username)["access_token"]
    resp = httpx.post(f"{server.base_url}/api/v1/cases", timeout=30,
                      headers={"Authorization": f"Bearer {token}"},
                      json={"kind": "traffic", "title": "G107向阳街道电动车肇事逃逸案"})
    assert resp.status_code == 201, resp.text
    return resp.json()


def _add_party(page: Any, kind: str, role: str, **fields: str) -> None:
    page.select_option("#party-kind", kind)
    page.select_option("#party-role", role)
    for field, value in fields.items():
        page.fill(f"#party-{field}", value)
    page.click("#party-btn")


def test_parties_and_evidence_on_the_workspace(browser: Any, server: DemoServer) -> None:
    RESULTS_DIR.mkdir(exist_ok=True)
    console = ConsoleWatch()
    case = _open_case(server, "analyst")
    page = _tab(browser, server, "analyst", console)
    page.goto(f"{server.base_url}/cases/{case['id']}")
    page.wait_for_selector("body[data-ready='1']")
    _add_party(page, "phone", "suspect", phone=SUSPECT_PHONE, note="目击者提供的车主电话")
    phone_row = page.locator("#party-table tr[data-kind='phone']")
    expect(phone_row).to_contain_text("139****1234")
    _add_party(page, "ebike", "suspect", plate=scenario.PLATE)
    ebike_row = page.locator("#party-table tr[data-kind='ebike']")
    expect(ebike_row).to_contain_text(scenario.PLATE)
    ebike_row.locator("button[data-action='owner']").click()
    expect(page.locator("#owner-plate")).to_have_value(scenario.PLATE)
    expect(page.locator("#timeline li[data-kind='party_added']")).to_have_count(2)
    page.fill("#party-reason", "联系嫌疑人核实身份")
    phone_row.locator("button[data-action='reveal']").click()
    expect(phone_row.locator("[data-revealed]")).to_contain_text(SUSPECT_PHONE)
    expect(page.locator("#timeline li[data-kind='search']")).to_have_count(1)
    expect(page.locator("#timeline li[data-kind='search']")).to_contain_text("case_party")
    page.select_option("#evidence-kind", "document")
    page.fill("#evidence-title", "交通事故认定书")
    page.fill("#evidence-document", "衡公交认字〔2026〕118号")
    page.click("#evidence-btn")
    document = page.locator("#evidence-list li[data-kind='document']")
    expect(document).to_contain_text("交通事故认定书")
    expect(page.locator("#timeline li[data-kind='evidence_added']")).to_have_count(1)
    # A bad ID number is named in place, not a 500.
    console.allow_status(422)
    _add_party(page, "person", "witness", name="李建国", **{"id-number": "430402198801011239"})
    expect(page.locator("#party-error")).to_contain_text("身份证号无效")
    page.screenshot(path=str(RESULTS_DIR / "case-persons.png"), full_page=True)
    # The read is on the audit log with the case's number.
    supervisor = api_login(server.base_url, "supervisor")["access_token"]
    rows = httpx.get(f"{server.base_url}/api/v1/oversight/audit", timeout=30,
                     params={"resource_type": "case_party", "action": "read_personal"},
                     headers={"Authorization": f"Bearer {supervisor}"}).json()["items"]
    assert [(r["case_number"], r["username"]) for r in rows] == [(case["number"], "analyst")]
    page.click("#lang-toggle button[data-lang='en']")
    expect(page.locator("#party-btn")).to_have_text("Add to the case")
    page.context.close()
    assert not console.unexpected(), console.unexpected()


def test_the_ebike_register_page(browser: Any, server: DemoServer) -> None:
    RESULTS_DIR.mkdir(exist_ok=True)
    console = ConsoleWatch()
    page = _tab(browser, server, "officer", console)
    page.goto(f"{server.base_url}/intel/ebikes")
    page.wait_for_selector("body[data-ready='1']")
    page.fill("#reg-plate", "衡阳K10001")
    page.fill("#reg-name", "李建国")
    page.fill("#reg-id", "430402198801011238")
    page.fill("#reg-phone", "13907341234")
    page.fill("#reg-address", "衡阳市雁峰区先锋路18号")
    page.fill("#reg-brand", "雅迪")
    page.fill("#reg-colour", "白")
    page.click("#reg-btn")
    expect(page.locator("body")).to_have_attribute("data-plate", "衡阳K10001")
    row = page.locator("#reg-table tr[data-plate='衡阳K10001']")
    expect(row).to_contain_text("李**")
    expect(row).to_contain_text("139****1234")
    page.fill("#tr-name", "王秀英")
    page.fill("#tr-id", "43040419900515661X")
    page.fill("#tr-phone", "15873421111")
    page.fill("#tr-address", "衡阳市蒸湘区解放大道9号")
    page.click("#tr-btn")
    expect(page.locator("#history li")).to_have_count(3)
    expect(page.locator("#history li[data-kind='transferred_to']")).to_contain_text("王**")
    expect(page.locator("#plate-owner")).not_to_contain_text("15873421111")
    page.set_input_files("#import-file", files=[{
        "name": "登记册.csv", "mimeType": "text/csv", "buffer": REGISTER.encode("gbk")}])
    page.click("#import-btn")
    expect(page.locator("body")).to_have_attribute("data-imported", "refused")
    bad = page.locator("#import-errors tr[data-line='3'][data-field='owner_id_number']")
    expect(bad).to_be_visible()
    expect(page.locator("#import-summary")).to_contain_text("全部未导入")
    page.screenshot(path=str(RESULTS_DIR / "ebike-register.png"), full_page=True)
    # Nothing of the file was loaded, the good row included.
    page.fill("#filter-plate", "衡阳K2")
    page.click("#filter-form button[type='submit']")
    expect(page.locator("#reg-table tbody")).to_contain_text("没有登记记录")
    page.click("#lang-toggle button[data-lang='en']")
    expect(page.locator("#import-btn")).to_have_text("Import")
    expect(bad).to_contain_text("not a valid identity number")
    page.context.close()
    assert not console.unexpected(), console.unexpected()
