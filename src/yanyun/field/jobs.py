"""The field's periodic work: forgetting action keys no phone will replay any more."""

from __future__ import annotations

from datetime import timedelta

from yanyun.core import once
from yanyun.core.db import Runtime, session_scope
from yanyun.core.jobs import Job


def forget_old_keys(runtime: Runtime) -> str:
    settings = runtime.settings.field
    with session_scope(runtime) as session:
        before = runtime.clock.now() - timedelta(days=settings.action_keys_kept_days)
        dropped = once.forget_older_than(session, before)
    return f"{dropped} action keys forgotten"


JOBS = [
    Job("field.forget_old_keys", forget_old_keys, every_s=3600.0,
        description="action keys older than FIELD__ACTION_KEYS_KEPT_DAYS are dropped"),
]
