"""A dispatch the crew's closed app did not hear is texted to them once (SMS link)."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

from sqlalchemy import select

from tests.field.test_actions import _action, _crew, _dispatched, _send
from yanyun.auth.models import User
from yanyun.field.settings import FieldSettings
from yanyun.field.texts import text_unacknowledged
from yanyun.oversight import notify
from yanyun.oversight.models import Notification
from yanyun.oversight.settings import OversightSettings

FIELD = FieldSettings(public_url="https://yanyun.example.gov.cn")


class _Gateway(BaseHTTPRequestHandler):
    """A stand-in SMS gateway on a real socket: it keeps what it was sent."""

    received: ClassVar[list[dict]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        _Gateway.received.append(json.loads(self.rfile.read(length)))
        self.send_response(202)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def _texts(session, clock) -> int:
    sent = text_unacknowledged(session=session, clock=clock, settings=FIELD,
                               oversight=OversightSettings())
    session.commit()
    return sent


def test_a_closed_app_gets_one_text_with_the_link(client, session, clock) -> None:
    _officer, unit = _crew(client, session)
    incident = _dispatched(client, session, unit)
    assert _texts(session, clock) == 0  # not yet late
    clock.advance(timedelta(seconds=FIELD.text_after_s + 1))
    assert _texts(session, clock) == 1
    assert _texts(session, clock) == 0  # never twice
    row = session.scalar(select(Notification).where(Notification.kind == "field.dispatch_text"))
    phone = session.scalar(select(User.phone).where(User.username == "officer"))
    assert row.channel == "webhook" and row.payload["to"] == phone
    assert incident["number"] in row.subject and "https://yanyun.example.gov.cn/m" in row.subject
    # An SMS is not a secure channel: the narrative and the caller stay out of it.
    assert incident["narrative"] not in row.subject + row.body
    server = HTTPServer(("127.0.0.1", 0), _Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/sms"
        sent, failed = notify.deliver_due(
            session=session, clock=clock,
            settings=OversightSettings(webhook_url=url, notify_channels=["webhook"]))
        session.commit()
    finally:
        server.shutdown()
    assert (sent, failed) == (1, 0)
    assert _Gateway.received[-1]["payload"]["to"] == phone
    assert _Gateway.received[-1]["payload"]["incident_number"] == incident["number"]


def test_an_open_app_or_an_acknowledged_dispatch_gets_no_text(client, session, clock) -> None:
    officer, unit = _crew(client, session)
    incident = _dispatched(client, session, unit)
    clock.advance(timedelta(seconds=FIELD.text_after_s + 1))
    # The app is open: its heartbeat came a moment ago.
    assert client.post("/api/v1/field/heartbeat", headers=officer.headers).status_code == 204
    assert _texts(session, clock) == 0
    resp = _send(client, officer, _action("acknowledge", clock, incident_id=incident["id"]))
    assert resp.json()["applied"] == 1
    clock.advance(timedelta(minutes=5))  # the app closed, but the dispatch was acknowledged
    assert _texts(session, clock) == 0


def test_a_volunteer_called_out_is_texted_the_link_once(client, runtime, session, clock) -> None:
    from tests.bus import consumers_from_now, drain
    from tests.community.helpers import urban_grid
    from tests.community.test_volunteer_app import _call, _linked_volunteer

    consumers_from_now(session, clock, "field.volunteer_texts")
    grid = urban_grid(session)
    mine = _linked_volunteer(session, grid)
    call, _ = _call(client, grid)
    assert mine.id in [r["volunteer_id"] for r in call["responses"]]
    clock.advance(timedelta(minutes=1))  # past the runner's grace for id holes (PostgreSQL)
    assert drain(runtime, "field.volunteer_texts", session=session) >= 1
    assert drain(runtime, "field.volunteer_texts") == 0
    session.expire_all()
    texts = list(session.scalars(select(Notification).where(
        Notification.kind == "field.volunteer_text")))
    phone = session.scalar(select(User.phone).where(User.username == "volunteer"))
    # Only the volunteer with an account and a phone: the four others have neither.
    assert [(t.payload["to"], t.payload["volunteer_id"]) for t in texts] == [(phone, mine.id)]
    assert "寻找走失老人" in texts[0].subject and "/m/volunteer" in texts[0].subject
