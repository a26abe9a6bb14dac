"""The day's incidents as the commander's wall reads them.

The wall aggregates in the browser: it needs one compact row per incident of
the day (and per incident still open from earlier days) so that each live event
updates one row and the charts are recomputed locally, instead of the page
asking the server for the whole state again.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from yanyun.auth.service import Actor
from yanyun.command import lifecycle, transitions
from yanyun.command.catalogue import Catalogue
from yanyun.command.models import Incident, Unit
from yanyun.core.clock import SHANGHAI, Clock, as_utc, local_date
from yanyun.geo.models import District

ROW_COLUMNS = (
    Incident.id,
    Incident.number,
    Incident.received_at,
    Incident.category_code,
    Incident.priority,
    Incident.district_code,
    Incident.station_code,
    Incident.status,
    Incident.dispatch_target_s,
    Incident.arrival_target_s,
    Incident.dispatched_at,
    Incident.arrived_at,
    Incident.dispatch_breached,
    Incident.arrival_breached,
)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The bureau's calendar day (Asia/Shanghai) as a UTC half-open interval."""
    start = datetime.combine(day, time(0), tzinfo=SHANGHAI)
    return as_utc(start), as_utc(start + timedelta(days=1))


def incident_row(row: Any) -> dict[str, Any]:
    """One incident as the wall keeps it; the live events carry the same fields."""
    received = as_utc(row.received_at)
    return {
        "id": row.id,
        "number": row.number,
        "received_at": received.isoformat(),
        "hour": received.astimezone(SHANGHAI).hour,
        "category_code": row.category_code,
        "priority": row.priority,
        "district_code": row.district_code,
        "station_code": row.station_code,
        "status": row.status,
        "dispatch_target_s": row.dispatch_target_s,
        "arrival_target_s": row.arrival_target_s,
        "dispatch_s": transitions.seconds_after_receipt(row, row.dispatched_at),
        "arrival_s": transitions.seconds_after_receipt(row, row.arrived_at),
        "dispatch_breached": bool(row.dispatch_breached),
        "arrival_breached": bool(row.arrival_breached),
    }


def day_summary(
    *, session: Session, actor: Actor, clock: Clock, catalogue: Catalogue, day: date | None = None
) -> dict[str, Any]:
    """Everything the wall draws for one day, in the caller's scope."""
    today = local_date(clock.now())
    day = day or today
    start, end = day_bounds(day)
    in_day = (Incident.received_at >= start) & (Incident.received_at < end)
    # Incidents still open from earlier days belong on the wall's open list.
    still_open = Incident.status.in_(sorted(lifecycle.OPEN_STATUSES)) & (Incident.received_at < end)
    stmt = actor.scope(select(*ROW_COLUMNS), Incident.org_path).where(
        or_(in_day, still_open) if day == today else in_day
    )
    rows = [incident_row(r) for r in session.execute(stmt.order_by(Incident.received_at))]
    for row in rows:
        row["today"] = start <= datetime.fromisoformat(row["received_at"]) < end

    week_start, week_end = day_bounds(day - timedelta(days=7))
    week_ago = session.execute(
        actor.scope(select(Incident.received_at, Incident.category_code), Incident.org_path).where(
            (Incident.received_at >= week_start) & (Incident.received_at < week_end)
        )
    ).all()
    week_by_hour = [0] * 24
    # Per category and hour, so the wall compares today with last week up to the same hour.
    week_by_category_hour: dict[str, list[int]] = {}
    for received_at, code in week_ago:
        hour = as_utc(received_at).astimezone(SHANGHAI).hour
        week_by_hour[hour] += 1
        week_by_category_hour.setdefault(code, [0] * 24)[hour] += 1

    unit_status = dict(
        session.execute(actor.scope(select(Unit.id, Unit.status), Unit.org_path)).all()
    )
    districts = [
        {"code": d.code, "name_zh": d.name_zh, "name_en": d.name_en}
        for d in session.scalars(select(District).order_by(District.code))
    ]
    return {
        "day": day.isoformat(),
        "is_today": day == today,
        "generated_at": as_utc(clock.now()).isoformat(),
        "scope": actor.org_path,
        "districts": districts,
        "categories": [
            {"code": c.code, "label_zh": c.label_zh, "label_en": c.label_en}
            for c in catalogue.categories
        ],
        "incidents": rows,
        "week_ago": {
            "day": (day - timedelta(days=7)).isoformat(),
            "total": len(week_ago),
            "by_hour": week_by_hour,
            "by_category": dict(Counter(code for _, code in week_ago)),
            "by_category_hour": week_by_category_hour,
        },
        "unit_status": unit_status,
    }
