"""The bureau's working day: when it ends for a unit, and which days count.

Pure functions over settings, so the clearing and the tests agree on every
boundary (midnight, the weekend, a unit that closes later than the rest).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from yanyun.core.clock import SHANGHAI, as_utc, local_date
from yanyun.core.config import OversightSettings


def _hhmm(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def day_end_time(settings: OversightSettings, org_path: str) -> time:
    """The end of the working day at a unit: the nearest ancestor with its own, else the default.

    >>> s = OversightSettings(day_end="18:00", day_end_by_org={"4304": "17:30", "S1": "20:00"})
    >>> day_end_time(s, "4304/D1/S1"), day_end_time(s, "4304/D1/S2"), day_end_time(s, "X")
    (datetime.time(20, 0), datetime.time(17, 30), datetime.time(18, 0))
    """
    for code in reversed(org_path.split("/")):
        if code in settings.day_end_by_org:
            return _hhmm(settings.day_end_by_org[code])
    return _hhmm(settings.day_end)


def is_working_day(settings: OversightSettings, day: date) -> bool:
    """Whether the clearing runs on this day (weekends are off by default).

    >>> is_working_day(OversightSettings(), date(2026, 11, 28))  # a Saturday
    False
    """
    return day.weekday() in settings.working_days


def next_working_day(settings: OversightSettings, day: date) -> date:
    """The first working day on or after `day` (the day itself if it is one)."""
    if not settings.working_days:
        return day
    while not is_working_day(settings, day):
        day += timedelta(days=1)
    return day


def deadline(settings: OversightSettings, org_path: str, day: date) -> datetime:
    """The instant (UTC) the working day `day` ends at the unit."""
    local = datetime.combine(day, day_end_time(settings, org_path), tzinfo=SHANGHAI)
    return as_utc(local)


def clearing_day(settings: OversightSettings, org_path: str, due_at: datetime) -> date:
    """The working day whose clearing a task due at `due_at` belongs to.

    Due after the day's end, or on a day off, it is cleared on the next working day.
    """
    day = local_date(due_at)
    if as_utc(due_at) > deadline(settings, org_path, day):
        day += timedelta(days=1)
    return next_working_day(settings, day)


def end_of_working_day(settings: OversightSettings, org_path: str, now: datetime) -> datetime:
    """The default due time of a task given now: the end of this (or the next) working day."""
    return deadline(settings, org_path, clearing_day(settings, org_path, now))
