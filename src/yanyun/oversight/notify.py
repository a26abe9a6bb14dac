"""Notifications: one interface, pluggable channels, retries and a delivery log.

`enqueue` writes one row per configured channel in the caller's
transaction, so a notification exists exactly when the change that caused
it commits. `deliver_due` tries each row, logs every attempt and retries
with a doubling delay; after the last attempt the row is marked failed and
stays listed (never silently lost). A WeCom, DingTalk or SMS gateway plugs
in as the webhook's receiver, without code changes here.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.core import events
from yanyun.core.clock import Clock, as_utc
from yanyun.core.ids import new_id
from yanyun.events.oversight import NotificationSent
from yanyun.oversight.models import DeliveryAttempt, Notification
from yanyun.oversight.settings import OversightSettings

CHANNELS = ("live", "email", "webhook")


class DeliveryError(Exception):
    """A channel could not deliver; the message says why, for the delivery log."""


@dataclass(frozen=True)
class Message:
    id: str
    kind: str
    org_path: str
    subject: str
    body: str
    payload: dict[str, Any]


class Channel(Protocol):
    name: str

    def send(self, session: Session, clock: Clock, message: Message) -> None:
        """Deliver or raise DeliveryError."""
        ...


class LiveChannel:
    """The dashboards' WebSocket: an outbox event, fanned out by the live hub."""

    name = "live"

    def send(self, session: Session, clock: Clock, message: Message) -> None:
        events.publish(
            session,
            NotificationSent(kind=message.kind, subject=message.subject, body=message.body,
                             **message.payload),
            clock=clock,
            resource_id=message.id,
            org_path=message.org_path,
        )


class EmailChannel:
    """Plain SMTP to the configured duty inboxes."""

    name = "email"

    def __init__(self, settings: OversightSettings) -> None:
        self.settings = settings

    def send(self, session: Session, clock: Clock, message: Message) -> None:
        s = self.settings
        if not s.smtp_to:
            raise DeliveryError("no email recipients configured (oversight.smtp_to)")
        mail = EmailMessage()
        mail["From"] = s.smtp_from
        mail["To"] = ", ".join(s.smtp_to)
        mail["Subject"] = message.subject
        mail["X-Yanyun-Notification"] = message.id
        mail.set_content(message.body)
        try:
            with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.send_timeout_s) as smtp:
                smtp.send_message(mail)
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"smtp {s.smtp_host}:{s.smtp_port}: {exc}") from exc


class WebhookChannel:
    """A JSON POST to any gateway; the body is signed when a secret is set."""

    name = "webhook"

    def __init__(self, settings: OversightSettings) -> None:
        self.settings = settings

    def send(self, session: Session, clock: Clock, message: Message) -> None:
        s = self.settings
        if not s.webhook_url:
            raise DeliveryError("no webhook URL configured (oversight.webhook_url)")
        body = json.dumps(
            {"id": message.id, "kind": message.kind, "org_path": message.org_path,
             "subject": message.subject, "body": message.body, "payload": message.payload},
            ensure_ascii=False,
        ).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8",
                   "X-Yanyun-Notification": message.id}
        if s.webhook_secret is not None:
            key = s.webhook_secret.get_secret_value().encode()
            headers["X-Yanyun-Signature"] = hmac.new(key, body, hashlib.sha256).hexdigest()
        request = urllib.request.Request(s.webhook_url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=s.send_timeout_s) as resp:
                if resp.status >= 300:
                    raise DeliveryError(f"webhook answered {resp.status}")
        except urllib.error.HTTPError as exc:
            raise DeliveryError(f"webhook answered {exc.code}") from exc
        except (OSError, urllib.error.URLError) as exc:
            raise DeliveryError(f"webhook {s.webhook_url}: {exc}") from exc


def build_channels(settings: OversightSettings) -> dict[str, Channel]:
    """The adapters of every channel name; which are used is `notify_channels`."""
    return {
        "live": LiveChannel(),
        "email": EmailChannel(settings),
        "webhook": WebhookChannel(settings),
    }


def enqueue(
    session: Session,
    *,
    clock: Clock,
    settings: OversightSettings,
    kind: str,
    org_path: str,
    subject: str,
    body: str,
    payload: dict[str, Any] | None = None,
    channels: list[str] | None = None,
) -> list[Notification]:
    """Queue a notification on every configured channel (or those named), in the caller's
    transaction."""
    now = clock.now()
    rows = []
    for channel in channels if channels is not None else settings.notify_channels:
        row = Notification(
            id=new_id(clock),
            created_at=now,
            channel=channel,
            kind=kind,
            org_path=org_path,
            subject=subject[:200],
            body=body,
            payload=payload or {},
            status="pending",
            attempts=0,
            next_attempt_at=now,
            last_error=None,
            sent_at=None,
        )
        session.add(row)
        rows.append(row)
    return rows


def deliver_due(
    *,
    session: Session,
    clock: Clock,
    settings: OversightSettings,
    channels: dict[str, Channel] | None = None,
    limit: int = 100,
) -> tuple[int, int]:
    """Try every notification whose next attempt is due; (sent, failed attempts)."""
    channels = channels if channels is not None else build_channels(settings)
    now = clock.now()
    rows = list(
        session.scalars(
            select(Notification)
            .where(Notification.status == "pending", Notification.next_attempt_at <= now)
            .order_by(Notification.next_attempt_at, Notification.id)
            .limit(limit)
            .with_for_update()
        )
    )
    sent = failed = 0
    for row in rows:
        channel = channels.get(row.channel)
        error: str | None = None
        if channel is None:
            error = f"unknown channel {row.channel!r}"
        else:
            message = Message(row.id, row.kind, row.org_path, row.subject, row.body, row.payload)
            try:
                channel.send(session, clock, message)
            except DeliveryError as exc:
                error = str(exc)[:500]
        row.attempts += 1
        session.add(DeliveryAttempt(id=new_id(clock), notification_id=row.id, at=now,
                                    ok=error is None, error=error))
        if error is None:
            row.status, row.sent_at, row.last_error = "sent", now, None
            sent += 1
            continue
        failed += 1
        row.last_error = error
        if row.attempts >= settings.notify_max_attempts:
            row.status = "failed"
        else:
            delay = settings.notify_retry_s * 2 ** (row.attempts - 1)
            row.next_attempt_at = as_utc(now) + timedelta(seconds=delay)
    return sent, failed


def list_notifications(
    *, session: Session, status: str | None = None, scope: Any = None, limit: int = 100
) -> list[Notification]:
    stmt = select(Notification)
    if scope is not None:
        stmt = scope(stmt, Notification.org_path)
    if status is not None:
        stmt = stmt.where(Notification.status == status)
    return list(session.scalars(stmt.order_by(Notification.created_at.desc()).limit(limit)))


def attempts_of(*, session: Session, notification_id: str) -> list[DeliveryAttempt]:
    return list(
        session.scalars(
            select(DeliveryAttempt)
            .where(DeliveryAttempt.notification_id == notification_id)
            .order_by(DeliveryAttempt.at, DeliveryAttempt.id)
        )
    )
