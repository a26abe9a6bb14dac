"""Trends on the desk: warnings by fraud type and by district over a day, week or month,
each against the period before, in the caller's scope.

Periods are calendar ones in Shanghai time (a day; a week from Monday; a month)
so this week is compared with last week, not with a sliding window. The API
takes one period at a time and refuses a reference day in the future or over
a year back: a request never scans more than two months of warnings.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yanyun.antifraud.grading import load_rules
from yanyun.antifraud.models import FraudWarning
from yanyun.antifraud.schemas import TrendRow, Trends
from yanyun.auth.service import Actor
from yanyun.core.clock import SHANGHAI, Clock, as_utc, local_date
from yanyun.core.errors import Invalid
from yanyun.geo.models import District

PERIODS = {"day": ("日", "day"), "week": ("周", "week"), "month": ("月", "month")}
MAX_DAYS_BACK = 366


def bounds(period: str, on: date) -> tuple[date, date, date]:
    """(previous start, start, end) of the calendar period holding ``on``; end exclusive.

    >>> bounds("week", date(2026, 11, 26))
    (datetime.date(2026, 11, 16), datetime.date(2026, 11, 23), datetime.date(2026, 11, 30))
    >>> bounds("month", date(2026, 3, 31))
    (datetime.date(2026, 2, 1), datetime.date(2026, 3, 1), datetime.date(2026, 4, 1))
    """
    if period == "day":
        return on - timedelta(days=1), on, on + timedelta(days=1)
    if period == "week":
        start = on - timedelta(days=on.weekday())
        return start - timedelta(days=7), start, start + timedelta(days=7)
    start = on.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1)
    return (start - timedelta(days=1)).replace(day=1), start, end


def _utc(day: date) -> datetime:
    return as_utc(datetime.combine(day, time(0), tzinfo=SHANGHAI))


def change_pct(now: int, before: int) -> float | None:
    """The change against the period before, in percent; none when it had no warnings.

    >>> change_pct(12, 10), change_pct(3, 0)
    (20.0, None)
    """
    return round((now - before) * 100.0 / before, 1) if before else None


def _counts(session: Session, actor: Actor, column, since: date, until: date) -> dict[str, int]:
    stmt = (select(column, func.count()).where(FraudWarning.received_at >= _utc(since),
                                               FraudWarning.received_at < _utc(until))
            .group_by(column))
    return {code: n for code, n in session.execute(actor.scope(stmt, FraudWarning.org_path))}


def _rows(now: dict[str, int], before: dict[str, int],
          names: dict[str, tuple[str, str]]) -> list[TrendRow]:
    codes = sorted(set(now) | set(before), key=lambda c: (-now.get(c, 0), c))
    return [TrendRow(code=c, zh=names.get(c, (c, c))[0], en=names.get(c, (c, c))[1],
                     count=now.get(c, 0), previous=before.get(c, 0),
                     change=now.get(c, 0) - before.get(c, 0),
                     change_pct=change_pct(now.get(c, 0), before.get(c, 0))) for c in codes]


def trends(*, session: Session, clock: Clock, actor: Actor, period: str,
           on: date | None = None) -> Trends:
    """Warnings per fraud type and per district in the period holding ``on`` (default today)."""
    today = local_date(clock.now())
    on = on or today
    if on > today or (today - on).days > MAX_DAYS_BACK:
        raise Invalid("on", f"日期须在今天及之前{MAX_DAYS_BACK}天内",
                      f"the day must be today or within {MAX_DAYS_BACK} days before")
    previous, start, end = bounds(period, on)
    kinds = {c: (t.zh, t.en) for c, t in load_rules().fraud_types.items()}
    districts = {d.code: (d.name_zh, d.name_en) for d in session.execute(
        select(District.code, District.name_zh, District.name_en)).all()}
    by_type = _rows(_counts(session, actor, FraudWarning.fraud_type, start, end),
                    _counts(session, actor, FraudWarning.fraud_type, previous, start), kinds)
    by_district = _rows(_counts(session, actor, FraudWarning.district_code, start, end),
                        _counts(session, actor, FraudWarning.district_code, previous, start),
                        districts)
    return Trends(period=period, start=start, end=end - timedelta(days=1),
                  previous_start=previous, previous_end=start - timedelta(days=1),
                  total=sum(r.count for r in by_type),
                  previous_total=sum(r.previous for r in by_type),
                  by_type=by_type, by_district=by_district)
