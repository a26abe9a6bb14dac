"""Hostile text in the free-text fields, then every page opened in Chromium.

The text comes in through the API as an attacker would send it (a public post
in a watched feed, a caller's narrative, a task title): raw markup,
entity-encoded markup and full-width markup. Each page is opened with every
map tooltip and popup shown; no element of the payload may exist in the DOM
and no payload script may run. Where a page lists the record, the text is
shown as text, so the check is not passing on an empty page.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from tests.web.browser_support import (
    ConsoleWatch,
    DemoServer,
    api_login,
    new_context,
    server_now,
    store_session,
)

pytestmark = pytest.mark.browser

playwright_api = pytest.importorskip("playwright.sync_api")

PROBE = "探针"
# Short enough to survive the 40-character event titles whole.
RAW = f'{PROBE}<img src=x data-xss onerror="window.__xss=1"><b data-xss>粗</b>'
ENCODED = f"{PROBE}&lt;img src=x data-xss onerror=__xss=1&gt;"
FULL_WIDTH = f"{PROBE}＜b data-xss＞粗＜/b＞"
QUOTES = f"{PROBE}\"'><svg data-xss onload=\"window.__xss=1\">"
PAYLOADS = (RAW, ENCODED, FULL_WIDTH, QUOTES)
# Four unrelated stories, so each payload heads an opinion event of its own.
STORIES = (
    "网传衡阳东站进站口有人持刀伤人，现场旅客惊慌逃散，尚无官方通报。",
    "雁峰区一小区下午起火，浓烟从十几楼窗户冒出，据说是电动车在楼道充电。",
    "107国道向阳街道路段发生交通事故，肇事电动车车主逃离现场，有人拍到视频。",
    "有网友称接到自称公安局的电话，要求把存款转到安全账户，多名老人已经被骗。",
)

# Every map a page makes is remembered, so the test can open its overlays.
TRACK_MAPS = """
(() => {
  let leaflet;
  Object.defineProperty(window, "L", {
    configurable: true,
    get() { return leaflet; },
    set(value) {
      leaflet = value;
      value.Map.addInitHook(function () { (window.__maps ||= []).push(this); });
    },
  });
})();
"""

# Open each tooltip, and each popup in turn, as a user hovering or clicking would.
OPEN_OVERLAYS = """
() => {
  let opened = 0;
  for (const map of window.__maps || []) {
    const layers = [];
    map.eachLayer((layer) => layers.push(layer));
    for (const layer of layers.slice(0, 1500)) {
      try {
        if (layer.getTooltip && layer.getTooltip()) { layer.openTooltip(); opened += 1; }
        if (layer.getPopup && layer.getPopup()) {
          layer.openPopup();
          opened += 1;
          if (document.querySelector("[data-xss]")) return -1;
          layer.closePopup();
        }
      } catch (err) { /* a layer without a position yet */ }
    }
  }
  return opened;
}
"""

PAGES = [
    ("/console", False),
    ("/map", False),
    ("/wall", False),
    ("/opinion", True),
    ("/oversight/worklist", False),
    ("/oversight/board", False),
    ("/community", True),
    ("/volunteers", False),
    ("/duty", False),
    ("/forecast", False),
    ("/kpi", False),
    ("/intel/ebikes", True),
]


def _post(server: DemoServer, token: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    resp = httpx.post(f"{server.base_url}{path}", json=body, timeout=30,
                      headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code in (200, 201), (path, resp.status_code, resp.text)
    return resp.json()


def _plant(server: DemoServer, token: str) -> None:
    """Hostile text in every kind of record the pages show."""
    lng, lat = 112.6, 26.9
    now = server_now(server.base_url)
    for i, text in enumerate(PAYLOADS):
        incident = _post(server, token, "/api/v1/incidents", {
            "narrative": f"{text} 有人在路口打架", "address_text": text[:200],
            "lng": lng + i * 0.002, "lat": lat, "category_code": "10",
        })
        _post(server, token, f"/api/v1/incidents/{incident['id']}/notes", {"text": text})
        _post(server, token, "/api/v1/oversight/tasks", {
            "title": text[:200], "detail": text, "owner_org_code": incident["station_code"],
        })
        _post(server, token, "/api/v1/community/grid-reports", {
            "kind": "hazard", "hazard_type": "fire", "title": text[:200], "detail": text,
            "lng": lng + i * 0.003, "lat": lat + 0.001,
        })
        _post(server, token, "/api/v1/community/disputes", {
            "kind": "neighbour", "summary": text, "parties": 2,
            "lng": lng - i * 0.003, "lat": lat,
        })
        _post(server, token, "/api/v1/community/volunteers", {
            "name_zh": f"{PROBE}{i}<b data-xss>", "lng": lng, "lat": lat + i * 0.001,
        })
        _post(server, token, "/api/v1/intel/registrations", {
            "plate": f"衡阳X0000{i}", "brand": text[:64], "colour": text[:16],
            "owner_name": text[:64], "owner_id_number": "430402198801011238",
            "owner_phone": "13907341234", "address": text[:200],
        })
    posts = [
        {
            "source": "weibo", "external_id": f"xss-{i}-{n}", "title": text,
            "text": f"{text} {story}{n}",
            "published_at": (now - timedelta(minutes=5 * n)).isoformat(),
        }
        for i, (text, story) in enumerate(zip(PAYLOADS, STORIES, strict=True))
        for n in range(4)
    ]
    _post(server, token, "/api/v1/opinion/posts", {"posts": posts})


@pytest.fixture(scope="module")
def planted(server: DemoServer) -> dict[str, Any]:
    admin = api_login(server.base_url, "admin")
    _plant(server, admin["access_token"])
    return admin


@pytest.mark.parametrize(("path", "lists_probe"), PAGES)
def test_hostile_text_stays_text_on_every_page(browser, server, planted, path, lists_probe):
    context = new_context(browser, server, viewport={"width": 1366, "height": 768})
    context.add_init_script(TRACK_MAPS)
    page = context.new_page()
    console = ConsoleWatch()
    console.attach(page)
    try:
        store_session(page, server.base_url, planted)
        page.goto(f"{server.base_url}{path}")
        page.wait_for_load_state("networkidle")
        if lists_probe:
            page.wait_for_function(f"() => document.body.innerText.includes({PROBE!r})",
                                   timeout=20_000)
        opened = page.evaluate(OPEN_OVERLAYS)
        assert opened != -1, f"{path}: a popup rendered payload markup"
        injected = page.evaluate(
            "Array.from(document.querySelectorAll('[data-xss]')).map(e => e.outerHTML)")
        assert injected == [], f"{path}: payload became markup: {injected[:3]}"
        assert page.evaluate("window.__xss") is None, f"{path}: payload script ran"
    finally:
        context.close()
