"""反诈宣传: publicity activities a station holds, listed and counted per station and month.

A station's users record their own station's activities; a supervisor sees
(and counts) those of their area. The desk shows them beside the trends: a
district where warnings rise and nobody went out to talk is the one to visit.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.antifraud.grading import load_rules
from yanyun.antifraud.models import PublicityEvent
from yanyun.antifraud.schemas import PublicityCount, PublicityIn, PublicityList, PublicityRead
from yanyun.auth.models import OrgUnit
from yanyun.auth.service import Actor
from yanyun.core.clock import Clock, local_date
from yanyun.core.errors import Invalid
from yanyun.core.ids import new_id
from yanyun.geo.models import Station

MAX_MONTHS = 12


def record(*, session: Session, clock: Clock, actor: Actor, event_in: PublicityIn) -> PublicityRead:
    """Keep one activity of a station in the actor's scope (their own, for a station user)."""
    station = session.get(OrgUnit, event_in.station_code)
    if (station is None or session.get(Station, station.code) is None
            or not actor.sees(station.path)):
        raise Invalid("station_code", "派出所不存在或不在您的管辖范围内",
                      "no such station in your scope")
    today = local_date(clock.now())
    if event_in.held_on > today or (today - event_in.held_on).days > 366:
        raise Invalid("held_on", "日期须在今天及之前一年内",
                      "the day must be today or within a year before")
    known = load_rules().fraud_types
    unknown = [t for t in event_in.fraud_types if t not in known]
    if unknown:
        raise Invalid("fraud_types", f"未知诈骗类型：{'、'.join(unknown)}",
                      f"unknown fraud types: {', '.join(unknown)}")
    row = PublicityEvent(
        id=new_id(clock), station_code=station.code, org_path=station.path,
        held_on=event_in.held_on, place=event_in.place, audience=event_in.audience,
        fraud_types=list(dict.fromkeys(event_in.fraud_types)), note=event_in.note or "",
        recorded_by=actor.username, recorded_at=clock.now(),
    )
    session.add(row)
    session.flush()
    return PublicityRead.model_validate(row, from_attributes=True)


def month_start(months_back: int, today: date) -> date:
    """The first day of the month ``months_back`` before today's.

    >>> month_start(0, date(2026, 3, 15)), month_start(2, date(2026, 1, 5))
    (datetime.date(2026, 3, 1), datetime.date(2025, 11, 1))
    """
    first = today.replace(day=1)
    for _ in range(months_back):
        first = (first - timedelta(days=1)).replace(day=1)
    return first


def listing(*, session: Session, clock: Clock, actor: Actor, months: int,
            limit: int = 200) -> PublicityList:
    """The activities of the last ``months`` months in scope, newest first, and their counts
    per station and month (events, people reached)."""
    if not 1 <= months <= MAX_MONTHS:
        raise Invalid("months", f"月数须在1到{MAX_MONTHS}之间",
                      f"months must be 1 to {MAX_MONTHS}")
    since = month_start(months - 1, local_date(clock.now()))
    stmt = actor.scope(select(PublicityEvent).where(PublicityEvent.held_on >= since),
                       PublicityEvent.org_path)
    rows = session.scalars(stmt.order_by(PublicityEvent.held_on.desc(),
                                         PublicityEvent.id)).all()
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for r in rows:
        key = (r.station_code, f"{r.held_on:%Y-%m}")
        counts[key][0] += 1
        counts[key][1] += r.audience
    return PublicityList(
        since=since,
        events=[PublicityRead.model_validate(r, from_attributes=True) for r in rows[:limit]],
        per_station_month=[PublicityCount(station_code=s, month=m, events=n, audience=a)
                           for (s, m), (n, a) in sorted(counts.items())],
    )
