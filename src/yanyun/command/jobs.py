"""Command's periodic work: flag 1-3-5 deadlines that pass with nothing done."""

from __future__ import annotations

from typing import Any

from yanyun.command import breaches
from yanyun.core.db import Runtime, session_scope
from yanyun.core.jobs import Job


def scan_breaches(runtime: Runtime) -> int:
    """One pass over open incidents; each missed target is announced once (a row lock guards)."""
    with session_scope(runtime, actor_username="system") as session:
        return breaches.scan_breaches(session=session, clock=runtime.clock)


def _every(settings: Any) -> float:
    return settings.command.breach_scan_s


JOBS = [Job("command.breach_scan", scan_breaches, every_s=_every,
            description="1-3-5 deadlines passed with nothing done become incident.breach")]
