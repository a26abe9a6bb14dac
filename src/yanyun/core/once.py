"""Apply an action exactly once, whatever the network does to its delivery.

A phone that lost its signal keeps what its user did and sends it again when
the signal returns, maybe twice (the answer to the first try was lost), maybe
from two tabs at once. Each action carries a key the phone made when the user
acted. The key is claimed in the same transaction as the action's effect, and
claimed first: a second delivery either finds the key (and gets the first
answer back, not a second effect) or, arriving while the first is still
committing, waits on the key's row and then finds it. What the action answered
(applied, or refused with a reason) is kept with the key, so a replay hears
the same answer even if the world has changed since.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from yanyun.core.clock import Clock
from yanyun.core.errors import Invalid
from yanyun.core.tables import Base


class AppliedAction(Base):
    """An action key claimed by its first delivery, with the answer it got."""

    __tablename__ = "applied_action"
    __audited__ = False

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    actor_id: Mapped[str] = mapped_column(String(26), index=True)
    # A digest of what was asked, so one key cannot be reused for another action.
    fingerprint: Mapped[str] = mapped_column(String(64))
    answer: Mapped[dict[str, Any]] = mapped_column(JSON)
    applied_at: Mapped[datetime] = mapped_column(index=True)


@dataclass(frozen=True)
class Delivery:
    """What one delivery of an action came to: its answer, and whether it was a replay."""

    answer: dict[str, Any]
    replayed: bool


def fingerprint(request: dict[str, Any]) -> str:
    """A stable digest of an action's content (key order does not matter)."""
    text = json.dumps(request, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _earlier(session: Session, key: str, actor_id: str, digest: str) -> Delivery | None:
    row = session.get(AppliedAction, key, populate_existing=True)
    if row is None:
        return None
    if row.actor_id != actor_id or row.fingerprint != digest:
        # Another user's key, or this key for different content: never an answer to share.
        raise Invalid(
            "key",
            "操作编号已用于另一项操作",
            "this action key was already used for a different action",
        )
    return Delivery(answer=dict(row.answer), replayed=True)


def apply_once(
    session: Session,
    *,
    clock: Clock,
    key: str,
    actor_id: str,
    request: dict[str, Any],
    act: Callable[[], dict[str, Any]],
) -> Delivery:
    """Run ``act`` unless ``key`` was delivered before; keep and return its answer.

    ``act`` returns the answer to keep (a refusal it can name is an answer
    too, so it returns one rather than raising). An exception from ``act``
    undoes its work and the claim alike: nothing was applied, and the phone may
    try again. Runs in a savepoint, so one action of a batch failing leaves the
    others applied.
    """
    digest = fingerprint(request)
    found = _earlier(session, key, actor_id, digest)
    if found is not None:
        return found
    try:
        with session.begin_nested():
            claim = AppliedAction(
                key=key, actor_id=actor_id, fingerprint=digest, answer={},
                applied_at=clock.now(),
            )
            session.add(claim)
            # Claimed before the effect: a concurrent delivery waits here on PostgreSQL.
            session.flush()
            answer = act()
            claim.answer = answer
            session.flush()
    except IntegrityError:
        found = _earlier(session, key, actor_id, digest)
        if found is None:
            raise
        return found
    return Delivery(answer=answer, replayed=False)


def delivered(session: Session, keys: list[str], actor_id: str) -> dict[str, dict[str, Any]]:
    """The kept answers of those ``keys`` this actor delivered (for a phone's resync)."""
    if not keys:
        return {}
    rows = session.scalars(
        select(AppliedAction).where(
            AppliedAction.key.in_(keys), AppliedAction.actor_id == actor_id
        )
    )
    return {row.key: dict(row.answer) for row in rows}


def forget_older_than(session: Session, before: datetime) -> int:
    """Drop keys applied before ``before``: no phone replays a week-old queue (a job)."""
    from sqlalchemy import delete

    result = session.execute(delete(AppliedAction).where(AppliedAction.applied_at < before))
    return result.rowcount or 0
