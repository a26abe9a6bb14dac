"""The yardstick's figures for a city, district or station: this period, a year ago, before.

Counts and shares come from the daily figures (a few thousand rows for two
years of a station), satisfaction from the answered callbacks. Every figure
says which records made it: the same filter lists them (`records`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yanyun.auth.service import Actor
from yanyun.command.models import Incident
from yanyun.core.clock import local_date
from yanyun.core.errors import Invalid
from yanyun.geo.models import District, Station
from yanyun.yardstick import outcomes
from yanyun.yardstick.aggregates import day_bounds
from yanyun.yardstick.definitions import Indicator, Yardstick
from yanyun.yardstick.models import Callback, DailyFigure, SafetySurvey
from yanyun.yardstick.periods import last_day, shift_months, year_before

#: Sums kept per figure: (numerator, denominator); a count has no denominator.
Sums = tuple[float, float]


@dataclass(frozen=True)
class Place:
    """Where the yardstick is read: the city (code None), a district or a station."""

    code: str | None
    level: str  # city, district, station
    name_zh: str
    name_en: str


@dataclass
class Reading:
    indicator: Indicator
    value: float | None
    last_year: float | None
    previous: float | None
    records: int
    months: list[tuple[str, float | None]] = field(default_factory=list)
    units: list[dict] = field(default_factory=list)

    @staticmethod
    def change(now: float | None, before: float | None) -> float | None:
        if now is None or before is None or before == 0:
            return None
        return (now - before) / before

    @property
    def yoy(self) -> float | None:
        return self.change(self.value, self.last_year)

    @property
    def pop(self) -> float | None:
        return self.change(self.value, self.previous)

    @property
    def better(self) -> bool | None:
        """Whether it moved the good way year on year (None: no comparison)."""
        if self.value is None or self.last_year is None or self.value == self.last_year:
            return None
        return (self.value < self.last_year) == (self.indicator.good == "down")


def place_of(session: Session, code: str | None) -> Place:
    if not code:
        return Place(None, "city", "全市", "City")
    station = session.get(Station, code)
    if station is not None:
        return Place(code, "station", station.name_zh, station.name_en)
    district = session.get(District, code)
    if district is not None:
        return Place(code, "district", district.name_zh, district.name_en)
    raise Invalid("org", f"未知单位：{code}", f"unknown district or station: {code}")


#: Positions of the kept sums in a window row, and each measure's (numerator, denominator).
_SUMS = ("received", "arrived", "arrived_within", "arrival_s_sum", "dispatch_breached")
_MEASURE_SUMS = {
    "count": (0, None),
    "within_target": (2, 1),
    "mean_arrival_s": (3, 1),
    "dispatch_breach": (4, 0),
}


def _window(
    session: Session, actor: Actor, place: Place, first: date, last: date, by: str,
    cache: dict | None,
) -> list[tuple]:
    """The place's figures over a window, summed per (bucket, category, sub-category): one
    query serves every incident indicator (the bucket is the unit below, or the month)."""
    key = (place.code, first, last, by)
    if cache is not None and key in cache:
        return cache[key]
    unit_column = DailyFigure.station_code if place.level != "city" else DailyFigure.district_code
    bucket = DailyFigure.day if by == "month" else unit_column
    stmt = select(bucket, DailyFigure.category_code, DailyFigure.sub_code,
                  *(func.sum(getattr(DailyFigure, s)) for s in _SUMS))
    stmt = actor.scope(stmt, DailyFigure.org_path).where(DailyFigure.day.between(first, last))
    if place.level == "district":
        stmt = stmt.where(DailyFigure.district_code == place.code)
    elif place.level == "station":
        stmt = stmt.where(DailyFigure.station_code == place.code)
    stmt = stmt.group_by(bucket, DailyFigure.category_code, DailyFigure.sub_code)
    rows = [
        ((f"{r[0]:%Y-%m}",) if by == "month" else (r[0],), r[1], r[2],
         *(float(v or 0) for v in r[3:]))
        for r in session.execute(stmt)
    ]
    if cache is not None:
        cache[key] = rows
    return rows


def sums_by(
    session: Session, actor: Actor, indicator: Indicator, place: Place, first: date, last: date,
    by: str, cache: dict | None = None,
) -> dict[tuple, Sums]:
    """Sums per (month,) or (unit,) over first..last: the building block of every figure."""
    if indicator.measure == "satisfaction":
        return _satisfaction_by(session, actor, place, first, last, by)
    if indicator.measure == "safety":
        return _safety_by(session, actor, place, first, last, by)
    if indicator.measure in outcomes.MEASURES:
        return outcomes.sums_by(session, actor, indicator.measure, place, first, last, by)
    top, bottom = _MEASURE_SUMS[indicator.measure]
    cats, subs = set(indicator.categories), set(indicator.subs)
    out: dict[tuple, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for bucket, category, sub, *sums in _window(session, actor, place, first, last, by, cache):
        if indicator.counts_incidents and category not in cats and sub not in subs:
            continue
        out[bucket][0] += sums[top]
        out[bucket][1] += sums[bottom] if bottom is not None else 1.0
    return {k: (v[0], v[1]) for k, v in out.items()}


def _satisfaction_by(
    session: Session, actor: Actor, place: Place, first: date, last: date, by: str
) -> dict[tuple, Sums]:
    start, end = day_bounds(first, last)
    stmt = actor.scope(select(Callback), Callback.org_path).where(
        Callback.status == "answered", Callback.answered_at >= start, Callback.answered_at < end
    )
    if place.level == "station":
        stmt = stmt.where(Callback.station_code == place.code)
    elif place.level == "district":
        stmt = stmt.where(Callback.org_path.contains(f"/{place.code}/", autoescape=True)
                          | Callback.org_path.endswith(f"/{place.code}"))
    out: dict[tuple, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for c in session.scalars(stmt):
        unit = c.station_code if place.level != "city" else c.org_path.split("/")[1]
        bucket = (f"{local_date(c.answered_at):%Y-%m}",) if by == "month" else (unit,)
        out[bucket][0] += 1.0 if c.result in ("satisfied", "fair") else 0.0
        out[bucket][1] += 1.0
    return {k: (v[0], v[1]) for k, v in out.items()}


def _quarter(day: date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def _safety_by(
    session: Session, actor: Actor, place: Place, first: date, last: date, by: str
) -> dict[tuple, Sums]:
    """Surveys of the quarters the period touches, weighted by respondents; a station reads
    its district's survey (surveys are per district)."""
    months = []
    cursor = date(first.year, first.month, 1)
    while cursor <= last:
        months.append(cursor)
        cursor = shift_months(cursor, 1)
    quarters = sorted({_quarter(m) for m in months})
    stmt = actor.scope(select(SafetySurvey), SafetySurvey.org_path).where(
        SafetySurvey.quarter.in_(quarters))
    if place.level == "district":
        stmt = stmt.where(SafetySurvey.district_code == place.code)
    elif place.level == "station":
        station = session.get(Station, place.code)
        stmt = stmt.where(SafetySurvey.district_code == (station.district_code if station else ""))
    surveys = list(session.scalars(stmt))
    out: dict[tuple, list[float]] = defaultdict(lambda: [0.0, 0.0])
    if by == "month":
        for m in months:
            for s in surveys:
                if s.quarter == _quarter(m):
                    out[(f"{m:%Y-%m}",)][0] += s.safe_share * s.respondents
                    out[(f"{m:%Y-%m}",)][1] += s.respondents
    elif place.level == "city":
        for s in surveys:
            out[(s.district_code,)][0] += s.safe_share * s.respondents
            out[(s.district_code,)][1] += s.respondents
    else:
        for s in surveys:
            out[(place.code,)][0] += s.safe_share * s.respondents
            out[(place.code,)][1] += s.respondents
    return {k: (v[0], v[1]) for k, v in out.items()}


