"""The field app on an emulated phone: it rings, 签收, goes offline, and nothing is lost."""

from __future__ import annotations

import io
from typing import Any

import httpx
import pytest
from PIL import Image

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

PHONE = {
    "viewport": {"width": 360, "height": 780},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
    "permissions": ["geolocation"],
}


def _post(server: DemoServer, token: str, path: str, body: dict) -> Any:
    resp = httpx.post(f"{server.base_url}{path}", json=body, timeout=15,
                      headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code in (200, 201), (path, resp.status_code, resp.text)
    return resp.json()


def _dispatch_to(server: DemoServer, unit: dict) -> dict:
    """The center opens an incident near the unit and sends it there."""
    dispatcher = api_login(server.base_url, "dispatcher")["access_token"]
    incident = _post(server, dispatcher, "/api/v1/incidents", {
        "source": "call_110", "narrative": "报警人称小区门口有人打架，一人受伤",
        "caller_phone": "13807345678", "lng": unit["lng"] + 0.002, "lat": unit["lat"] + 0.001,
        "category_code": "10", "sub_code": "1002",
    })
    _post(server, dispatcher, f"/api/v1/incidents/{incident['id']}/dispatch",
          {"unit_ids": [unit["id"]]})
    return incident


def _jpeg() -> bytes:
    image = Image.new("RGB", (320, 240), (40, 90, 160))
    out = io.BytesIO()
    image.save(out, format="JPEG")
    return out.getvalue()


def _phone_at_a_unit(browser: Any, server: DemoServer, username: str, which: int,
                     console: ConsoleWatch, timeout_ms: int = 20_000):
    """An emulated phone whose position is a unit of ``username``'s area: (context, page,
    login, unit)."""
    context = new_context(browser, server, **PHONE)
    context.set_default_timeout(timeout_ms)
    page = context.new_page()
    console.attach(page)
    login = api_login(server.base_url, username)
    units = api_get(server.base_url, login["access_token"], "/api/v1/units?status=available")
    unit = (units.get("items") if isinstance(units, dict) else units)[which]
    context.set_geolocation({"longitude": unit["lng"], "latitude": unit["lat"]})
    return context, page, login, unit


def _timeline(server: DemoServer, incident_id: str) -> list[dict]:
    token = api_login(server.base_url, "dispatcher")["access_token"]
    return api_get(server.base_url, token, f"/api/v1/incidents/{incident_id}/timeline")


def test_a_crew_works_a_dispatch_from_the_phone_through_a_dead_spot(
    browser: Any, server: DemoServer
) -> None:
    console = ConsoleWatch()
    context, page, login, unit = _phone_at_a_unit(browser, server, "officer", 0, console)
    try:
        store_session(page, server.base_url, login)
        page.goto(f"{server.base_url}/m")
        page.wait_for_selector("body[data-field-ready='1']")
        page.tap(f"button[data-unit='{unit['id']}']")
        expect(page.locator("#fd-idle")).to_be_visible()
        expect(page.locator("#fd-unit")).to_contain_text(unit["call_sign"])

        incident = _dispatch_to(server, unit)
        # The phone rings from the live event, without a reload.
        expect(page.locator("#fd-ring")).to_be_visible()
        card = page.locator(f"article[data-incident='{incident['id']}']")
        expect(card).to_contain_text("小区门口有人打架")
        expect(page.locator("#fd-ring")).to_contain_text(incident["category_label_zh"])
        expect(card).to_contain_text("138****5678")
        href = card.locator("a.fd-nav").get_attribute("href")
        assert href.startswith("https://uri.amap.com/marker?position=")
        page.screenshot(path=str(RESULTS_DIR / "field-dispatch.png"))
        card.locator("button[data-act='acknowledge']").tap()
        expect(page.locator("#fd-ring")).to_be_hidden()
        expect(page.locator("body")).to_have_attribute("data-pending", "0")

        # A dead spot: 到场 and 处置完毕 are taken offline, and the page is reloaded.
        context.set_offline(True)
        card.locator("button[data-act='arrive']").tap()
        card.locator("button[data-act='clear']").tap()
        page.select_option("#fd-outcome", "mediated")
        page.fill("#fd-note", "双方已和解，现场秩序恢复")
        page.set_input_files("#fd-photos", files=[
            {"name": "scene.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}])
        page.screenshot(path=str(RESULTS_DIR / "field-clear.png"))
        page.tap("#fd-clear-send")
        expect(page.locator("body")).to_have_attribute("data-pending", "2")
        expect(page.locator("body")).to_have_attribute("data-pending-photos", "1")
        page.screenshot(path=str(RESULTS_DIR / "field-offline.png"))
        page.reload()
        page.wait_for_selector("body[data-field-ready='1']")
        expect(page.locator("body")).to_have_attribute("data-pending", "2")
        expect(page.locator("#fd-net")).to_have_attribute("data-state", "offline")

        context.set_offline(False)
        page.evaluate("() => window.dispatchEvent(new Event('online'))")
        expect(page.locator("body")).to_have_attribute("data-pending", "0")
        expect(page.locator("body")).to_have_attribute("data-pending-photos", "0")
        expect(page.locator("#fd-idle")).to_be_visible()

        timeline = _timeline(server, incident["id"])
        moves = [t["to_status"] for t in timeline if t["from_status"] != t["to_status"]]
        assert moves.count("en_route") == 1
        assert moves.count("on_scene") == 1
        assert moves.count("resolved") == 1
        assert any("已调解" in (t["note"] or "") and "双方已和解" in t["note"] for t in timeline)
        dispatcher = api_login(server.base_url, "dispatcher")["access_token"]
        detail = api_get(server.base_url, dispatcher, f"/api/v1/incidents/{incident['id']}")
        assert detail["status"] == "resolved"
        photos = api_get(server.base_url, dispatcher,
                         f"/api/v1/field/incidents/{incident['id']}/photos")
        assert len(photos) == 1 and photos[0]["content_type"] == "image/jpeg"
        # Offline, the browser logs every failed request; anything else is a fault.
        faults = [e for e in console.unexpected()
                  if "ERR_INTERNET_DISCONNECTED" not in e and "WebSocket" not in e]
        assert faults == [], console.unexpected()
    finally:
        context.close()


def test_a_long_press_calls_for_help_and_only_the_pin_calls_it_off(
    browser: Any, server: DemoServer
) -> None:
    console = ConsoleWatch()
    console.allow_status(422)
    context, page, login, unit = _phone_at_a_unit(browser, server, "chief", -1, console)
    # The command center's console, open in a second page on a desk.
    desk = new_context(browser, server, viewport={"width": 1600, "height": 1000})
    desk.set_default_timeout(20_000)
    center = desk.new_page()
    console.attach(center)
    store_session(center, server.base_url, api_login(server.base_url, "dispatcher"))
    center.goto(f"{server.base_url}/console")
    center.wait_for_selector("body[data-console-ready='1']")
    # The commander's wall, open beside it.
    big_screen = new_context(browser, server, viewport={"width": 1920, "height": 1080})
    big_screen.set_default_timeout(20_000)
    wall = big_screen.new_page()
    console.attach(wall)
    store_session(wall, server.base_url, api_login(server.base_url, "dispatcher"))
    wall.goto(f"{server.base_url}/wall")
    wall.wait_for_selector("body[data-wall-ready='1']")
    try:
        store_session(page, server.base_url, login)
        page.goto(f"{server.base_url}/m")
        page.wait_for_selector("body[data-field-ready='1']")
        page.fill("#fd-pin", "8642")
        page.tap(f"button[data-unit='{unit['id']}']")
        expect(page.locator("#fd-idle")).to_be_visible()
        sos = page.locator("#fd-sos")
        # A tap is not a call for help; a two-second press is.
        sos.tap()
        page.wait_for_timeout(500)
        expect(page.locator("body")).to_have_attribute("data-sos", "none")
        box = sos.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.down()
        page.wait_for_timeout(2300)
        page.mouse.up()
        expect(page.locator("body")).to_have_attribute("data-sos", "sent")
        page.screenshot(path=str(RESULTS_DIR / "field-emergency.png"))
        # The console turns red without a reload and opens the call for help.
        banner = center.locator(f"#sos-banner .sos-row[data-unit='{unit['id']}']")
        expect(banner).to_be_visible()
        banner.locator("button").click()
        expect(center.locator("#detail-number")).to_be_visible()
        expect(center.locator(".dcat")).to_contain_text("民警紧急求助")
        center.screenshot(path=str(RESULTS_DIR / "console-emergency.png"))
        # The wall shows it too, by call sign, without a reload.
        on_wall = wall.locator(f"#sos-banner .sos-row[data-unit='{unit['id']}']")
        expect(on_wall).to_contain_text(unit["call_sign"])
        expect(on_wall).to_contain_text("一键求助")
        wall.screenshot(path=str(RESULTS_DIR / "wall-emergency.png"))
        dispatcher = api_login(server.base_url, "dispatcher")["access_token"]
        units_now = api_get(server.base_url, dispatcher, "/api/v1/units?status=emergency")
        listed = units_now.get("items") if isinstance(units_now, dict) else units_now
        assert [u["id"] for u in listed] == [unit["id"]]
        incidents = api_get(server.base_url, dispatcher, "/api/v1/incidents")
        help_calls = [i for i in incidents if i["sub_code"] == "9501" and i["status"] == "received"]
        assert len(help_calls) == 1 and help_calls[0]["priority"] == 1

        page.fill("#fd-sos-pin", "1111")
        page.tap("#fd-sos-cancel")
        expect(page.locator(".fd-msg").first).to_contain_text("撤销密码错误")
        expect(page.locator("body")).to_have_attribute("data-sos", "sent")
        page.fill("#fd-sos-pin", "8642")
        page.tap("#fd-sos-cancel")
        expect(page.locator("body")).to_have_attribute("data-sos", "none")
        detail = api_get(server.base_url, dispatcher, f"/api/v1/incidents/{help_calls[0]['id']}")
        assert detail["status"] == "cancelled"
        expect(center.locator("#sos-banner")).to_be_hidden()
        expect(wall.locator("#sos-banner")).to_be_hidden()
        assert console.unexpected() == []
    finally:
        context.close()
        desk.close()
        big_screen.close()


def test_the_public_files_a_tip_without_an_account_and_follows_it(
    browser: Any, server: DemoServer
) -> None:
    console = ConsoleWatch()
    context, page, login, _ = _phone_at_a_unit(browser, server, "dispatcher", 0, console,
                                               timeout_ms=30_000)
    dispatcher = login["access_token"]
    try:
        page.goto(f"{server.base_url}/tip")
        page.wait_for_selector("body[data-tip-ready='1']")
        page.fill("#tip-text", "桥洞下每晚有人聚众赌博，十几个人，有人放哨")
        page.fill("#tip-place", "湘江桥东侧桥洞")
        page.check("#tip-locate")
        page.tap("#tip-send")
        page.wait_for_selector("body[data-tip-sent]")
        number = page.locator("#tip-number").inner_text()
        code = page.locator("#tip-code").inner_text()
        assert number.startswith("XS") and len(code) == 8
        page.screenshot(path=str(RESULTS_DIR / "field-tip.png"))

        queue = api_get(server.base_url, dispatcher, "/api/v1/tips?status=received")
        tip = next(t for t in queue["items"] if t["number"] == number)
        assert tip["lng"] is not None and "聚众赌博" in tip["text"]
        _post(server, dispatcher, f"/api/v1/tips/{tip['id']}/triage",
              {"outcome": "incident", "category_code": "20", "sub_code": "2003"})
        page.tap("#tip-lookup button[type='submit']")
        result = page.locator("#lookup-result")
        expect(result).to_have_attribute("data-status", "converted")
        expect(result).to_contain_text("转民警处置")
        assert console.unexpected() == []
    finally:
        context.close()


def _demo_volunteer(server: DemoServer, volunteer_login: dict) -> dict:
    """The registered volunteer behind the demo's volunteer account, with where they live."""
    me = api_get(server.base_url, volunteer_login["access_token"], "/api/v1/community/me/volunteer")
    officer = api_login(server.base_url, "chief")["access_token"]
    page = api_get(server.base_url, officer,
                   f"/api/v1/community/volunteers?station_code={me['station_code']}&limit=500")
    return next(v for v in page["items"] if v["id"] == me["volunteer_id"])


def test_a_volunteer_answers_a_call_out_from_the_phone(browser: Any, server: DemoServer) -> None:
    console = ConsoleWatch()
    console.allow_status(422)
    login = api_login(server.base_url, "volunteer")
    me = _demo_volunteer(server, login)
    context = new_context(browser, server, **PHONE)
    context.set_default_timeout(20_000)
    # The volunteer is out, about a kilometre from home.
    context.set_geolocation({"longitude": me["lng"] + 0.01, "latitude": me["lat"]})
    page = context.new_page()
    console.attach(page)
    try:
        store_session(page, server.base_url, login)
        page.goto(f"{server.base_url}/m/volunteer")
        page.wait_for_selector("body[data-volunteer-ready='1']")
        # The station calls out volunteers near the volunteer's home (一呼百应).
        chief = api_login(server.base_url, "chief")["access_token"]
        call = _post(server, chief, "/api/v1/community/mobilisations", {
            "title": "寻找走失老人（穿蓝色外套）", "lng": me["lng"], "lat": me["lat"],
            "headcount": 3, "category_code": "70", "sub_code": "7001",
        })
        assert me["id"] in [r["volunteer_id"] for r in call["responses"]]
        card = page.locator(f"[data-call='{call['id']}']")
        # The phone rings within its poll, without a reload.
        expect(page.locator("#vo-ring")).to_be_visible(timeout=15_000)
        expect(card).to_have_attribute("data-status", "called")
        page.screenshot(path=str(RESULTS_DIR / "volunteer-call.png"))
        card.locator("button[data-act='accept']").tap()
        expect(card).to_have_attribute("data-status", "accepted")
        expect(page.locator("#vo-ring")).to_be_hidden()
        # Tapping 我已到达 a kilometre away is refused with the distance...
        card.locator("button[data-act='arrive']").tap()
        expect(page.locator(".fd-msg").first).to_contain_text("距现场还有")
        # ...and counts once the phone is really there, even sent through a dead spot.
        context.set_geolocation({"longitude": call["lng"], "latitude": call["lat"]})
        context.set_offline(True)
        card.locator("button[data-act='arrive']").tap()
        expect(page.locator("#fd-pending")).to_contain_text("待发送")
        expect(card).to_have_attribute("data-status", "arrived")
        context.set_offline(False)
        page.evaluate("window.dispatchEvent(new Event('online'))")
        expect(page.locator("#fd-pending")).to_have_text("")
        state = api_get(server.base_url, chief, f"/api/v1/community/mobilisations/{call['id']}")
        mine = next(r for r in state["responses"] if r["volunteer_id"] == me["id"])
        assert mine["status"] == "arrived" and mine["arrived_at"]
        assert state["counts"]["arrived"] == 1
        # Stood down by the station: the phone says so and the hours are credited.
        _post(server, chief, f"/api/v1/community/mobilisations/{call['id']}/stand-down",
              {"reason": "老人已找到"})
        page.reload()
        page.wait_for_selector("body[data-volunteer-ready='1']")
        expect(card).to_contain_text("已解散")
        expect(page.locator("#vo-activities li").first).to_contain_text("一呼百应")
        page.screenshot(path=str(RESULTS_DIR / "volunteer-stood-down.png"))
        faults = [e for e in console.unexpected() if "ERR_INTERNET_DISCONNECTED" not in e]
        assert faults == [], console.unexpected()
    finally:
        context.close()


def test_an_officer_clocks_in_at_a_post_from_the_phone(browser: Any, server: DemoServer) -> None:
    console = ConsoleWatch()
    console.allow_status(422)
    login = api_login(server.base_url, "officer")
    token = login["access_token"]
    posts = api_get(server.base_url, token, "/api/v1/duty/me/posts")

    def listed_from(p: dict[str, Any], east: float) -> bool:
        # The phone lists the five nearest posts to where it is; which posts stand near
        # one another depends on what earlier tests on this server added.
        near = api_get(server.base_url, token,
                       f"/api/v1/duty/me/posts?lng={p['lng'] + east}&lat={p['lat']}")
        return p["id"] in [q["id"] for q in near["posts"][:5]]

    post = next(p for p in posts["posts"]
                if p["window_now"] and listed_from(p, 0.003) and listed_from(p, 0.0003))
    context = new_context(browser, server, **PHONE)
    context.set_default_timeout(20_000)
    # Some 300 m off first (outside every post's geofence, still among the nearest posts
    # the phone lists): the clock-in is refused, with the reason, and kept.
    context.set_geolocation({"longitude": post["lng"] + 0.003, "latitude": post["lat"]})
    page = context.new_page()
    console.attach(page)
    try:
        store_session(page, server.base_url, login)
        page.goto(f"{server.base_url}/m")
        page.wait_for_selector("body[data-field-ready='1']")
        card = page.locator(f"[data-post='{post['id']}']")
        card.locator("button[data-clock-in]").tap()
        expect(card.locator(".fd-clock[data-accepted='0']")).to_contain_text("未计入：不在岗位范围内")
        context.set_geolocation({"longitude": post["lng"] + 0.0003, "latitude": post["lat"]})
        page.wait_for_timeout(1500)  # the phone's watch hears of the move
        page.locator(f"[data-post='{post['id']}'] button[data-clock-in]").tap()
        expect(card.locator(".fd-clock[data-accepted='1']")).to_contain_text("已打卡")
        page.screenshot(path=str(RESULTS_DIR / "field-clock-in.png"))
        today = api_get(server.base_url, token, "/api/v1/duty/me/posts")
        mine = next(p for p in today["posts"] if p["id"] == post["id"])
        assert [c["accepted"] for c in mine["clock_ins_today"]] == [False, True]
        assert console.unexpected() == []
    finally:
        context.close()


def test_grid_staff_report_a_hazard_from_a_dead_spot_once(browser: Any, server: DemoServer) -> None:
    console = ConsoleWatch()
    context, page, login, unit = _phone_at_a_unit(browser, server, "officer", 1, console)
    token = login["access_token"]
    try:
        store_session(page, server.base_url, login)
        page.goto(f"{server.base_url}/m")
        page.wait_for_selector("body[data-field-ready='1']")
        expect(page.locator("#fd-grid")).to_be_visible()
        page.select_option("#fd-grid-kind", "hazard")
        page.select_option("#fd-grid-type", "fire")
        page.fill("#fd-grid-title", "楼道堆放电动车电池，占用消防通道")
        # What is typed survives a reload.
        page.reload()
        page.wait_for_selector("body[data-field-ready='1']")
        expect(page.locator("#fd-grid-title")).to_have_value("楼道堆放电动车电池，占用消防通道")
        page.set_input_files("#fd-grid-photos", files=[
            {"name": "corridor.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}])
        # Sent from a basement with no signal: kept, then filed once when it returns.
        context.set_offline(True)
        page.tap("#fd-grid-send")
        expect(page.locator("#fd-grid-mine li[data-status='queued']")).to_have_count(1)
        context.set_offline(False)
        page.evaluate("window.dispatchEvent(new Event('online'))")
        mine = page.locator("#fd-grid-mine li[data-status='found']")
        expect(mine).to_contain_text("楼道堆放电动车电池")
        page.screenshot(path=str(RESULTS_DIR / "field-hazard.png"))
        filed = api_get(server.base_url, token, "/api/v1/community/grid-reports?mine=true&limit=50")
        same = [r for r in filed["items"] if r["title"] == "楼道堆放电动车电池，占用消防通道"]
        assert len(same) == 1
        assert same[0]["kind"] == "hazard" and same[0]["hazard_type"] == "fire"
        assert abs(same[0]["lng"] - unit["lng"]) < 1e-6 and abs(same[0]["lat"] - unit["lat"]) < 1e-6
        # Its photo went up before it, once, and opens for those who see the area.
        [ref] = same[0]["photos"]
        assert ref.startswith("photo:")
        shown = httpx.get(f"{server.base_url}/api/v1/field/photos/{ref[len('photo:'):]}",
                          headers={"Authorization": f"Bearer {token}"}, timeout=15)
        assert shown.status_code == 200 and shown.headers["content-type"] == "image/jpeg"
        # Offline, the browser logs every failed request; anything else is a fault.
        faults = [e for e in console.unexpected()
                  if "ERR_INTERNET_DISCONNECTED" not in e and "WebSocket" not in e]
        assert faults == [], console.unexpected()
    finally:
        context.close()
