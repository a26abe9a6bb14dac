"""Duty's periodic work: at each shift change, announce which units are crewed and by whom."""

from __future__ import annotations

from typing import Any

from yanyun.core.db import read_session, session_scope
from yanyun.core.jobs import Job
from yanyun.duty import service


def shift_changes(runtime: Any) -> tuple[int, int]:
    """Apply shift starts and ends due now; command's crewing handler follows the events.

    Checked first in a read session, so a run with nothing to change (most of
    them, every few seconds) never holds SQLite's one writer.
    """
    with read_session(runtime) as session:
        if not service.shift_changes_due(session, runtime.clock):
            return 0, 0
    with session_scope(runtime, actor_username="system") as session:
        return service.apply_shift_changes(session, runtime.clock)


def _every(settings: Any) -> float:
    return settings.duty.shift_check_s


JOBS = [Job("duty.shift_changes", shift_changes, every_s=_every,
            description="shift starts and ends crew and uncrew the units (duty.crews_changed)")]
