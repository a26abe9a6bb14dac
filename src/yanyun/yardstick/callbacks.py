"""警情回访: closed incidents' callers asked how it went, by phone or by a one-time SMS link.

A closed incident enters the queue unless its kind is one where calling back
could hurt (sexual assault, domestic violence, suicide attempts, an officer's
own emergency). An operator records a phone answer; or the caller gets a link
whose token is signed with the deployment's secret and carries a nonce kept on
the callback, so it is answered once, expires, and cannot be forged. An
unsatisfied answer becomes a supervised task (督办) for the station.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.auth.models import User
from yanyun.auth.permissions import Perm
from yanyun.auth.service import Actor, actor_for
from yanyun.command.models import Incident
from yanyun.core import events
from yanyun.core.clock import Clock, as_utc
from yanyun.core.errors import Conflict, Invalid, NotFound
from yanyun.core.ids import new_id
from yanyun.events.oversight import TaskRequested
from yanyun.yardstick.models import Callback

#: Incidents whose callers are never called back (catalogue sub-category codes).
SENSITIVE_SUBS = frozenset({"1007", "2008", "7005", "9501"})
RESULTS = {
    "satisfied": ("满意", "satisfied"),
    "fair": ("基本满意", "fairly satisfied"),
    "unsatisfied": ("不满意", "unsatisfied"),
}
PURPOSE = "警情回访：拨打报警人电话 (callback: calling the caller)"


def enqueue(session: Session, clock: Clock, incident: Incident) -> Callback | None:
    """Put a closed incident's caller in the queue (once); none for sensitive kinds."""
    if incident.sub_code in SENSITIVE_SUBS or not incident.caller_phone:
        return None
    if incident.merged_into_id is not None or incident.status != "closed":
        return None
    existing = session.scalar(select(Callback).where(Callback.incident_id == incident.id))
    if existing is not None:
        return existing
    callback = Callback(
        id=new_id(clock), incident_id=incident.id, incident_number=incident.number,
        station_code=incident.station_code,
        org_path="/".join(incident.org_path.split("/")[:3]),
        closed_at=incident.closed_at or clock.now(), status="queued",
    )
    session.add(callback)
    return callback


def queue(session: Session, actor: Actor, *, status: str | None, limit: int) -> list[Callback]:
    stmt = actor.scope(select(Callback), Callback.org_path)
    if status:
        stmt = stmt.where(Callback.status == status)
    return list(session.scalars(stmt.order_by(Callback.closed_at.desc()).limit(limit)))


def get_callback(session: Session, actor: Actor, callback_id: str) -> Callback:
    callback = session.get(Callback, callback_id)
    if callback is None or not actor.sees(callback.org_path):
        raise NotFound("callback", callback_id)
    return callback


def calls_back_on(session: Session, user_id: str, reference: str) -> bool:
    """Work check: the user handles callbacks in the area of this incident's open callback."""
    callback = session.scalar(
        select(Callback).where(Callback.incident_number == reference,
                               Callback.status != "answered")
    )
    if callback is None:
        return False
    user = session.get(User, user_id)
    if user is None or not user.active:
        return False
    actor = actor_for(session=session, user=user)
    return actor.can(Perm.callbacks_handle) and actor.sees(callback.org_path)


def record_answer(
    session: Session, clock: Clock, callback: Callback, *, result: str, reason: str | None,
    channel: str, answered_by: str | None,
) -> Callback:
    """Keep the caller's answer; an unsatisfied one asks supervision for a task."""
    if callback.status == "answered":
        raise Conflict("该回访已有结果", "this callback is already answered", field="callback")
    if result not in RESULTS:
        raise Invalid("result", f"未知回访结果：{result}", f"unknown result: {result}")
    if result == "unsatisfied" and not (reason and reason.strip()):
        raise Invalid("reason", "不满意须说明原因", "an unsatisfied answer needs a reason")
    callback.status = "answered"
    callback.result, callback.reason = result, (reason or "").strip() or None
    callback.channel, callback.answered_by = channel, answered_by
    callback.answered_at = clock.now()
    callback.link_nonce = None
    if result == "unsatisfied":
        events.publish(
            session,
            TaskRequested(
                title=f"回访不满意：警情{callback.incident_number}",
                detail=f"群众回访不满意，原因：{callback.reason}。请核查处置情况并答复。",
                owner_org_code=callback.station_code,
                due_at=clock.now() + timedelta(days=3),
            ),
            clock=clock, resource_id=callback.id, org_path=callback.org_path,
        )
    session.flush()
    return callback


# -- the SMS link ---------------------------------------------------------------------


def _sign(secret: str, body: str) -> str:
    mac = hmac.new(secret.encode(), f"callback.{body}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:18]).decode()


def issue_link(session: Session, clock: Clock, callback: Callback, *, secret: str,
               valid: timedelta) -> str:
    """A one-time token for the public form: callback id, expiry and nonce, signed."""
    if callback.status == "answered":
        raise Conflict("该回访已有结果", "this callback is already answered", field="callback")
    callback.link_nonce = secrets.token_urlsafe(12)
    callback.link_sent_at = clock.now()
    callback.status = "sent"
    expires = int((clock.now() + valid).timestamp())
    body = f"{callback.id}.{expires}.{callback.link_nonce}"
    session.flush()
    return f"{body}.{_sign(secret, body)}"


def _refuse() -> Invalid:
    return Invalid("token", "链接无效或已失效", "the link is invalid, used or expired")


def redeem(session: Session, token: str, *, secret: str, now: datetime) -> Callback:
    """The callback a public token stands for, if it is genuine, unexpired and unused."""
    try:
        callback_id, expires, nonce, signature = token.split(".")
        expires_at = int(expires)
    except ValueError:
        raise _refuse() from None
    body = f"{callback_id}.{expires}.{nonce}"
    if not hmac.compare_digest(signature, _sign(secret, body)):
        raise _refuse()
    if as_utc(now).timestamp() > expires_at:
        raise _refuse()
    callback = session.get(Callback, callback_id, with_for_update=True)
    if callback is None or callback.status == "answered" or callback.link_nonce != nonce:
        raise _refuse()
    return callback
