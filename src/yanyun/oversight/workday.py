"""The bureau's working day: when it ends for a unit, and which days count.

Pure functions over settings, so the clearing and the tests agree on every
boundary (midnight, a holiday, a unit that closes later than the rest).

A police station and the command centre work every day (全天候值守), so the
default is all seven days. A unit that keeps office hours gets its weekdays
from its org kind or from its own code (the nearest listed ancestor wins), and
only such units follow the public-holiday calendar: a holiday is a day off,
a 调休 working weekend is a working day. A unit that works every day works
holidays too.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Protocol

from yanyun.core.clock import SHANGHAI, as_utc, local_date
from yanyun.oversight.settings import EVERY_DAY, OversightSettings

#: A unit with no working day in the next year is a configuration error; the
#: search for the next working day stops there rather than looping for ever.
_MAX_DAYS_AHEAD = 366


class OrgRef(Protocol):
    """What the calendar needs of an org unit: its materialised path and its kind."""

    path: str
    kind: str


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


def weekdays_of(settings: OversightSettings, unit: OrgRef) -> frozenset[int]:
    """The weekdays (0 = Monday) a unit works: its own code's, else its kind's, else the default.

    >>> from types import SimpleNamespace as U
    >>> s = OversightSettings(working_days_by_kind={"office": [0, 1, 2, 3, 4]},
    ...                       working_days_by_org={"HQ": [0, 1, 2, 3, 4, 5]})
    >>> sorted(weekdays_of(s, U(path="4304/S1", kind="station")))
    [0, 1, 2, 3, 4, 5, 6]
    >>> sorted(weekdays_of(s, U(path="4304/O1", kind="office")))
    [0, 1, 2, 3, 4]
    >>> sorted(weekdays_of(s, U(path="4304/HQ/O2", kind="office")))
    [0, 1, 2, 3, 4, 5]
    """
    for code in reversed(unit.path.split("/")):
        if code in settings.working_days_by_org:
            return frozenset(settings.working_days_by_org[code])
    if unit.kind in settings.working_days_by_kind:
        return frozenset(settings.working_days_by_kind[unit.kind])
    return frozenset(settings.working_days)


def is_working_day(settings: OversightSettings, unit: OrgRef, day: date) -> bool:
    """Whether the clearing runs at this unit on this day.

    >>> from types import SimpleNamespace as U
    >>> station, office = U(path="S1", kind="station"), U(path="O1", kind="office")
    >>> s = OversightSettings(working_days_by_kind={"office": [0, 1, 2, 3, 4]})
    >>> saturday = date(2026, 12, 5)
    >>> is_working_day(s, station, saturday), is_working_day(s, office, saturday)
    (True, False)
    """
    weekdays = weekdays_of(settings, unit)
    if weekdays == EVERY_DAY:
        return True
    calendar = settings.holiday_calendar
    if calendar is not None:
        if day in calendar.workdays:
            return True
        if day in calendar.holidays:
            return False
    return day.weekday() in weekdays


def next_working_day(settings: OversightSettings, unit: OrgRef, day: date) -> date:
    """The first working day at the unit on or after `day` (the day itself if it is one)."""
    for offset in range(_MAX_DAYS_AHEAD):
        candidate = day + timedelta(days=offset)
        if is_working_day(settings, unit, candidate):
            return candidate
    return day


def deadline(settings: OversightSettings, org_path: str, day: date) -> datetime:
    """The instant (UTC) the working day `day` ends at the unit."""
    local = datetime.combine(day, day_end_time(settings, org_path), tzinfo=SHANGHAI)
    return as_utc(local)


def clearing_day(settings: OversightSettings, unit: OrgRef, due_at: datetime) -> date:
    """The working day whose clearing a task due at `due_at` belongs to.

    Due after the day's end, or on a day off, it is cleared on the next working day.
    """
    day = local_date(due_at)
    if as_utc(due_at) > deadline(settings, unit.path, day):
        day += timedelta(days=1)
    return next_working_day(settings, unit, day)


def end_of_working_day(settings: OversightSettings, unit: OrgRef, now: datetime) -> datetime:
    """The default due time of a task given now: the end of this (or the next) working day."""
    return deadline(settings, unit.path, clearing_day(settings, unit, now))
