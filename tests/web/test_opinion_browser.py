"""The opinion events page in Chromium, against the real demo server fed through the API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
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

pytestmark = pytest.mark.browser

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

CLAIM = (
    "网传衡阳东站进站口有人持刀砍人,造成一人死亡,现场很多旅客惊慌逃散。"
    "有网友称听到了尖叫声,车站一度封闭。目前尚无官方通报。"
)
FIRE = (
    "雁峰区一小区下午起火,浓烟从十几楼的窗户冒出来,消防车已经赶到现场,"
    "楼下围了很多居民。据说起火原因是电动车在楼道里充电。"
)


def _feed(server: DemoServer, token: str) -> None:
    start = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    posts = []
    for i in range(24):
        posts.append(
            {
                "source": "weibo",
                "external_id": f"claim-{i}",
                "author": f"@u{i}",
                "text": (f"//@网友{i}:转发 " if i else "") + CLAIM,
                "reposts": 20,
                "published_at": (start + timedelta(minutes=7 * i)).isoformat(),
            }
        )
    for i in range(6):
        posts.append(
            {
                "source": "news",
                "external_id": f"fire-{i}",
                "text": FIRE if i == 0 else f"转:{FIRE}",
                "published_at": (start + timedelta(hours=1, minutes=20 * i)).isoformat(),
            }
        )
    resp = httpx.post(
        f"{server.base_url}/api/v1/opinion/posts",
        headers={"Authorization": f"Bearer {token}"},
        json={"posts": posts},
        timeout=60,
    )
    assert resp.status_code == 200, resp.text
    assert len(resp.json()["events"]) == 2


def test_events_ranked_by_heat_with_detail_and_handling(browser: Any, server: DemoServer) -> None:
    login = api_login(server.base_url, "opinion")
    _feed(server, login["access_token"])
    console = ConsoleWatch()
    context = new_context(browser, server, viewport={"width": 1600, "height": 1000}, locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    console.attach(page)
    try:
        store_session(page, server.base_url, login)
        page.goto(f"{server.base_url}/opinion")
        page.wait_for_selector("body[data-opinion-ready='1']")
        first = page.locator(".ev[data-rank='1']")
        expect(first).to_contain_text("衡阳东站")
        expect(first.locator(".flag")).to_be_visible()
        expect(page.locator(".ev")).to_have_count(2)
        expect(page.locator("#stories li")).to_have_count(24)
        expect(page.locator("#incidents")).to_contain_text("暂无匹配警情")
        expect(page.locator("#timeline .bar")).not_to_have_count(0)
        expect(page.locator(".op-map path.leaflet-interactive").first).to_be_attached()
        RESULTS_DIR.mkdir(exist_ok=True)
        page.screenshot(path=str(RESULTS_DIR / "opinion-events.png"))

        page.fill("#handle-note", "已指派网上快警核查")
        page.click("#btn-assign")
        expect(page.locator("#log li[data-kind='assign']")).to_be_visible()
        page.fill("#handle-note", "经核查,车站当日无此警情,网传不实")
        page.click("#btn-verify")
        expect(page.locator("#detail-flag")).to_have_count(0)
        page.fill("#handle-note", "已发布警情通报澄清")
        page.click("#btn-clarify")
        page.click("#btn-close")
        expect(page.locator("#log li[data-kind='close']")).to_be_visible()
        expect(page.locator("#btn-close")).to_have_count(0)

        page.click("#lang-toggle button[data-lang='en']")
        expect(page.locator("#list-heading")).to_have_text("Ranked by heat")
        page.screenshot(path=str(RESULTS_DIR / "opinion-events-en.png"))

        # A link to one event (as the inbox gives) opens that event, not the hottest.
        second = page.locator(".ev[data-rank='2']")
        second_id = second.get_attribute("data-id")
        page.goto("about:blank")
        page.goto(f"{server.base_url}/opinion#{second_id}")
        page.wait_for_selector("body[data-opinion-ready='1']")
        expect(page.locator(f".ev[data-id='{second_id}']")).to_have_attribute(
            "aria-selected", "true")
        expect(page.locator(".ev[data-rank='1']")).to_have_attribute("aria-selected", "false")
        assert console.unexpected() == []
    finally:
        context.close()
