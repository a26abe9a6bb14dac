"""Notifications through real servers: SMTP (aiosmtpd), a webhook (http.server), the live outbox."""

import hashlib
import hmac
import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlalchemy import select

from tests.oversight.helpers import settings
from yanyun.core.events import OutboxEvent
from yanyun.oversight import notify
from yanyun.oversight.models import DeliveryAttempt, Notification


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, list]]:
    """A real SMTP server on a free local port, keeping what it receives."""
    from aiosmtpd.controller import Controller

    received: list = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append(envelope)
            return "250 OK"

    port = _free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    yield port, received
    controller.stop()


@pytest.fixture
def webhook_server() -> Iterator[tuple[str, list, dict]]:
    """A real HTTP server; `state["fail"]` requests to refuse before accepting."""
    received: list = []
    state = {"fail": 0}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if state["fail"] > 0:
                state["fail"] -= 1
                self.send_response(503)
                self.end_headers()
                return
            received.append((dict(self.headers), body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", received, state
    server.shutdown()
    server.server_close()


def _enqueue(session, clock, s, subject="【督办升级】核查隐患"):
    rows = notify.enqueue(session, clock=clock, settings=s, kind="task.escalated",
                          org_path="4304/430405", subject=subject, body="正文 body",
                          payload={"task_id": "T1"})
    session.flush()
    return rows


def test_email_reaches_a_real_smtp_server(session, clock, smtp_server):
    port, received = smtp_server
    s = settings(notify_channels=["email"], smtp_port=port, smtp_to=["duty@bureau.test"])
    [row] = _enqueue(session, clock, s)
    assert notify.deliver_due(session=session, clock=clock, settings=s) == (1, 0)
    assert row.status == "sent" and row.attempts == 1
    [envelope] = received
    assert envelope.rcpt_tos == ["duty@bureau.test"]
    text = envelope.content.decode("utf-8", "replace")
    assert row.id in text


def test_webhook_posts_signed_json_and_retries_a_failing_gateway(session, clock, webhook_server):
    url, received, state = webhook_server
    s = settings(notify_channels=["webhook"], webhook_url=url, webhook_secret="hook-secret",
                 notify_retry_s=30)
    [row] = _enqueue(session, clock, s)
    state["fail"] = 2
    assert notify.deliver_due(session=session, clock=clock, settings=s) == (0, 1)
    assert row.status == "pending" and "503" in row.last_error
    # Not due again before the back-off: nothing is sent, nothing is lost.
    clock.advance(29)
    assert notify.deliver_due(session=session, clock=clock, settings=s) == (0, 0)
    clock.advance(1)
    assert notify.deliver_due(session=session, clock=clock, settings=s) == (0, 1)
    clock.advance(59)  # the delay doubles: 60 s after the second failure
    assert notify.deliver_due(session=session, clock=clock, settings=s) == (0, 0)
    clock.advance(1)
    assert notify.deliver_due(session=session, clock=clock, settings=s) == (1, 0)
    assert row.status == "sent" and row.attempts == 3
    [(headers, body)] = received
    payload = json.loads(body)
    assert payload["id"] == row.id and payload["subject"].startswith("【督办升级】")
    expected = hmac.new(b"hook-secret", body, hashlib.sha256).hexdigest()
    assert headers["X-Yanyun-Signature"] == expected
    log = list(session.scalars(select(DeliveryAttempt).where(
        DeliveryAttempt.notification_id == row.id).order_by(DeliveryAttempt.at)))
    assert [a.ok for a in log] == [False, False, True]


def test_a_channel_that_never_answers_ends_failed_and_listed(session, clock):
    dead = f"http://127.0.0.1:{_free_port()}/nobody"
    s = settings(notify_channels=["webhook", "live"], webhook_url=dead, notify_max_attempts=3,
                 notify_retry_s=1, send_timeout_s=1)
    rows = _enqueue(session, clock, s)
    for _ in range(4):
        notify.deliver_due(session=session, clock=clock, settings=s)
        clock.advance(10)
    by_channel = {r.channel: r for r in rows}
    assert by_channel["webhook"].status == "failed" and by_channel["webhook"].attempts == 3
    assert by_channel["webhook"].last_error
    # The live channel is independent of the failing one: it went out first time.
    assert by_channel["live"].status == "sent" and by_channel["live"].attempts == 1
    session.commit()  # the event is written with the transaction that sent it
    live = session.scalars(select(OutboxEvent).where(
        OutboxEvent.kind == "notification", OutboxEvent.resource_id == by_channel["live"].id)
    ).one()
    assert live.org_path == "4304/430405" and live.payload["task_id"] == "T1"
    failed = notify.list_notifications(session=session, status="failed")
    assert by_channel["webhook"].id in {n.id for n in failed}


def test_email_without_recipients_is_a_logged_failure_not_a_silent_drop(session, clock):
    s = settings(notify_channels=["email"], smtp_to=[], notify_max_attempts=1)
    [row] = _enqueue(session, clock, s)
    assert notify.deliver_due(session=session, clock=clock, settings=s) == (0, 1)
    assert row.status == "failed" and "smtp_to" in row.last_error
    assert session.scalar(select(Notification.status).where(Notification.id == row.id)) == "failed"
