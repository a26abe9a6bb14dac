"""The field's periodic work: texting crews whose app is closed, forgetting old keys."""

from __future__ import annotations

from datetime import timedelta

from yanyun.core import once
from yanyun.core.db import Runtime, session_scope
from yanyun.core.jobs import Job
from yanyun.field import texts
from yanyun.field.tracks import flush_tracks, track_upkeep


def forget_old_keys(runtime: Runtime) -> str:
    settings = runtime.settings.field
    with session_scope(runtime) as session:
        before = runtime.clock.now() - timedelta(days=settings.action_keys_kept_days)
        dropped = once.forget_older_than(session, before)
    return f"{dropped} action keys forgotten"


def text_unacknowledged(runtime: Runtime) -> str:
    with session_scope(runtime) as session:
        sent = texts.text_unacknowledged(
            session=session, clock=runtime.clock, settings=runtime.settings.field,
            oversight=runtime.settings.oversight,
        )
    return f"{sent} dispatch texts queued"


JOBS = [
    Job("field.text_unacknowledged", text_unacknowledged,
        every_s=lambda settings: settings.field.text_scan_s,
        description="a dispatch unacknowledged after FIELD__TEXT_AFTER_S to a crew whose app "
        "is closed is texted once (SMS link)"),
    Job("field.flush_tracks", flush_tracks,
        every_s=lambda settings: settings.field.track_flush_s,
        description="units' fixes gathered in this process appended to the data pool "
        "(unit_tracks)"),
    Job("field.track_upkeep", track_upkeep, every_s=3600.0, at_start=False,
        lease_s=3 * 3600,
        description="a finished day of units' tracks rewritten into one sorted file; days "
        "older than FIELD__TRACK_KEPT_DAYS deleted"),
    Job("field.forget_old_keys", forget_old_keys, every_s=3600.0,
        description="action keys older than FIELD__ACTION_KEYS_KEPT_DAYS are dropped"),
]