def value_of(indicator: Indicator, sums: Sums | None) -> float | None:
    if sums is None:
        return 0.0 if indicator.measure == "count" or indicator.measure in outcomes.MEASURES \
            else None
    num, den = sums
    if indicator.measure == "count" or indicator.measure in outcomes.MEASURES:
        return num
    return num / den if den else None


def _total(parts: dict[tuple, Sums]) -> Sums | None:
    if not parts:
        return None
    return (sum(v[0] for v in parts.values()), sum(v[1] for v in parts.values()))


def read(
    session: Session, actor: Actor, yardstick: Yardstick, place: Place, first: date, last: date
) -> list[Reading]:
    """Every indicator for the place over first..last, a year before, the period before,
    with twelve months of history and the units below ranked."""
    span_days = (last - first).days + 1
    prev_last = first - timedelta(days=1)
    prev_first = prev_last - timedelta(days=span_days - 1)
    year_first, year_last = year_before(first), year_before(last)
    spark_first = shift_months(date(first.year, first.month, 1), -11)
    readings = []
    cache: dict = {}  # each window read once for every indicator
    for indicator in yardstick.indicators:
        now_parts = sums_by(session, actor, indicator, place, first, last, "unit", cache)
        last_year = sums_by(session, actor, indicator, place, year_first, year_last, "unit",
                            cache)
        before = sums_by(session, actor, indicator, place, prev_first, prev_last, "unit", cache)
        months = sums_by(session, actor, indicator, place, spark_first, last_day(first),
                         "month", cache)
        total = _total(now_parts)
        reading = Reading(
            indicator=indicator,
            value=value_of(indicator, total),
            last_year=value_of(indicator, _total(last_year)),
            previous=value_of(indicator, _total(before)),
            records=_records_count(indicator, total),
        )
        for i in range(12):
            m = f"{shift_months(spark_first, i):%Y-%m}"
            reading.months.append((m, value_of(indicator, months.get((m,)))))
        reading.units = _ranked_units(indicator, now_parts, last_year)
        readings.append(reading)
    return readings


