"""The periodic jobs of supervision: recurring duties, the risk scan, 日清零, delivery.

Each takes `(session, clock, settings)` and returns a count, so the
scheduler runs them (one job each, its own transaction: one failing holds
back no other) and the tests call them directly with a FrozenClock, in the
order of one day (`run_all`). Events from other contexts become tasks
through the event handler (`handlers.py`), not here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from yanyun.core.clock import Clock
from yanyun.core.db import Runtime, session_scope
from yanyun.core.jobs import Job
from yanyun.oversight import notify, risks, service
from yanyun.oversight.settings import OversightSettings


def _recurring(session: Session, clock: Clock, settings: OversightSettings) -> int:
    return service.generate_recurring(session=session, clock=clock, settings=settings)


def _risk_scan(session: Session, clock: Clock, settings: OversightSettings) -> int:
    return risks.scan_overdue(session=session, clock=clock)


def _clearing(session: Session, clock: Clock, settings: OversightSettings) -> int:
    return service.run_clearing(session=session, clock=clock, settings=settings)


def _deliver(session: Session, clock: Clock, settings: OversightSettings) -> int:
    return notify.deliver_due(session=session, clock=clock, settings=settings)[0]


JOBS_IN_ORDER: tuple[tuple[str, Callable[[Session, Clock, OversightSettings], int]], ...] = (
    ("recurring", _recurring),
    ("risk_scan", _risk_scan),
    ("clearing", _clearing),
    ("deliver", _deliver),
)


def run_all(session_scope: Callable[[], Any], clock: Clock, settings: OversightSettings,
            on_error: Callable[[str, Exception], None] | None = None) -> dict[str, int]:
    """Run every job once, each in a session from `session_scope()`; counts by job."""
    counts: dict[str, int] = {}
    for name, job in JOBS_IN_ORDER:
        try:
            with session_scope() as session:
                counts[name] = job(session, clock, settings)
        except Exception as exc:
            if on_error is None:
                raise
            on_error(name, exc)
    return counts


def _every(settings: object) -> float:
    return settings.oversight.job_interval_s  # type: ignore[attr-defined]


def _job(name: str, run: Callable[[Session, Clock, OversightSettings], int]) -> Job:
    def tick(runtime: Runtime) -> int:
        with session_scope(runtime, actor_username="system") as session:
            return run(session, runtime.clock, runtime.settings.oversight)

    return Job(f"oversight.{name}", tick, every_s=_every)


#: Supervision's periodic work, each its own job (one failing holds back no other).
JOBS = [_job(name, run) for name, run in JOBS_IN_ORDER]
