"""The desk's figures, computed from the records: warnings, dissuaded, losses stopped."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from yanyun.antifraud.models import FraudWarning
from yanyun.antifraud.schemas import DayFigures, Figures
from yanyun.auth.service import Actor
from yanyun.core.clock import SHANGHAI, Clock, as_utc, local_date


def _day(day: str, rows: list[Any]) -> DayFigures:
    return DayFigures(
        day=day, warnings=len(rows), high=sum(r.grade == "high" for r in rows),
        dissuaded=sum(r.outcome == "dissuaded" for r in rows),
        defrauded=sum(r.outcome == "defrauded" for r in rows),
        stopped_yuan=round(sum(r.stopped_yuan for r in rows), 2),
    )


def half_year(*, session: Session, clock: Clock, actor: Actor) -> DayFigures:
    """This half-year's totals (the seed's 上半年 figures), summed in the database."""
    today = local_date(clock.now())
    start = today.replace(month=1 if today.month <= 6 else 7, day=1)
    since = as_utc(datetime.combine(start, time(0), tzinfo=SHANGHAI))
    counted = select(
        func.count(), func.sum(case((FraudWarning.grade == "high", 1), else_=0)),
        func.sum(case((FraudWarning.outcome == "dissuaded", 1), else_=0)),
        func.sum(case((FraudWarning.outcome == "defrauded", 1), else_=0)),
        func.sum(FraudWarning.stopped_yuan),
    ).where(FraudWarning.received_at >= since)
    n, high, dissuaded, defrauded, stopped = session.execute(
        actor.scope(counted, FraudWarning.org_path)).one()
    return DayFigures(day=f"{start.year}H{1 if start.month == 1 else 2}", warnings=n,
                      high=high or 0, dissuaded=dissuaded or 0, defrauded=defrauded or 0,
                      stopped_yuan=round(stopped or 0.0, 2))


def figures(*, session: Session, clock: Clock, actor: Actor, days: int = 7) -> Figures:
    """Today, the last ``days`` days and this month (Shanghai days), in the actor's scope."""
    today = local_date(clock.now())
    month_start = today.replace(day=1)
    first = min(month_start, today - timedelta(days=days - 1))
    since = as_utc(datetime.combine(first, time(0), tzinfo=SHANGHAI))
    # Plain rows of the columns counted, not ORM objects: at the seed's ~1,650 warnings a
    # day a month is ~50,000 rows, read on every refresh of the desk.
    w = FraudWarning
    stmt = actor.scope(select(w.received_at, w.grade, w.outcome, w.stopped_yuan, w.station_code,
                              w.status, w.overdue_at, w.fraud_type)
                       .where(w.received_at >= since), w.org_path)
    by_day: dict[str, list[Any]] = defaultdict(list)
    for row in session.execute(stmt):
        by_day[local_date(row.received_at).isoformat()].append(row)
    recent = [(today - timedelta(days=n)).isoformat() for n in range(days - 1, -1, -1)]
    month_rows = [r for d, rows in by_day.items() if d >= month_start.isoformat() for r in rows]
    today_rows = by_day.get(today.isoformat(), [])
    stations: dict[str, Counter] = defaultdict(Counter)
    for r in today_rows:
        counts = stations[r.station_code]
        counts["warnings"] += 1
        counts["open"] += r.status != "closed"
        counts["overdue"] += r.overdue_at is not None and r.status != "closed"
        counts["high"] += r.grade == "high"
    types = Counter(r.fraud_type for r in month_rows)
    return Figures(
        now=clock.now(), today=_day(today.isoformat(), today_rows),
        days=[_day(d, by_day.get(d, [])) for d in recent],
        month=_day(month_start.strftime("%Y-%m"), month_rows),
        half_year=half_year(session=session, clock=clock, actor=actor),
        by_station=[{"station_code": code, **dict(c)} for code, c in
                    sorted(stations.items(), key=lambda kv: -kv[1]["open"])],
        by_type=[{"fraud_type": t, "warnings": n} for t, n in types.most_common()],
    )
