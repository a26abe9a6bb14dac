"""Daily figures kept equal to the incident rows: recounted per station-day, checked whole.

An incident event names its station and the instant it was received; the
station's figures of that bureau day are counted again from the rows in the
event's transaction. A recount is exact whatever the event was (a new call, an
arrival, a merge), so the figures cannot drift from the records; `verify`
proves it over any range, and `rebuild` fills them for rows that came without
events (an import, the demo's history).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from yanyun.command.models import Incident
from yanyun.core.clock import SHANGHAI, as_utc, local_date
from yanyun.yardstick.models import DailyFigure

_COUNTED = ("received", "arrived", "arrived_within", "arrival_s_sum", "dispatch_breached")


def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """The instants bounding bureau days first..last (inclusive), in Asia/Shanghai."""
    start = datetime.combine(first, time.min, SHANGHAI)
    end = datetime.combine(last + timedelta(days=1), time.min, SHANGHAI)
    return start, end


def _incident_rows(session: Session, start: datetime, end: datetime, station: str | None):
    stmt = select(
        Incident.received_at, Incident.station_code, Incident.district_code, Incident.org_path,
        Incident.category_code, Incident.sub_code, Incident.arrived_at,
        Incident.arrival_target_s, Incident.dispatch_breached,
    ).where(
        Incident.received_at >= start, Incident.received_at < end,
        Incident.merged_into_id.is_(None),  # a merged duplicate is the same event
    )
    if station is not None:
        stmt = stmt.where(Incident.station_code == station)
    return session.execute(stmt.execution_options(yield_per=20_000))


def count_rows(rows: Iterable) -> dict[tuple, dict]:
    """Figures per (day, station, sub-category) from incident rows."""
    figures: dict[tuple, dict] = defaultdict(lambda: dict.fromkeys(_COUNTED, 0))
    for r in rows:
        sub = r.sub_code or f"{r.category_code}00"
        key = (local_date(r.received_at), r.station_code, sub)
        f = figures[key]
        if "org_path" not in f:
            f.update(category_code=r.category_code, district_code=r.district_code,
                     org_path="/".join(r.org_path.split("/")[:3]))
        f["received"] += 1
        f["dispatch_breached"] += 1 if r.dispatch_breached else 0
        if r.arrived_at is not None:
            took = (as_utc(r.arrived_at) - as_utc(r.received_at)).total_seconds()
            f["arrived"] += 1
            f["arrival_s_sum"] += took
            f["arrived_within"] += 1 if took <= r.arrival_target_s else 0
    return figures


def _store(session: Session, figures: dict[tuple, dict]) -> int:
    rows = [
        {"day": day, "station_code": station, "sub_code": sub, **f}
        for (day, station, sub), f in figures.items()
    ]
    for start in range(0, len(rows), 5_000):
        session.execute(insert(DailyFigure), rows[start:start + 5_000])
    return len(rows)


def recount_station_day(session: Session, station_code: str, day: date) -> int:
    """Count one station's day again from its incidents; the figure rows written."""
    session.execute(
        delete(DailyFigure).where(DailyFigure.day == day, DailyFigure.station_code == station_code)
    )
    start, end = day_bounds(day, day)
    return _store(session, count_rows(_incident_rows(session, start, end, station_code)))


def rebuild(session: Session, first: date, last: date) -> int:
    """Count every station's days first..last again from the rows; the figure rows written."""
    session.execute(delete(DailyFigure).where(DailyFigure.day.between(first, last)))
    start, end = day_bounds(first, last)
    return _store(session, count_rows(_incident_rows(session, start, end, None)))


def verify(session: Session, first: date, last: date) -> list[dict]:
    """Where the kept figures differ from a recount of the rows (empty when they agree)."""
    start, end = day_bounds(first, last)
    recounted = count_rows(_incident_rows(session, start, end, None))
    kept = {
        (r.day, r.station_code, r.sub_code): {k: getattr(r, k) for k in _COUNTED}
        for r in session.scalars(select(DailyFigure).where(DailyFigure.day.between(first, last)))
    }
    differences = []
    for key in sorted(set(recounted) | set(kept), key=str):
        want = {k: recounted[key][k] for k in _COUNTED} if key in recounted else None
        have = kept.get(key)
        if want is None or have is None or any(
            abs(float(want[k]) - float(have[k])) > 1e-6 for k in _COUNTED
        ):
            differences.append({"key": [str(p) for p in key], "rows": want, "kept": have})
    return differences
