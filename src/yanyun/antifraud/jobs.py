"""Anti-fraud's periodic work: warnings past their deadline become 督办 tasks."""

from __future__ import annotations

from yanyun.antifraud.overdue import flag_overdue
from yanyun.core.db import Runtime, session_scope
from yanyun.core.jobs import Job


def overdue_scan(runtime: Runtime) -> str:
    with session_scope(runtime) as session:
        found = flag_overdue(session=session, clock=runtime.clock,
                             settings=runtime.settings.antifraud)
    return f"{found} overdue warnings"


JOBS = [
    Job("antifraud.overdue_scan", overdue_scan,
        every_s=lambda settings: settings.antifraud.overdue_scan_s,
        description="warnings past their phone or visit deadline become supervised tasks "
        "(督办) through task.requested"),
]
