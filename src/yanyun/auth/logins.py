"""Logins: a password checked without holding the database, and guessing throttled fairly.

A login takes three steps. A short write counts the recent failures and
claims an attempt (counted as failed until proven otherwise), so parallel
guesses cannot all slip under the limit; the slow password hash runs outside
any transaction, so other users' writes never wait behind it; a second short
write marks the attempt good and issues the token.

Failures are counted per user name *from one client* and per client over all
names. A stranger guessing at `dispatcher` locks out only themselves, not the
dispatcher at their desk, and one client cannot try sixty names either.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from yanyun.auth.models import AuthToken, LoginAttempt, User
from yanyun.auth.service import DUMMY_HASH, hasher, token_digest
from yanyun.auth.settings import AuthSettings
from yanyun.core import audit
from yanyun.core.clock import Clock, as_utc
from yanyun.core.db import Runtime, session_scope
from yanyun.core.errors import Throttled, Unauthenticated
from yanyun.core.ids import new_id


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime
    user: User


def _take_turn(session: Session, client: str) -> None:
    """One login attempt per client at a time (SQLite's writer is already one at a time)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                        {"key": f"yanyun-login:{client}"})


def _throttled(retry_after: int) -> Throttled:
    retry_after = max(retry_after, 1)
    return Throttled(
        f"登录失败次数过多，请{retry_after}秒后再试",
        f"too many failed logins; try again in {retry_after} s",
        retry_after_s=retry_after,
    )


def _refuse_if_throttled(
    session: Session, clock: Clock, settings: AuthSettings, username: str, client: str
) -> None:
    now = clock.now()
    window_start = now - timedelta(seconds=settings.failed_login_window_s)
    recent = session.scalars(
        select(LoginAttempt)
        .where(LoginAttempt.client == client, LoginAttempt.username == username,
               LoginAttempt.at >= window_start)
        .order_by(LoginAttempt.at.desc(), LoginAttempt.id.desc())
    ).all()
    failures = []
    for attempt in recent:
        if attempt.succeeded:
            break
        failures.append(attempt)
    if len(failures) >= settings.max_failed_logins:
        oldest = as_utc(failures[settings.max_failed_logins - 1].at)
        raise _throttled(int((oldest - window_start).total_seconds()) + 1)
    failed = session.execute(
        select(func.count(), func.min(LoginAttempt.at))
        .where(LoginAttempt.client == client, LoginAttempt.at >= window_start,
               LoginAttempt.succeeded.is_(False))
    ).one()
    if failed[0] >= settings.max_failed_logins_per_client:
        raise _throttled(int((as_utc(failed[1]) - window_start).total_seconds()) + 1)


def _claim_attempt(
    runtime: Runtime, settings: AuthSettings, username: str, client: str
) -> tuple[str, User | None]:
    """Step 1: refuse a throttled caller, else record the attempt as failed for now."""
    clock = runtime.clock
    with session_scope(runtime) as session:
        _take_turn(session, client)
        _refuse_if_throttled(session, clock, settings, username, client)
        attempt_id = new_id(clock)
        session.add(LoginAttempt(id=attempt_id, username=username, at=clock.now(),
                                 succeeded=False, client=client))
        user = session.scalar(select(User).where(User.username == username))
        if user is not None:
            session.expunge(user)
    return attempt_id, user


def _password_ok(user: User | None, password: str) -> bool:
    """Step 2, outside any transaction: unknown names cost the same time as known ones."""
    try:
        ok = hasher.verify(user.password_hash if user else DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        ok = False
    return ok and user is not None and user.active


def login(
    *, runtime: Runtime, settings: AuthSettings, username: str, password: str, client: str | None
) -> IssuedToken:
    """Check a password and issue a token."""
    client = (client or "unknown")[:64]
    attempt_id, user = _claim_attempt(runtime, settings, username, client)
    if not _password_ok(user, password):
        raise Unauthenticated("用户名或密码错误", "wrong user name or password")
    assert user is not None
    clock = runtime.clock
    with session_scope(runtime) as session:
        now = clock.now()
        attempt = session.get(LoginAttempt, attempt_id)
        if attempt is not None:
            attempt.succeeded = True
        token = secrets.token_urlsafe(32)
        expires_at = now + timedelta(seconds=settings.token_ttl_s)
        session.add(AuthToken(
            token_hash=token_digest(token),
            user_id=user.id,
            issued_at=now,
            expires_at=expires_at,
            revoked_at=None,
        ))
        session.info.update(
            actor_id=user.id,
            actor_username=user.username,
            actor_role=user.roles[0] if user.roles else None,
        )
        audit.record(
            session, clock=clock, action="login", resource_type="app_user", resource_id=user.id
        )
    return IssuedToken(token=token, expires_at=expires_at, user=user)
