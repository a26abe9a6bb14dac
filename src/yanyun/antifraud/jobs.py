"""Anti-fraud's periodic work: warnings past their deadline become 督办 tasks; stop-payment
requests go to the bank (retried)."""

from __future__ import annotations

from yanyun.antifraud.bank import send_due
from yanyun.antifraud.overdue import flag_overdue
from yanyun.core.db import Runtime, session_scope
from yanyun.core.jobs import Job


def overdue_scan(runtime: Runtime) -> str:
    with session_scope(runtime) as session:
        found = flag_overdue(session=session, clock=runtime.clock,
                             settings=runtime.settings.antifraud)
    return f"{found} overdue warnings"


def bank_send(runtime: Runtime) -> str:
    counts = send_due(runtime)
    return ", ".join(f"{n} {state}" for state, n in sorted(counts.items())) or "nothing due"


JOBS = [
    Job("antifraud.overdue_scan", overdue_scan,
        every_s=lambda settings: settings.antifraud.overdue_scan_s,
        description="warnings past their phone or visit deadline become supervised tasks "
        "(督办) through task.requested"),
    Job("antifraud.bank_send", bank_send,
        every_s=lambda settings: settings.antifraud.bank_send_s, lease_s=300.0,
        description="stop-payment requests (止付冻结) are sent to the bank's webhook, retried "
        "with a doubling wait, failed after bank_max_attempts"),
]
