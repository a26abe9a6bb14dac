"""The volunteer organisation: 总队 / 支队 / 大队 / 中队, with head counts and rally points."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yanyun.auth.service import Actor
from yanyun.community.models import RallyPoint, Volunteer, VolunteerUnit
from yanyun.community.volunteer_schemas import UnitRead


def organisation(*, session: Session, actor: Actor, parent_id: str | None) -> list[UnitRead]:
    """One level of the volunteer organisation with head counts, under `parent_id`."""
    stmt = select(VolunteerUnit).order_by(VolunteerUnit.id)
    stmt = stmt.where(
        VolunteerUnit.parent_id == parent_id if parent_id else VolunteerUnit.parent_id.is_(None)
    )
    units = [u for u in session.scalars(stmt) if _unit_visible(actor, u)]
    if not units:
        return []
    ids = [u.id for u in units]
    children = _count_per(session, VolunteerUnit.parent_id, ids)
    points = _count_per(session, RallyPoint.unit_id, ids)
    counts = _head_counts(session, units)
    return [
        UnitRead(
            id=u.id,
            level=u.level,
            parent_id=u.parent_id,
            name_zh=u.name_zh,
            name_en=u.name_en,
            station_code=u.station_code,
            volunteers=int(counts.get(u.id, 0)),
            children=int(children.get(u.id, 0)),
            rally_points=int(points.get(u.id, 0)),
        )
        for u in units
    ]


def _unit_visible(actor: Actor, unit: VolunteerUnit) -> bool:
    # Upper levels are visible to everyone below them: a station sees its city corps.
    return actor.sees(unit.org_path) or (actor.org_path or "").startswith(unit.org_path)


def _count_per(session: Session, key: Any, ids: list[str]) -> dict[str, int]:
    """Rows per value of `key` among `ids`, in one grouped query."""
    return dict(
        session.execute(select(key, func.count()).where(key.in_(ids)).group_by(key)).all()
    )


def _head_counts(session: Session, units: list[VolunteerUnit]) -> dict[str, int]:
    """Volunteers under each unit of one level."""
    # One grouped scan per level instead of a prefix count per unit.
    level = units[0].level
    if level == "squad":
        return _count_per(session, Volunteer.squad_id, [u.id for u in units])
    if level == "corps":
        total = session.scalar(select(func.count()).select_from(Volunteer)) or 0
        return {u.id: total for u in units}
    by_station = dict(
        session.execute(
            select(Volunteer.station_code, func.count()).group_by(Volunteer.station_code)
        ).all()
    )
    counts = {}
    for u in units:
        if level == "brigade":
            counts[u.id] = by_station.get(u.station_code, 0)
        else:
            stations = session.scalars(
                select(VolunteerUnit.station_code).where(VolunteerUnit.parent_id == u.id)
            )
            counts[u.id] = sum(by_station.get(code, 0) for code in stations)
    return counts
