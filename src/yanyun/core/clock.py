"""One injectable clock: nothing else in yanyun reads wall time.

The simulator and the tests replay exactly because every "now" comes from here.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Clock(Protocol):
    def now(self) -> datetime:
        """Return the current time, timezone-aware, in UTC."""
        ...


class SystemClock:
    """Wall time, for production."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ShiftedClock:
    """Wall time that started at a chosen instant and runs at the real rate.

    For a demo replayed on a given day and for the browser tests, whose
    server must see the same date whatever the calendar says, while the
    1-3-5 clocks and the jobs still see time pass.
    """

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ShiftedClock needs a timezone-aware start")
        self._start = start.astimezone(UTC)
        self._started = time.monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._started)


class FrozenClock:
    """A clock that moves only when told to, for tests and the simulator.

    Thread-safe because the web server and a test may read it from different
    threads.
    """

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FrozenClock needs a timezone-aware start")
        self._now = start.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta | float) -> datetime:
        """Move forward by a timedelta or a number of seconds."""
        step = delta if isinstance(delta, timedelta) else timedelta(seconds=delta)
        if step < timedelta(0):
            raise ValueError("a clock does not run backwards")
        with self._lock:
            self._now += step
            return self._now

    def set(self, when: datetime) -> None:
        if when.tzinfo is None:
            raise ValueError("FrozenClock needs timezone-aware times")
        with self._lock:
            self._now = when.astimezone(UTC)


def as_utc(value: datetime) -> datetime:
    """Normalise a stored datetime to aware UTC.

    SQLite hands timestamps back naive; they were stored in UTC.
    """
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def local_date(value: datetime):
    """The calendar date of an instant in Asia/Shanghai, the bureau's day."""
    return as_utc(value).astimezone(SHANGHAI).date()
