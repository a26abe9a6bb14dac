"""The dispatcher console in Chromium, against the real demo server."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.browser_support import (
    RESULTS_DIR,
    ConsoleWatch,
    DemoServer,
    api_login,
    new_context,
    store_session,
)

pytestmark = pytest.mark.browser

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

NARRATIVE = "十分钟前在衡阳东站门口有人持刀抢劫"
AVAILABLE = "#3fb67f"


def open_console(browser: Any, server: DemoServer, viewport: dict[str, int],
                 console: ConsoleWatch) -> tuple[Any, Any]:
    context = new_context(browser, server, viewport=viewport, locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    console.attach(page)
    store_session(page, server.base_url, api_login(server.base_url, "dispatcher"))
    page.goto(f"{server.base_url}/console")
    page.wait_for_selector("body[data-console-ready='1']")
    expect(page.locator("#conn-banner")).to_have_attribute("data-state", "connected")
    return context, page


def test_intake_create_dispatch_live(browser: Any, server: DemoServer) -> None:
    console = ConsoleWatch()
    context, page = open_console(browser, server, {"width": 1920, "height": 1080}, console)
    try:
        page.fill("#narrative", NARRATIVE)
        expect(page.locator("#sg-place")).to_have_text("衡阳东站")
        expect(page.locator("#sg-category")).to_contain_text("抢劫")
        expect(page.locator(".sg-place .sg-src")).to_contain_text("衡阳东站")
        expect(page.locator("#sub-select")).to_have_value("1001")
        assert page.evaluate("window.yanyunConsole.intake().source") == "parse"

        page.press("#narrative", "Control+Enter")
        row = page.locator(".qrow").first
        expect(row.locator(".qstatus")).to_have_text("已接警")
        number = row.get_attribute("data-number")
        assert number
        expect(page.locator("#detail-number")).to_have_text(number)
        rec = page.locator(".rec[data-rank='1']")
        expect(rec).to_be_visible()
        unit_id = rec.get_attribute("data-unit")
        assert page.evaluate("(id) => window.yanyunConsole.unit(id).fill", unit_id) == AVAILABLE
        last_id = page.evaluate("window.yanyunConsole.live().lastId")

        rec.locator("button.rdispatch").click()
        expect(page.locator(f".qrow[data-number='{number}'] .qstatus")).to_have_text("已派警")
        # The marker recolours only from the live unit.dispatched event.
        page.wait_for_function(
            "(id) => window.yanyunConsole.unit(id).status === 'dispatched'", arg=unit_id)
        assert page.evaluate("window.yanyunConsole.live().lastId") > last_id
        fill = page.locator(f"path[data-unit='{unit_id}']").get_attribute("fill")
        assert fill and fill.lower() != AVAILABLE
        expect(page.locator("#timeline")).to_contain_text("已派警")
        # Any unit on the map opens its card: what it is and the incident it is on.
        page.locator(f"path[data-unit='{unit_id}']").dispatch_event("click")
        card = page.locator(f".yy-popup[data-unit-popup='{unit_id}']")
        expect(card).to_contain_text("已派")
        expect(card).to_contain_text(number)
        RESULTS_DIR.mkdir(exist_ok=True)
        page.screenshot(path=str(RESULTS_DIR / "console-1920x1080.png"))

        page.click("#lang-toggle button[data-lang='en']")
        expect(page.locator("#queue-heading")).to_contain_text("Incident queue")
        expect(page.locator(f".qrow[data-number='{number}'] .qstatus")).to_have_text("dispatched")
        expect(page.locator(f".qrow[data-number='{number}'] .qcat")).to_contain_text("Robbery")
        page.screenshot(path=str(RESULTS_DIR / "console-1920x1080-en.png"))
    finally:
        context.close()
    assert not console.unexpected(), f"console errors: {console.unexpected()}"


def test_small_screen_and_map_pick(browser: Any, server: DemoServer) -> None:
    console = ConsoleWatch()
    context, page = open_console(browser, server, {"width": 1366, "height": 768}, console)
    try:
        expect(page.locator(".qrow")).not_to_have_count(0)
        page.fill("#narrative", "有人打架")
        box = page.locator("#map").bounding_box()
        assert box
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_function("() => window.yanyunConsole.intake().source === 'map'")
        expect(page.locator(".sg-place .sg-src")).to_have_text("地图选点")
        for col in ("#detail", ".col-left", "#map"):
            b = page.locator(col).bounding_box()
            assert b and b["x"] + b["width"] <= 1366 + 1 and b["y"] + b["height"] <= 768 + 1
        page.screenshot(path=str(RESULTS_DIR / "console-1366x768.png"))
    finally:
        context.close()
    assert not console.unexpected(), f"console errors: {console.unexpected()}"


def test_clock_turns_red_when_time_passes_the_dispatch_target(
        browser: Any, server: DemoServer) -> None:
    import httpx

    login = api_login(server.base_url, "dispatcher")
    headers = {"Authorization": f"Bearer {login['access_token']}"}
    station = httpx.get(f"{server.base_url}/api/v1/geo/stations", headers=headers,
                        timeout=10).json()["features"][-1]["geometry"]["coordinates"]
    created = httpx.post(f"{server.base_url}/api/v1/incidents", headers=headers, timeout=10,
                         json={"narrative": "有人在路边晕倒", "category_code": "70",
                               "lng": station[0], "lat": station[1]})
    assert created.status_code == 201, created.text
    inc_id = created.json()["id"]
    console = ConsoleWatch()
    context = new_context(browser, server, viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    # The context's clock reads the server's time; the test moves it forward.
    console.attach(page)
    store_session(page, server.base_url, login)
    page.goto(f"{server.base_url}/console")
    page.wait_for_selector("body[data-console-ready='1']")
    clock = page.locator(f".qrow[data-id='{inc_id}'] .clock")
    expect(clock).to_have_attribute("data-level", "ok")
    page.clock.fast_forward(50_000)
    expect(clock).to_have_attribute("data-level", "warn")
    page.clock.fast_forward(15_000)
    expect(clock).to_have_attribute("data-level", "bad")
    assert not console.unexpected(), console.unexpected()
    context.close()


def test_keyboard_only_call_to_dispatch_then_note_and_merge(
        browser: Any, server: DemoServer) -> None:
    """A call taken and dispatched with the keyboard alone; then a note and a merge."""
    console = ConsoleWatch()
    context, page = open_console(browser, server, {"width": 1366, "height": 768}, console)
    try:
        narrative = "刚才在衡阳东站门口有人持刀抢劫，往东跑了"
        page.focus("#narrative")
        page.keyboard.type(narrative)
        expect(page.locator("#sg-place")).to_have_text("衡阳东站")
        page.keyboard.press("Control+Enter")
        first = page.locator("#detail-number")
        expect(first).not_to_be_empty()
        number = first.inner_text()
        # Focus went to the detail: the 1 key sends the first recommended unit.
        expect(page.locator(".rec[data-rank='1']")).to_be_visible()
        assert page.evaluate("document.activeElement.id") == "detail"
        call_sign = page.locator(".rec[data-rank='1'] .rname").inner_text()
        page.keyboard.press("1")
        expect(page.locator(f".qrow[data-number='{number}'] .qstatus")).to_have_text("已派警")
        expect(page.locator("#timeline li[data-kind='dispatched']")).to_have_count(1)
        expect(page.locator("#timeline li[data-kind='assigned']")).to_have_count(1)
        expect(page.locator("#timeline li[data-kind='assigned']")).to_contain_text(call_sign)
        expect(page.locator(".dmsg-ok")).to_contain_text("已派出")

        # N focuses the note box; Enter saves the note onto the timeline.
        page.focus("#detail")
        page.keyboard.press("n")
        assert page.evaluate("document.activeElement.id") == "note-input"
        page.keyboard.type("报警人回拨：嫌疑人穿黑色外套")
        page.keyboard.press("Enter")
        expect(page.locator("#timeline li[data-kind='note']")).to_contain_text("黑色外套")

        # The status line follows the language switch, not only new lines.
        page.click("#lang-toggle button[data-lang='en']")
        expect(page.locator(".dmsg-ok")).to_have_text("Note saved")
        page.click("#lang-toggle button[data-lang='zh']")

        # A second call about the same robbery is offered as a duplicate and merged.
        page.focus("#narrative")
        page.keyboard.type("衡阳东站门口有人被抢了，对方拿着刀")
        expect(page.locator("#sg-place")).to_have_text("衡阳东站")
        page.keyboard.press("Control+Enter")
        expect(page.locator("#detail-number")).not_to_have_text(number)
        second = page.locator("#detail-number").inner_text()
        dup = page.locator("#dups li[data-incident]").filter(has_text=number)
        expect(dup).to_have_count(1)
        dup.locator("button.dupmerge").click()
        expect(page.locator(".dmsg-ok")).to_contain_text(number)
        expect(page.locator(f".qrow[data-number='{number}']")).to_have_count(0)
        expect(page.locator(f".qrow[data-number='{second}']")).to_have_count(1)
        page.screenshot(path=str(RESULTS_DIR / "console-keyboard-1366x768.png"))
    finally:
        context.close()
    assert not console.unexpected(), f"console errors: {console.unexpected()}"


def test_the_console_closes_every_incident_and_acts_for_units_without_a_device(
        browser: Any, server: DemoServer) -> None:
    import httpx

    login = api_login(server.base_url, "dispatcher")
    headers = {"Authorization": f"Bearer {login['access_token']}"}
    station = httpx.get(f"{server.base_url}/api/v1/geo/stations", headers=headers,
                        timeout=10).json()["features"][3]["geometry"]["coordinates"]

    def open_incident(narrative: str) -> str:
        created = httpx.post(f"{server.base_url}/api/v1/incidents", headers=headers, timeout=10,
                             json={"narrative": narrative, "category_code": "60",
                                   "sub_code": "6002", "lng": station[0], "lat": station[1]})
        assert created.status_code == 201, created.text
        return created.json()["id"]

    worked, dropped = open_incident("邻居装修噪音引发争吵"), open_incident("楼下有人吵架")
    console = ConsoleWatch()
    context, page = open_console(browser, server, {"width": 1600, "height": 1000}, console)
    try:
        page.click(f".qrow[data-id='{worked}']")
        page.locator("#recs .rdispatch").first.click()
        unit_row = page.locator("#lifecycle .lc-unit").first
        expect(unit_row).to_be_visible()
        # The detail holds no stray "null" text anywhere.
        assert "null" not in page.locator("#detail").inner_text()
        unit_row.locator("[data-unit-action='acknowledge']").click()
        expect(page.locator("#detail-status")).to_have_text("出警途中")
        unit_row.locator("[data-unit-action='arrive']").click()
        expect(page.locator("#detail-status")).to_have_text("已到场")
        page.click("#lifecycle [data-move='resolved']")
        page.fill("#lc-note", "双方已调解，约定施工时间")
        page.click("#lc-send")
        expect(page.locator(".dmsg-error")).to_contain_text("请选择处置结果")
        page.select_option("#lc-outcome", "mediated")
        page.press("#lc-note", "Enter")
        expect(page.locator("#detail-status")).to_have_text("已处置")
        expect(page.locator("#detail-outcome")).to_have_text("已调解")
        page.screenshot(path=str(RESULTS_DIR / "console-resolved.png"))
        page.click("#lifecycle [data-move='closed']")
        expect(page.locator("#detail-status")).to_have_text("已结案")
        expect(page.locator(f".qrow[data-id='{worked}']")).to_have_count(0)

        page.click(f".qrow[data-id='{dropped}']")
        page.click("#lifecycle [data-move='cancelled']")
        page.press("#lc-note", "Enter")
        expect(page.locator(".dmsg-error")).to_contain_text("请填写撤销原因")
        page.fill("#lc-note", "报警人来电称已自行解决")
        page.click("#lc-send")
        expect(page.locator("#detail-status")).to_have_text("已撤销")
        page.click("#lifecycle [data-move='reopened']")
        expect(page.locator("#detail-status")).to_have_text("已重启")
        timeline = httpx.get(f"{server.base_url}/api/v1/incidents/{worked}", headers=headers,
                             timeout=10).json()
        assert timeline["status"] == "closed" and timeline["outcome"] == "mediated"
        assert any("约定施工时间" in (t["note"] or "") for t in timeline["timeline"])
        assert not console.unexpected(), console.unexpected()
    finally:
        context.close()


def test_a_dispatch_not_acknowledged_in_time_is_flagged_with_a_redispatch(
        browser: Any, server: DemoServer) -> None:
    import httpx

    login = api_login(server.base_url, "dispatcher")
    headers = {"Authorization": f"Bearer {login['access_token']}"}
    station = httpx.get(f"{server.base_url}/api/v1/geo/stations", headers=headers,
                        timeout=10).json()["features"][5]["geometry"]["coordinates"]
    created = httpx.post(f"{server.base_url}/api/v1/incidents", headers=headers, timeout=10,
                         json={"narrative": "小区门口有人醉酒闹事", "category_code": "20",
                               "sub_code": "2002", "lng": station[0], "lat": station[1]}).json()
    recs = httpx.get(f"{server.base_url}/api/v1/incidents/{created['id']}/recommendations",
                     headers=headers, timeout=10).json()
    unit_id = recs[0]["unit_id"]
    sent = httpx.post(f"{server.base_url}/api/v1/incidents/{created['id']}/dispatch",
                      headers=headers, timeout=10, json={"unit_ids": [unit_id]})
    assert sent.status_code == 200, sent.text
    console = ConsoleWatch()
    context, page = open_console(browser, server, {"width": 1600, "height": 1000}, console)
    try:
        page.click(f".qrow[data-id='{created['id']}']")
        row = page.locator(f"#lifecycle .lc-unit[data-unit='{unit_id}']")
        expect(row).to_have_attribute("data-unacked", "0")
        page.clock.fast_forward(75_000)
        expect(row).to_have_attribute("data-unacked", "1")
        expect(row.locator(".lc-late")).to_contain_text("未签收")
        row.locator("[data-redispatch]").click()
        expect(page.locator(".dmsg-ok")).to_contain_text("请从推荐中改派")
        free = httpx.get(f"{server.base_url}/api/v1/units?status=available&limit=5000",
                         headers=headers, timeout=10).json()
        assert unit_id in {u["id"] for u in free}
        expect(page.locator("#recs .rec").first).to_be_visible()
        assert not console.unexpected(), console.unexpected()
    finally:
        context.close()


def test_fixes_move_markers_and_a_new_incident_is_drawn_from_its_event(
    browser: Any, server: DemoServer
) -> None:
    """A batch of AVL fixes moves the units' markers; an incident opened meanwhile gets its
    queue row from the live event itself, even when the page cannot read the incident."""
    import httpx

    console = ConsoleWatch()
    context, page = open_console(browser, server, {"width": 1600, "height": 900}, console)
    try:
        token = api_login(server.base_url, "dispatcher")["access_token"]
        with httpx.Client(base_url=server.base_url,
                          headers={"Authorization": f"Bearer {token}"}) as client:
            now = client.get("/api/v1/health").json()["now"]
            fleet = client.get("/api/v1/units", params={"limit": 3}).json()
            moved = [{"unit_id": u["id"], "lng": round(u["lng"] + 0.002, 6), "lat": u["lat"],
                      "at": now} for u in fleet]
            resp = client.post("/api/v1/units/positions", json={"positions": moved})
            assert resp.status_code == 200 and resp.json()["accepted"] == len(moved)
            for fix in moved:
                page.wait_for_function(
                    "([id, lng]) => Math.abs(window.yanyunConsole.unit(id).marker[0] - lng)"
                    " < 1e-9", arg=[fix["unit_id"], fix["lng"]])
            # The page's re-read of the incident fails: the row can only come from the event.
            page.route("**/api/v1/incidents/*", lambda route: route.abort())
            created = client.post("/api/v1/incidents", json={
                "narrative": "定位上报期间报警称电动车被盗", "category_code": "10",
                "sub_code": "1002", "lng": fleet[0]["lng"], "lat": fleet[0]["lat"]})
            assert created.status_code == 201, created.text
            incident = created.json()
        row = page.locator(f".qrow[data-id='{incident['id']}']")
        expect(row.locator(".qstatus")).to_have_text("已接警")
        expect(row.locator(".qcat")).to_have_text(incident["category_label_zh"])
        expect(row).to_have_attribute("data-number", incident["number"])
    finally:
        context.close()
    # The aborted re-reads are logged as failed loads; nothing else may go wrong.
    uncaught = [e for e in console.unexpected() if e.startswith("uncaught")]
    assert not uncaught, uncaught
