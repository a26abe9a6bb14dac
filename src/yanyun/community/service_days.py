"""Enterprise service days (企业服务日): the 20th of every month, planned then reported."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.auth.scope import visible
from yanyun.auth.service import Actor
from yanyun.community.models import Enterprise, EnterpriseVisit, ServiceDay
from yanyun.community.places import station_name_zh
from yanyun.community.schemas import ServiceDayCreate, ServiceDayRead
from yanyun.core import events
from yanyun.core.clock import Clock, local_date
from yanyun.core.errors import Conflict, Invalid, NotFound
from yanyun.core.ids import new_id
from yanyun.events.community import ServiceDayReported
from yanyun.geo.models import Station
from yanyun.geo.service import CityIndex

SERVICE_DAY = 20  # 企业服务日: the 20th of every month


def next_service_day(today: date) -> date:
    """The next 20th on or after `today`.

    >>> next_service_day(date(2026, 11, 23)), next_service_day(date(2026, 12, 20))
    (datetime.date(2026, 12, 20), datetime.date(2026, 12, 20))
    """
    if today.day <= SERVICE_DAY:
        return today.replace(day=SERVICE_DAY)
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return date(year, month, SERVICE_DAY)


def plan_service_day(
    *, session: Session, clock: Clock, actor: Actor, day_in: ServiceDayCreate
) -> ServiceDay:
    """Schedule a station's enterprise service day (always a 20th) and whom it will visit."""
    station = session.get(Station, day_in.station_code)
    if station is None:
        raise Invalid("station_code", "派出所不存在", "no such station")
    enterprises = list(
        session.scalars(select(Enterprise).where(Enterprise.station_code == station.code))
    )
    org_path = enterprises[0].org_path.rsplit("/", 1)[0] if enterprises else ""
    if not org_path:
        raise Invalid(
            "station_code", "该派出所辖区没有登记企业", "the station has no registered enterprise"
        )
    if not actor.sees(org_path):
        raise NotFound("station", station.code)
    day = day_in.day or next_service_day(local_date(clock.now()))
    if day.day != SERVICE_DAY:
        raise Invalid("day", "企业服务日为每月20日", "the enterprise service day is the 20th")
    known = {e.id for e in enterprises}
    planned = day_in.enterprise_ids or sorted(known)
    stray = [i for i in planned if i not in known]
    if stray:
        raise Invalid(
            "enterprise_ids",
            f"企业不在该派出所辖区：{', '.join(stray[:3])}",
            f"enterprises not in the station's area: {', '.join(stray[:3])}",
        )
    if session.scalar(
        select(ServiceDay.id).where(ServiceDay.station_code == station.code, ServiceDay.day == day)
    ):
        raise Conflict("该服务日已安排", "that service day is already planned")
    row = ServiceDay(
        id=new_id(clock),
        station_code=station.code,
        org_path=org_path,
        day=day,
        status="planned",
        planned_enterprises=planned,
    )
    session.add(row)
    session.flush()
    return row


def report_service_day(
    *, session: Session, clock: Clock, actor: Actor, day_id: str, report: str
) -> ServiceDay:
    """Report a service day once it has come: what was done, visits counted from records."""
    row = visible(session, ServiceDay, day_id, actor, what="service_day")
    if row.status == "reported":
        raise Conflict("服务日已上报", "the service day is already reported")
    if local_date(clock.now()) < row.day:
        raise Conflict("服务日尚未到来，不能上报", "the service day has not come yet")
    row.status = "reported"
    row.report = report
    row.reported_at = clock.now()
    events.publish(
        session,
        ServiceDayReported(station_code=row.station_code, day=row.day.isoformat()),
        clock=clock,
        resource_id=row.id,
        org_path=row.org_path,
    )
    return row


def service_day_read(
    session: Session, row: ServiceDay, city: CityIndex | None = None
) -> ServiceDayRead:
    """A service day with its visits and issues counted from the visit records."""
    visits = list(
        session.scalars(select(EnterpriseVisit).where(EnterpriseVisit.service_day_id == row.id))
    )
    issues = [i for v in visits for i in v.issues]
    return ServiceDayRead.model_validate(row).model_copy(
        update={
            "station_name_zh": station_name_zh(city, row.station_code) if city else None,
            "visits": len(visits),
            "issues": len(issues),
            "issues_resolved": sum(1 for i in issues if i.get("resolved")),
        }
    )


def list_service_days(
    *,
    session: Session,
    actor: Actor,
    city: CityIndex | None = None,
    station_code: str | None = None,
    limit: int = 50,
) -> list[ServiceDayRead]:
    """Service days in the actor's area, latest first, named from `city` when given."""
    stmt = actor.scope(select(ServiceDay), ServiceDay.org_path)
    if station_code:
        stmt = stmt.where(ServiceDay.station_code == station_code)
    rows = session.scalars(
        stmt.order_by(ServiceDay.day.desc(), ServiceDay.station_code).limit(limit)
    )
    return [service_day_read(session, r, city) for r in rows]