def _records_count(indicator: Indicator, total: Sums | None) -> int:
    """How many records made the figure (cases, warnings, incidents, answers)."""
    if total is None:
        return 0
    if indicator.measure in ("count", "cases_solved", "fraud_warnings", "fraud_dissuaded"):
        return int(total[0])
    if indicator.measure in outcomes.MEASURES:
        return 0  # a sum (people, yuan): its records are the cases or warnings themselves
    return int(total[1])


def _ranked_units(
    indicator: Indicator, now: dict[tuple, Sums], before: dict[tuple, Sums]
) -> list[dict]:
    units = []
    for key in sorted(set(now) | set(before)):
        value = value_of(indicator, now.get(key))
        was = value_of(indicator, before.get(key))
        units.append({"code": key[0], "value": value, "last_year": was,
                      "yoy": Reading.change(value, was)})
    sign = 1 if indicator.good == "down" else -1
    units.sort(key=lambda u: (u["yoy"] is None, sign * (u["yoy"] or 0.0), u["code"]))
    for rank, unit in enumerate(units, start=1):
        unit["rank"] = rank
    return units


def records(
    session: Session, actor: Actor, indicator: Indicator, place: Place, first: date, last: date,
    *, limit: int, offset: int,
) -> tuple[int, list[Incident]]:
    """The incidents an incident-based figure counted (total, and one page of them)."""
    if indicator.measure in ("satisfaction", "safety") or indicator.measure in outcomes.MEASURES:
        raise Invalid("indicator", "该指标的记录为回访结果或导入的测评",
                      "this figure's records are the answered callbacks or imported surveys")
    start, end = day_bounds(first, last)
    stmt = actor.scope(select(Incident), Incident.org_path).where(
        Incident.received_at >= start, Incident.received_at < end,
        Incident.merged_into_id.is_(None),
    )
    if place.level == "district":
        stmt = stmt.where(Incident.district_code == place.code)
    elif place.level == "station":
        stmt = stmt.where(Incident.station_code == place.code)
    if indicator.counts_incidents:
        stmt = stmt.where(Incident.category_code.in_(indicator.categories)
                          | Incident.sub_code.in_(indicator.subs))
    elif indicator.measure in ("within_target", "mean_arrival_s"):
        stmt = stmt.where(Incident.arrived_at.is_not(None))
    elif indicator.measure == "dispatch_breach":
        stmt = stmt.where(Incident.dispatch_breached.is_(True))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(Incident.received_at, Incident.id).limit(limit).offset(offset)
    )
    return total, list(rows)
