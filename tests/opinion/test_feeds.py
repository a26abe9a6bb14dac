"""Feeds polled from a real local HTTP server: one good, one timing out, one garbage."""

from __future__ import annotations

import http.server
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from tests.conftest import login_as
from yanyun.opinion.models import Feed

RSS = """<?xml version="1.0" encoding="gb2312"?>
<rss version="2.0"><channel><title>衡阳身边事</title><link>http://x/</link>
<item><title>蒸湘区一商场起火</title><link>http://x/1</link><guid>n1</guid>
<pubDate>Mon, 23 Nov 2026 01:00:00 GMT</pubDate>
<description>&lt;p&gt;蒸湘区解放路一商场今天上午起火,浓烟滚滚,消防已到场。&lt;/p&gt;</description></item>
<item><title>石鼓区交通事故</title><link>http://x/2</link><guid>n2</guid>
<description>石鼓区一路口两车相撞,一人受伤送医。</description></item>
</channel></rss>""".encode("gb2312")


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/good")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path == "/slow":
            time.sleep(1.5)
        body = RSS if self.path in ("/good", "/slow") else b"\x00\x01 this is not a feed <<<"
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def feed_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_failing_feeds_are_counted_and_never_stop_the_good_one(
    client, session, settings, feed_server
) -> None:
    settings.opinion.feed_timeout_s = 0.3
    settings.opinion.feed_hosts = ["127.0.0.1"]
    settings.opinion.feed_allow_private_addresses = True
    login = login_as(client, "opinion")
    for name, path in (("slow", "/slow"), ("garbage", "/garbage"), ("good", "/good")):
        r = client.post(
            "/api/v1/opinion/feeds",
            headers=login.headers,
            json={"name": name, "url": feed_server + path},
        )
        assert r.status_code == 201, r.text
    results = client.post("/api/v1/opinion/feeds/poll", headers=login.headers).json()
    by_name = {r["name"]: r for r in results}
    assert by_name["slow"]["reason"] == "feed_timeout"
    assert by_name["garbage"]["reason"] == "feed_garbage"
    assert by_name["good"]["ok"] and by_name["good"]["ingest"]["accepted"] == 2
    again = client.post("/api/v1/opinion/feeds/poll", headers=login.headers).json()
    good = next(r for r in again if r["name"] == "good")
    assert good["ingest"]["duplicates"] == 2 and good["ingest"]["accepted"] == 0
    feeds = {f.name: f for f in session.scalars(select(Feed))}
    assert feeds["slow"].failures == 2 and feeds["garbage"].failures == 2
    assert feeds["good"].items_seen == 2
    counts = client.get("/api/v1/opinion/rejections", headers=login.headers).json()
    assert {(c["reason"], c["count"]) for c in counts} == {("feed_timeout", 2), ("feed_garbage", 2)}


def test_feeds_only_from_listed_hosts(client, settings, feed_server) -> None:
    settings.opinion.feed_hosts = [".hy-news.example.cn"]
    login = login_as(client, "opinion")
    for url in (feed_server + "/good", "http://169.254.169.254/latest/meta-data/",
                "http://hy-news.example.cn.attacker.io/rss", "http://user:pw@hy-news.example.cn/",
                "http://[hy-news.example.cn/rss", "http://rss.hy-news.example.cn:99999/"):
        resp = client.post("/api/v1/opinion/feeds", headers=login.headers,
                           json={"name": "probe", "url": url})
        assert resp.status_code == 422, (url, resp.text)
        assert resp.json()["error"]["field"] == "url"
    ok = client.post("/api/v1/opinion/feeds", headers=login.headers,
                     json={"name": "news", "url": "https://rss.hy-news.example.cn/feed"})
    assert ok.status_code == 201, ok.text


def test_a_listed_host_on_a_private_address_is_refused_and_redirects_are_not_followed(
    client, session, settings, feed_server
) -> None:
    settings.opinion.feed_timeout_s = 2
    settings.opinion.feed_hosts = ["127.0.0.1"]
    login = login_as(client, "opinion")
    for name, path in (("internal", "/good"), ("moved", "/redirect")):
        r = client.post("/api/v1/opinion/feeds", headers=login.headers,
                        json={"name": name, "url": feed_server + path})
        assert r.status_code == 201, r.text
    # Listed, but 127.0.0.1 is not public: refused before any connection.
    results = {r["name"]: r for r in client.post(
        "/api/v1/opinion/feeds/poll", headers=login.headers).json()}
    assert results["internal"]["reason"] == "feed_not_allowed"
    settings.opinion.feed_allow_private_addresses = True
    results = {r["name"]: r for r in client.post(
        "/api/v1/opinion/feeds/poll", headers=login.headers).json()}
    assert results["internal"]["ok"]
    assert results["moved"]["reason"] == "feed_redirect"


def test_a_failed_connection_records_no_network_detail(
    client, session, settings, feed_server
) -> None:
    """Refused, reset and unreachable read alike: the record is no port scanner's report."""
    settings.opinion.feed_timeout_s = 2
    settings.opinion.feed_hosts = ["127.0.0.1"]
    settings.opinion.feed_allow_private_addresses = True
    login = login_as(client, "opinion")
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now
    for name, url in (("closed", f"http://127.0.0.1:{port}/"), ("garbage", feed_server + "/x")):
        r = client.post("/api/v1/opinion/feeds", headers=login.headers,
                        json={"name": name, "url": url})
        assert r.status_code == 201, r.text
    client.post("/api/v1/opinion/feeds/poll", headers=login.headers)
    errors = {f.name: f.last_error for f in session.scalars(select(Feed))}
    assert errors["closed"] == "feed_error: feed could not be fetched"
    assert "refused" not in errors["closed"].lower() and "errno" not in errors["closed"].lower()
