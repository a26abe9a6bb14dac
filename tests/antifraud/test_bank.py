"""止付冻结 through the bank webhook, against a real local HTTP server: sent signed, retried,
failed after the last attempt, the bank's signed answer recorded once."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.antifraud.test_work import URL, _grid_of, _push, _station, _warnings
from tests.conftest import login_as, make_settings
from yanyun.antifraud.bank import RecordOnly, send_due
from yanyun.antifraud.settings import AntifraudSettings

SECRET = "bank-secret-for-the-tests"
CALLBACK = "/api/v1/antifraud/bank/callback"


@pytest.fixture
def bank_server() -> Iterator[dict]:
    """A bank on a free local port: keeps what it is sent; refuses `state["fail"]` first."""
    state: dict = {"received": [], "fail": 0}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if state["fail"] > 0:
                state["fail"] -= 1
                self.send_response(503)
                self.end_headers()
                return
            state["received"].append((dict(self.headers), body))
            answer = json.dumps({"bank_ref": "ICBC-7781"}).encode()
            self.send_response(202)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state["url"] = f"http://127.0.0.1:{server.server_port}/freeze"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def settings(database, bank_server):
    return make_settings(database, antifraud=AntifraudSettings(
        bank_adapter="webhook", bank_url=bank_server["url"], bank_secret=SECRET,
        bank_max_attempts=3, bank_retry_s=30))


def _signed(payload: dict) -> tuple[bytes, dict]:
    body = json.dumps(payload).encode()
    return body, {"X-Yanyun-Signature": hmac.new(SECRET.encode(), body,
                                                 hashlib.sha256).hexdigest(),
                  "Content-Type": "application/json"}


def _defrauded(client, session, settings) -> tuple:
    chief = login_as(client, "chief")
    _push(client, settings, [_row(session, _station(client, chief))])
    [warning] = _warnings(client, chief).values()
    url = f"{URL}/{warning['id']}"
    client.post(f"{url}/contacts", headers=chief.headers, json={"channel": "visit",
                                                                "reached": True})
    made = client.post(f"{url}/stop-payment", headers=chief.headers, json={
        "bank": "工商银行", "account": "6222020000001111", "amount_lost_yuan": 50000})
    assert made.status_code == 201, made.text
    [request] = made.json()["stop_payments"]
    assert request["state"] == "requested" and made.json()["stopped_yuan"] == 0
    return chief, url, request


def _row(session, station):
    from tests.antifraud.helpers import row

    return row(_grid_of(session, station))


def test_a_request_is_sent_signed_and_the_banks_answer_recorded_once(client, session, settings,
                                                                     runtime, bank_server):
    chief, url, request = _defrauded(client, session, settings)
    session.commit()
    assert send_due(runtime) == {"sent": 1}
    [(headers, body)] = bank_server["received"]
    sent = json.loads(body)
    assert sent["request_id"] == request["id"] and sent["account"] == "6222020000001111"
    assert "张桂英" not in body.decode() and "13807341234" not in body.decode()
    assert headers["X-Yanyun-Signature"] == hmac.new(SECRET.encode(), body,
                                                     hashlib.sha256).hexdigest()
    assert send_due(runtime) == {}
    shown = client.get(url, headers=chief.headers).json()["stop_payments"][0]
    assert shown["state"] == "sent" and shown["bank_ref"] == "ICBC-7781"
    answer = {"request_id": request["id"], "status": "frozen", "amount_frozen_yuan": 32000}
    forged, _ = _signed(answer)
    assert client.post(CALLBACK, content=forged, headers={
        "X-Yanyun-Signature": "0" * 64}).status_code == 401
    bad_body, bad_headers = _signed({"request_id": request["id"], "status": "maybe"})
    bad = client.post(CALLBACK, content=bad_body, headers=bad_headers)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "body"
    for _ in range(2):
        body, headers = _signed(answer)
        done = client.post(CALLBACK, content=body, headers=headers)
        assert done.status_code == 200, done.text
        assert done.json()["state"] == "acknowledged"
    warning = client.get(url, headers=chief.headers).json()
    assert warning["stopped_yuan"] == 32000
    assert warning["stop_payments"][0]["amount_stopped_yuan"] == 32000
    unknown, unknown_headers = _signed({**answer, "request_id": "nope"})
    assert client.post(CALLBACK, content=unknown, headers=unknown_headers).status_code == 404


def test_a_bank_that_refuses_is_retried_then_the_request_fails(client, session, settings,
                                                              runtime, clock, bank_server):
    chief, _, _ = _defrauded(client, session, settings)
    session.commit()
    bank_server["fail"] = 1
    assert send_due(runtime) == {"requested": 1}
    assert send_due(runtime) == {}  # the retry waits 30 s
    clock.advance(timedelta(seconds=31))
    assert send_due(runtime) == {"sent": 1}
    assert len(bank_server["received"]) == 1
    _, url2, _ = _defrauded_again(client, session, settings, chief)
    session.commit()
    for wait in (0, 31, 61):
        clock.advance(timedelta(seconds=wait))
        send_due(runtime, adapter=RecordOnly())
    shown = client.get(url2, headers=chief.headers).json()["stop_payments"][-1]
    assert shown["state"] == "failed" and shown["attempts"] == 3
    assert "no bank adapter" in shown["last_error"]


def _defrauded_again(client, session, settings, chief):
    [warning] = _warnings(client, chief).values()
    url = f"{URL}/{warning['id']}"
    made = client.post(f"{url}/stop-payment", headers=chief.headers, json={
        "bank": "建设银行", "account": "6217000000002222", "amount_lost_yuan": 1000})
    assert made.status_code == 201, made.text
    return chief, url, made.json()["stop_payments"][-1]


def test_the_record_only_default_keeps_the_stated_amount_and_sends_nothing(database, runtime):
    s = make_settings(database).antifraud
    assert s.bank_adapter == "record"
    with pytest.raises(ValueError):
        AntifraudSettings(bank_adapter="webhook")
    assert send_due(runtime) == {}


def test_a_bank_answering_before_its_http_reply_is_not_overwritten(client, session, settings,
                                                                   runtime, clock):
    from yanyun.antifraud.bank import claim_due, record_answer, settle_send
    from yanyun.antifraud.schemas import BankAnswer

    chief, url, request = _defrauded(client, session, settings)
    session.commit()
    [claimed] = claim_due(session=session, clock=clock, settings=settings.antifraud)
    assert claimed.request_id == request["id"]
    assert claim_due(session=session, clock=clock, settings=settings.antifraud) == []
    record_answer(session=session, clock=clock, answer=BankAnswer(
        request_id=request["id"], status="frozen", amount_frozen_yuan=900))
    assert settle_send(session=session, clock=clock, settings=settings.antifraud,
                       request_id=request["id"], bank_ref="late", error=None) == "acknowledged"
    session.commit()
    shown = client.get(url, headers=chief.headers).json()
    assert shown["stop_payments"][0]["state"] == "acknowledged"
    assert shown["stopped_yuan"] == 900
