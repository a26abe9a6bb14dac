"""止付冻结 through a bank adapter: kept on record only, or sent to the bank as a signed webhook.

A request moves ``requested -> sent -> acknowledged`` (the bank's callback
says how much it froze) or ``failed`` (the bank refused, or every send
failed). Sending happens outside any transaction that holds the request's row:
a bank that answers on the callback before its HTTP reply returns finds the row
free. A send claims its rows first (their next attempt is pushed past the
timeout), so two processes running the job never send one request twice at once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.antifraud.models import FraudWarning, StopPayment
from yanyun.antifraud.schemas import BankAnswer
from yanyun.antifraud.settings import AntifraudSettings
from yanyun.core.clock import Clock
from yanyun.core.db import Runtime, session_scope
from yanyun.core.errors import NotFound

CALLBACK_PATH = "/api/v1/antifraud/bank/callback"


class BankError(Exception):
    """A send that did not reach the bank or was not taken by it (retried)."""


@dataclass(frozen=True)
class BankRequest:
    """What the bank is asked: freeze this account for this warning's loss."""

    request_id: str
    warning_number: str
    bank: str
    account: str
    amount_lost_yuan: float
    requested_at: datetime

    def body(self) -> bytes:
        return json.dumps({
            "request_id": self.request_id, "warning_number": self.warning_number,
            "bank": self.bank, "account": self.account,
            "amount_lost_yuan": self.amount_lost_yuan,
            "requested_at": self.requested_at.isoformat(), "callback_path": CALLBACK_PATH,
        }, ensure_ascii=False).encode()


class BankAdapter(Protocol):
    """Hands a stop-payment request to a bank; returns the bank's reference if it gave one."""

    name: str

    def send(self, request: BankRequest) -> str: ...


class RecordOnly:
    """No bank connection: requests are kept as the officer recorded them and never sent."""

    name = "record"

    def send(self, request: BankRequest) -> str:
        raise BankError("no bank adapter configured (antifraud.bank_adapter = record)")


def signature(secret: str, body: bytes) -> str:
    """HMAC-SHA256 of the body under the bank secret, hex (both directions)."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookBank:
    """A signed JSON POST to the bank's endpoint; any 2xx means the bank has the request."""

    name = "webhook"

    def __init__(self, settings: AntifraudSettings) -> None:
        self.settings = settings

    def send(self, request: BankRequest) -> str:
        s = self.settings
        if not s.bank_url:
            raise BankError("no bank endpoint configured (antifraud.bank_url)")
        body = request.body()
        headers = {"Content-Type": "application/json; charset=utf-8",
                   "X-Yanyun-Signature": signature(s.bank_secret.get_secret_value(), body),
                   "X-Yanyun-Request": request.request_id}
        try:
            resp = httpx.post(s.bank_url, content=body, headers=headers,
                              timeout=s.bank_timeout_s)
        except httpx.HTTPError as exc:
            raise BankError(f"bank {s.bank_url}: {exc}") from exc
        if not resp.is_success:
            raise BankError(f"bank answered {resp.status_code}")
        try:
            ref = resp.json().get("bank_ref", "") if resp.content else ""
        except (ValueError, AttributeError):
            ref = ""
        return str(ref)[:64]


def adapter_for(settings: AntifraudSettings) -> BankAdapter:
    """The adapter the settings name."""
    return WebhookBank(settings) if settings.bank_adapter == "webhook" else RecordOnly()


def claim_due(*, session: Session, clock: Clock, settings: AntifraudSettings,
              limit: int = 50) -> list[BankRequest]:
    """Requests due a send, counted as an attempt and held back until this one is over."""
    now = clock.now()
    rows = session.scalars(
        select(StopPayment).where(StopPayment.state == "requested",
                                  StopPayment.next_attempt_at <= now)
        .order_by(StopPayment.next_attempt_at).limit(limit).with_for_update(skip_locked=True)
    ).all()
    out = []
    for row in rows:
        row.attempts += 1
        row.next_attempt_at = now + timedelta(seconds=settings.bank_timeout_s * 4 + 60)
        number = session.scalar(select(FraudWarning.number).where(
            FraudWarning.id == row.warning_id))
        out.append(BankRequest(row.id, number or "", row.bank, row.account,
                               row.amount_lost_yuan, row.requested_at))
    session.flush()
    return out


def settle_send(*, session: Session, clock: Clock, settings: AntifraudSettings, request_id: str,
                bank_ref: str | None, error: str | None) -> str:
    """Record a send's result: sent, or retried later (the wait doubling), or failed at last."""
    row = session.get(StopPayment, request_id, with_for_update=True)
    if row is None or row.state != "requested":
        return row.state if row else "gone"  # the bank answered first: its answer stands
    now = clock.now()
    if error is None:
        row.state, row.sent_at, row.next_attempt_at = "sent", now, None
        row.bank_ref = bank_ref or ""
    elif row.attempts >= settings.bank_max_attempts:
        row.state, row.last_error, row.next_attempt_at = "failed", error[:200], None
    else:
        row.last_error = error[:200]
        row.next_attempt_at = now + timedelta(
            seconds=settings.bank_retry_s * 2 ** (row.attempts - 1))
    session.flush()
    return row.state


def send_due(runtime: Runtime, adapter: BankAdapter | None = None) -> dict[str, int]:
    """Send every due request, each in its own short transactions; counts by resulting state."""
    settings = runtime.settings.antifraud
    adapter = adapter or adapter_for(settings)
    with session_scope(runtime) as session:
        due = claim_due(session=session, clock=runtime.clock, settings=settings)
    counts: dict[str, int] = {}
    for request in due:
        ref, error = None, None
        try:
            ref = adapter.send(request)
        except BankError as exc:
            error = str(exc)
        with session_scope(runtime) as session:
            state = settle_send(session=session, clock=runtime.clock, settings=settings,
                                request_id=request.request_id, bank_ref=ref, error=error)
        counts[state] = counts.get(state, 0) + 1
    return counts


def record_answer(*, session: Session, clock: Clock, answer: BankAnswer) -> StopPayment:
    """The bank's answer: the amount frozen goes on the request and its warning, once."""
    row = session.get(StopPayment, answer.request_id, with_for_update=True)
    if row is None:
        raise NotFound("stop_payment", answer.request_id)
    if row.state in ("acknowledged", "failed", "recorded"):
        return row  # a repeated callback changes nothing
    row.answered_at, row.next_attempt_at = clock.now(), None
    row.bank_ref = answer.bank_ref or row.bank_ref
    if answer.status == "refused":
        row.state, row.last_error = "failed", f"bank refused: {answer.reason or ''}"[:200]
    else:
        row.state, row.amount_stopped_yuan = "acknowledged", answer.amount_frozen_yuan
        warning = session.get(FraudWarning, row.warning_id, with_for_update=True)
        if warning is not None:
            warning.stopped_yuan += answer.amount_frozen_yuan
    session.flush()
    return row
