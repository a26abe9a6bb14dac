"""Months as the yardstick reads them: a month's first and last day, months before, a year ago."""

from __future__ import annotations

import calendar
from datetime import date

from yanyun.core.errors import Invalid


def month_span(month: str) -> tuple[date, date]:
    """First and last day of a month written YYYY-MM."""
    try:
        year, mon = (int(p) for p in month.split("-"))
        first = date(year, mon, 1)
    except ValueError:
        raise Invalid("month", "月份格式应为 YYYY-MM", "month must be YYYY-MM") from None
    return first, date(year, mon, calendar.monthrange(year, mon)[1])


def shift_months(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def last_day(first: date) -> date:
    return date(first.year, first.month, calendar.monthrange(first.year, first.month)[1])


def year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)
