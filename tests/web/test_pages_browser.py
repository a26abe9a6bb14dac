"""The login and map pages in Chromium, against the real demo server."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.web.browser_support import (
    PASSWORDS,
    RESULTS_DIR,
    ConsoleWatch,
    DemoServer,
    api_get,
    api_login,
    new_context,
    store_session,
)
from yanyun.geo.coords import wgs84_to_gcj02

pytestmark = pytest.mark.browser

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

DESKTOP = {"width": 1366, "height": 768}
# A 1x1 PNG: a tile layer that needs no network.
BLANK_TILE = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42"
              "mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg==")
# The urban core, where grids are small and dense.
CENTRE_BBOX = "112.56,26.86,112.66,26.94"


@pytest.fixture
def console() -> ConsoleWatch:
    return ConsoleWatch()


@pytest.fixture
def page(browser: Any, server: DemoServer, console: ConsoleWatch) -> Iterator[Any]:
    """A fresh browser context (own storage) whose page must log no errors."""
    context = new_context(browser, server, viewport=DESKTOP, locale="zh-CN")
    context.set_default_timeout(10_000)
    tab = context.new_page()
    console.attach(tab)
    yield tab
    context.close()
    assert not console.unexpected(), f"console errors: {console.unexpected()}"


@pytest.fixture(scope="module")
def admin(server: DemoServer) -> dict[str, Any]:
    return api_login(server.base_url, "admin")


def open_map(page: Any, server: DemoServer, login: dict[str, Any]) -> None:
    store_session(page, server.base_url, login)
    page.goto(f"{server.base_url}/map")
    page.wait_for_selector("body[data-map-ready='1']")


def login_via_form(page: Any, server: DemoServer, username: str, password: str) -> None:
    page.goto(f"{server.base_url}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.press("#password", "Enter")


def set_view(page: Any, lng: float, lat: float, zoom: float) -> None:
    # The braces matter: returning the map would make Playwright serialise all of Leaflet.
    page.evaluate("([lng, lat, z]) => { window.yanyun.map.setView("
                  "window.yanyun.displayLatLng(lng, lat), z, {animate: false}); }",
                  [lng, lat, zoom])


def screen_point(page: Any, lat: float, lng: float) -> tuple[float, float]:
    """Where a point of the drawing CRS lands on the screen."""
    x, y = page.evaluate("""([lat, lng]) => {
        const p = window.yanyun.map.latLngToContainerPoint([lat, lng]);
        const box = document.getElementById('map').getBoundingClientRect();
        return [box.x + p.x, box.y + p.y];
    }""", [lat, lng])
    return x, y


def click_wgs(page: Any, lng: float, lat: float) -> None:
    """Click the map where a WGS-84 point is drawn (shifted, under GCJ-02 tiles)."""
    shown_lat, shown_lng = page.evaluate(
        "([lng, lat]) => window.yanyun.displayLatLng(lng, lat)", [lng, lat])
    page.mouse.click(*screen_point(page, shown_lat, shown_lng))


def clear_grid_point(server: DemoServer, token: str) -> tuple[float, float, dict[str, Any]]:
    """An interior point of a central grid, away from station markers, and its place."""
    stations = [f["geometry"]["coordinates"]
                for f in api_get(server.base_url, token, "/api/v1/geo/stations")["features"]]
    grids = api_get(server.base_url, token,
                    f"/api/v1/geo/grids?bbox={CENTRE_BBOX}&limit=500")["features"]
    for grid in grids:
        if grid["geometry"]["type"] != "Polygon":
            continue
        ring = grid["geometry"]["coordinates"][0][:-1]
        lng = sum(p[0] for p in ring) / len(ring)
        lat = sum(p[1] for p in ring) / len(ring)
        if min(math.dist((lng, lat), s) for s in stations) < 0.004:
            continue
        place = api_get(server.base_url, token, f"/api/v1/geo/resolve?lng={lng}&lat={lat}")
        if place["grid"]["code"] == grid["properties"]["code"]:
            return lng, lat, place
    raise AssertionError("no central grid clear of stations")


def visible_label_texts(page: Any) -> list[str]:
    return page.eval_on_selector_all(
        ".yy-district-label span:not(.is-hidden)", "els => els.map(e => e.textContent)")


# ---- login -------------------------------------------------------------------


def test_map_without_a_token_sends_the_user_to_login(page, server):
    page.goto(f"{server.base_url}/map")
    page.wait_for_url(re.compile(r"/login\?next=%2Fmap"))
    expect(page.locator("#login-submit")).to_have_text("登录")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")


def test_wrong_password_shows_the_chinese_error_and_keeps_focus(page, server, console):
    console.allow_status(401)
    login_via_form(page, server, "admin", "not-the-password")
    message = page.locator("#login-message")
    expect(message).to_have_text("用户名或密码错误")
    expect(message).to_have_attribute("role", "alert")
    expect(page.locator("#password")).to_be_focused()
    assert page.url.endswith("/login")


def test_repeated_failures_show_the_seconds_to_wait_in_both_languages(page, server, console):
    console.allow_status(401, 429)
    page.goto(f"{server.base_url}/login")
    page.fill("#username", "throttle-probe")
    for _ in range(6):
        page.fill("#password", "wrong")
        with page.expect_response("**/api/v1/auth/login"):
            page.press("#password", "Enter")
        expect(page.locator("#login-submit")).to_have_text("登录")
    message = page.locator("#login-message")
    expect(message).to_have_text(re.compile(r"登录失败次数过多，请 \d+ 秒后再试"))
    expect(page.locator("#login-submit")).to_be_disabled()
    page.click("button[data-lang=en]")
    expect(message).to_have_text(re.compile(r"Too many failed logins; try again in \d+ s"))


def test_admin_logs_in_with_enter_and_sees_the_whole_city(page, server, admin):
    login_via_form(page, server, "admin", PASSWORDS["admin"])
    page.wait_for_url("**/map")
    page.wait_for_selector("body[data-map-ready='1']")
    assert page.locator("path.yy-district").count() == 12
    stations = api_get(server.base_url, admin["access_token"], "/api/v1/geo/stations")
    assert page.locator("path.yy-station").count() == len(stations["features"]) == 202
    assert page.evaluate("window.yanyun.counts()")["stations"] == 202
    expect(page.locator("#sum-districts")).to_have_text("12")
    expect(page.locator("#sum-stations")).to_have_text("202")
    expect(page.locator("#sum-grids")).to_have_text("4,882")
    expect(page.locator("#bureau-name")).to_have_text("衡阳市公安局")
    expect(page.locator("#user-name")).to_have_text("系统管理员")
    expect(page.locator("#user-role")).to_have_text("系统管理员")
    labels = visible_label_texts(page)
    assert "衡阳县" in labels and len(labels) >= 8, labels
    expect(page.locator("#grid-status")).to_contain_text("放大至 12 级")


def test_no_script_on_the_page_can_read_the_login_token(page, server):
    login_via_form(page, server, "dispatcher", PASSWORDS["dispatcher"])
    page.wait_for_url("**/console")
    page.wait_for_selector("body[data-console-ready='1']")
    cookies = {c["name"]: c for c in page.context.cookies()}
    token = cookies["yanyun_session"]["value"]
    session_cookie = cookies["yanyun_session"]
    assert session_cookie["httpOnly"] and session_cookie["sameSite"] == "Strict"
    assert token not in page.evaluate("document.cookie")
    stored = page.evaluate("JSON.stringify(Object.assign({}, sessionStorage, localStorage))")
    assert token not in stored and "token" not in stored


def test_live_banner_reports_connected(page, server, admin):
    open_map(page, server, admin)
    banner = page.locator("#conn-banner")
    expect(banner).to_have_attribute("data-state", "connected")
    expect(page.locator("#conn-text")).to_have_text("实时连接正常")


def test_station_popup_names_grade_and_rooms(page, server, admin):
    open_map(page, server, admin)
    station = api_get(server.base_url, admin["access_token"],
                      "/api/v1/geo/stations")["features"][0]["properties"]
    page.locator(f'path.yy-station[data-code="{station["code"]}"]').click(force=True)
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text(station["name_zh"])
    expect(popup).to_contain_text(f"{'一二三'[station['grade'] - 1]}级派出所")
    expect(popup).to_contain_text("指挥室")
    expect(popup).to_contain_text("调解室")
    assert page.evaluate("window.yanyun.lookup().status") == "idle"


def test_zoom_in_draws_grids_and_a_click_resolves_the_point(page, server, admin, console):
    console.allow_status(422)
    open_map(page, server, admin)
    lng, lat, place = clear_grid_point(server, admin["access_token"])
    set_view(page, lng, lat, 14)
    page.wait_for_function("() => window.yanyun.gridStatus() === 'grids_shown'")
    assert page.locator("path.yy-grid").count() > 20
    expect(page.locator("#grid-status")).to_contain_text("显示")

    click_wgs(page, lng, lat)
    expect(page.locator("#lookup")).to_have_attribute("data-status", "ok")
    expect(page.locator("#lookup-district")).to_contain_text(place["district"]["name_zh"])
    expect(page.locator("#lookup-station")).to_contain_text(place["station"]["name_zh"])
    expect(page.locator("#lookup-grid")).to_contain_text(place["grid"]["name_zh"])

    set_view(page, 111.2, 27.6, 10)
    page.wait_for_function("() => window.yanyun.gridStatus() === 'grids_zoom_in'")
    assert page.locator("path.yy-grid").count() == 0
    click_wgs(page, 111.2, 27.6)
    expect(page.locator("#lookup")).to_have_attribute("data-status", "outside")
    expect(page.locator("#lookup")).to_contain_text("不在本市辖区")


def test_english_toggle_switches_labels_and_is_remembered(page, server, admin):
    open_map(page, server, admin)
    page.click("button[data-lang=en]")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("button[data-lang=en]")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".summary .stat dt").nth(1)).to_have_text("Stations")
    expect(page.locator("#bureau-name")).to_have_text("Hengyang Public Security Bureau")
    expect(page.locator("#user-role")).to_have_text("Administrator")
    expect(page.locator("#logout")).to_have_text("Log out")
    expect(page.locator("#conn-text")).to_have_text("Live events connected")
    assert "Hengyang County" in visible_label_texts(page)

    page.reload()
    page.wait_for_selector("body[data-map-ready='1']")
    expect(page.locator("#lookup")).to_contain_text("Click the map")
    page.goto(f"{server.base_url}/login")
    expect(page.locator("#login-submit")).to_have_text("Log in")
    page.click("button[data-lang=zh]")
    expect(page.locator("#login-submit")).to_have_text("登录")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")


def test_banner_reconnects_with_backoff_and_resumes_from_the_last_event(page, server, admin):
    hellos: list[dict[str, Any]] = []

    def fake_server(ws: Any) -> None:
        def on_message(raw: str) -> None:
            hellos.append(json.loads(raw))
            if len(hellos) == 1:
                ws.send(json.dumps({"type": "ready", "last_id": 40, "scope": "430400"}))
                ws.send(json.dumps({"type": "event", "id": 41, "kind": "incident.opened",
                                    "at": "2026-11-23T01:00:00+00:00", "org_path": "430400"}))
                ws.close(code=1012, reason="restart")
            else:
                ws.send(json.dumps({"type": "ready", "last_id": 41, "scope": "430400"}))

        ws.on_message(on_message)

    page.route_web_socket("**/api/v1/events/ws", fake_server)
    open_map(page, server, admin)
    banner = page.locator("#conn-banner")
    expect(banner).to_have_attribute("data-state", "reconnecting")
    expect(page.locator("#conn-text")).to_contain_text("重连")
    expect(banner).to_have_attribute("data-state", "connected", timeout=5000)
    expect(page.locator("#conn-last")).to_contain_text("#41 incident.opened")
    # The page holds no token: its socket is authenticated by the session cookie.
    assert hellos[0] == {"after": 0}
    assert hellos[1]["after"] == 41


def test_station_officer_sees_only_their_own_station(page, server):
    officer = api_login(server.base_url, "officer")
    mine = api_get(server.base_url, officer["access_token"], "/api/v1/geo/stations")["features"]
    assert len(mine) == 1
    open_map(page, server, officer)
    markers = page.locator("path.yy-station")
    assert markers.count() == 1
    assert markers.first.get_attribute("data-code") == mine[0]["properties"]["code"]
    expect(page.locator("#bureau-name")).to_have_text(mine[0]["properties"]["name_zh"])
    expect(page.locator("#user-role")).to_have_text("社区民警")
    assert page.locator("path.yy-grid").count() > 0
    assert page.locator("path.yy-scope").count() == 1


def test_logout_revokes_the_token_and_returns_to_login(page, server):
    dispatcher = api_login(server.base_url, "dispatcher")
    open_map(page, server, dispatcher)
    page.click("#logout")
    page.wait_for_url("**/login?reason=logout")
    expect(page.locator("#login-message")).to_have_text("已退出登录")
    assert page.evaluate("sessionStorage.getItem('yanyun.session')") is None
    resp = httpx.get(f"{server.base_url}/api/v1/auth/me",
                     headers={"Authorization": f"Bearer {dispatcher['access_token']}"})
    assert resp.status_code == 401


@pytest.mark.parametrize("tile_crs", ["WGS84", "GCJ02"])
def test_vectors_line_up_with_tiles_in_either_crs(page, server, admin, console, tile_crs):
    config = {"tile_url": BLANK_TILE, "tile_crs": tile_crs, "city": "hengyang"}
    page.route("**/api/v1/ui/config", lambda route: route.fulfill(json=config))
    open_map(page, server, admin)
    assert page.locator(".leaflet-tile-pane img").count() > 0
    expect(page.locator("#basemap-text")).to_contain_text(
        "GCJ-02" if tile_crs == "GCJ02" else "WGS-84")

    station = api_get(server.base_url, admin["access_token"],
                      "/api/v1/geo/stations")["features"][0]
    lng, lat = station["geometry"]["coordinates"]
    lng_shown, lat_shown = wgs84_to_gcj02(lng, lat) if tile_crs == "GCJ02" else (lng, lat)
    set_view(page, lng, lat, 15)
    marker = page.locator(f'path.yy-station[data-code="{station["properties"]["code"]}"]')
    box = marker.bounding_box()
    centre = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert math.dist(centre, screen_point(page, lat_shown, lng_shown)) < 2
    if tile_crs == "GCJ02":
        # About 650 m in Hengyang: tens of pixels at zoom 15, so a missed shift shows.
        assert math.dist(centre, screen_point(page, lat, lng)) > 40
        checks = page.evaluate("""async (points) => {
            const g = await import('/static/js/lib/gcj02.js');
            return points.map(([lng, lat]) => {
                const fwd = g.wgs84ToGcj02(lng, lat);
                return [fwd, g.gcj02ToWgs84(fwd[0], fwd[1])];
            });
        }""", [[lng, lat], [112.57, 26.89], [2.35, 48.85]])
        for (fwd, back), (x, y) in zip(checks, [(lng, lat), (112.57, 26.89), (2.35, 48.85)],
                                       strict=True):
            assert tuple(fwd) == pytest.approx(wgs84_to_gcj02(x, y), abs=1e-9)
            assert tuple(back) == pytest.approx((x, y), abs=1e-8)

    lng, lat, place = clear_grid_point(server, admin["access_token"])
    set_view(page, lng, lat, 14)
    click_wgs(page, lng, lat)
    expect(page.locator("#lookup")).to_have_attribute("data-status", "ok")
    expect(page.locator("#lookup-grid")).to_contain_text(place["grid"]["name_zh"])


def _no_horizontal_overflow(page: Any) -> None:
    widths = page.evaluate("""() => [...document.querySelectorAll(
        'html, body, .topbar, .summary, .topbar-right, .conn-banner, .side, .login-card')]
        .map(e => [e.className || e.tagName, e.scrollWidth, e.clientWidth])""")
    overflowing = [w for w in widths if w[1] > w[2] + 1]
    assert not overflowing, overflowing


def _shot(page: Any, name: str) -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / name
    page.screenshot(path=str(path))
    return path


def test_screenshots_at_two_sizes_and_no_horizontal_overflow(page, server, admin, console):
    console.allow_status(401)
    for width, height in [(1920, 1080), (1366, 768)]:
        page.set_viewport_size({"width": width, "height": height})
        size = f"{width}x{height}"
        login_via_form(page, server, "admin", "wrong-password")
        expect(page.locator("#login-message")).to_be_visible()
        _shot(page, f"login-{size}.png")
        _no_horizontal_overflow(page)
        open_map(page, server, admin)
        _shot(page, f"map-{size}.png")
        _no_horizontal_overflow(page)
        lng, lat, _ = clear_grid_point(server, admin["access_token"])
        set_view(page, lng, lat, 13.5)
        page.wait_for_function("() => window.yanyun.gridStatus() === 'grids_shown'")
        click_wgs(page, lng, lat)
        expect(page.locator("#lookup")).to_have_attribute("data-status", "ok")
        page.mouse.move(5, 5)
        _shot(page, f"map-grids-{size}.png")
        page.click("button[data-lang=en]")
        _no_horizontal_overflow(page)
        _shot(page, f"map-grids-en-{size}.png")
        page.click("button[data-lang=zh]")
    assert (RESULTS_DIR / "map-1366x768.png").stat().st_size > 10_000
