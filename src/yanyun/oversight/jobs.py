"""The periodic jobs of supervision, in the order one tick runs them.

Each takes `(session, clock, settings)` and returns a count, so the web
process runs them on a timer and the tests call them directly with a
FrozenClock. Each runs in its own transaction: one failing does not hold
back the others.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from yanyun.core.clock import Clock
from yanyun.core.config import OversightSettings
from yanyun.oversight import consumer, notify, risks, service


def _recurring(session: Session, clock: Clock, settings: OversightSettings) -> int:
    return service.generate_recurring(session=session, clock=clock, settings=settings)


def _risk_scan(session: Session, clock: Clock, settings: OversightSettings) -> int:
    return risks.scan_overdue(session=session, clock=clock)


def _consume(session: Session, clock: Clock, settings: OversightSettings) -> int:
    return consumer.consume_events(session=session, clock=clock, settings=settings)["created"]


def _clearing(session: Session, clock: Clock, settings: OversightSettings) -> int:
    return service.run_clearing(session=session, clock=clock, settings=settings)


def _deliver(session: Session, clock: Clock, settings: OversightSettings) -> int:
    return notify.deliver_due(session=session, clock=clock, settings=settings)[0]


JOBS: tuple[tuple[str, Callable[[Session, Clock, OversightSettings], int]], ...] = (
    ("recurring", _recurring),
    ("risk_scan", _risk_scan),
    ("consume", _consume),
    ("clearing", _clearing),
    ("deliver", _deliver),
)


def run_all(session_scope: Callable[[], Any], clock: Clock, settings: OversightSettings,
            on_error: Callable[[str, Exception], None] | None = None) -> dict[str, int]:
    """Run every job once, each in a session from `session_scope()`; counts by job."""
    counts: dict[str, int] = {}
    for name, job in JOBS:
        try:
            with session_scope() as session:
                counts[name] = job(session, clock, settings)
        except Exception as exc:
            if on_error is None:
                raise
            on_error(name, exc)
    return counts
