"""Units' live state: positions from AVL batches, staleness, and recommendation."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from yanyun.auth.scope import visible
from yanyun.auth.service import Actor
from yanyun.command.candidate_reasons import Candidate
from yanyun.command.catalogue import Catalogue
from yanyun.command.models import Incident, ResponseCircle, Unit
from yanyun.command.ranking import FleetIndex, UnitSnapshot
from yanyun.command.schemas import PositionBatchResult, PositionIn, RejectedPosition, UnitRead
from yanyun.command.settings import CommandSettings
from yanyun.core import audit, events
from yanyun.core.clock import Clock, as_utc
from yanyun.events.command import UnitPosition, UnitsMoved
from yanyun.geo.travel import TravelTimeEstimator

# First search this far around an incident (degrees, ~33 km), then everywhere.
NEAR_DEG = 0.3


def is_stale(unit: Unit, *, clock: Clock, settings: CommandSettings) -> bool:
    """A unit whose last fix is older than the setting (or that never reported)."""
    if unit.position_at is None:
        return True
    age = clock.now() - as_utc(unit.position_at)
    return age > timedelta(seconds=settings.position_stale_after_s)


def unit_read(unit: Unit, *, clock: Clock, settings: CommandSettings) -> UnitRead:
    return UnitRead(
        id=unit.id,
        call_sign=unit.call_sign,
        kind=unit.kind,
        station_code=unit.station_code,
        capabilities=list(unit.capabilities),
        status=unit.status,
        lng=unit.lng,
        lat=unit.lat,
        position_at=unit.position_at,
        stale=is_stale(unit, clock=clock, settings=settings),
        current_incident_id=unit.current_incident_id,
    )


def list_units(
    *,
    session: Session,
    actor: Actor,
    status: str | None = None,
    kind: str | None = None,
    limit: int = 1000,
    offset: int = 0,
) -> list[Unit]:
    stmt = actor.scope(select(Unit), Unit.org_path)
    if status:
        stmt = stmt.where(Unit.status == status)
    if kind:
        stmt = stmt.where(Unit.kind == kind)
    return list(session.scalars(stmt.order_by(Unit.id).limit(limit).offset(offset)))


def _rejection(
    fix: PositionIn, known: dict[str, Any], horizon: datetime
) -> tuple[str, str] | None:
    """Return why a fix is refused (zh, en), or None when it can be applied."""
    if not (
        math.isfinite(fix.lng)
        and math.isfinite(fix.lat)
        and -180 <= fix.lng <= 180
        and -90 <= fix.lat <= 90
    ):
        return ("坐标无效", "coordinates out of range")
    if fix.unit_id not in known:
        return ("未知警力单元", "unknown unit")
    if fix.at > horizon:
        return ("定位时间晚于当前时间", "position time is in the future")
    return None


def _publish_moves(session: Session, clock: Clock, moved: dict[str, list[dict]]) -> None:
    """One event per station, not per fix: a map follows a batch in one message."""
    for org_path, items in moved.items():
        events.publish(
            session,
            UnitsMoved(positions=[UnitPosition(**item) for item in items]),
            clock=clock,
            resource_id=items[0]["id"],
            org_path=org_path,
        )


# The latest position of many units in one statement (executemany), past the ORM:
# a fix is telemetry, so the write hook's audit row per changed unit is not wanted.
_MOVE = (
    Unit.__table__.update()
    .where(Unit.__table__.c.id == bindparam("b_id"))
    .values(lng=bindparam("b_lng"), lat=bindparam("b_lat"), position_at=bindparam("b_at"))
)


def record_positions(
    *,
    session: Session,
    clock: Clock,
    settings: CommandSettings,
    positions: list[PositionIn],
    actor: Actor | None,
    senders: int | None = None,
) -> PositionBatchResult:
    """Apply a batch of AVL fixes: the latest fix wins; bad rows are counted and named.

    A unit outside the sender's scope is an unknown unit: a station's device
    cannot move another station's car, and cannot learn which ids exist.

    Positions are telemetry, not records: the batch writes the units' latest
    fixes in one statement and one audit row (who sent it, how many fixes,
    units and senders), not one audit row per unit moved; the fixes themselves
    go out in the ``units.moved`` events (one per station), from which the
    position history is kept in the data pool.
    """
    now = clock.now()
    horizon = now + timedelta(seconds=settings.position_future_tolerance_s)
    ids = sorted({p.unit_id for p in positions})
    known: dict[str, Any] = {
        row.id: row
        for row in session.execute(
            select(Unit.id, Unit.org_path, Unit.position_at).where(Unit.id.in_(ids))
        )
        if actor is None or actor.sees(row.org_path)
    }
    last_at = {
        uid: (as_utc(row.position_at) if row.position_at is not None else None)
        for uid, row in known.items()
    }
    rejected: list[RejectedPosition] = []
    older = 0
    latest: dict[str, PositionIn] = {}
    taken: list[PositionIn] = []
    for i, fix in enumerate(positions):
        reason = _rejection(fix, known, horizon)
        if reason:
            rejected.append(
                RejectedPosition(
                    index=i, unit_id=fix.unit_id, reason_zh=reason[0], reason_en=reason[1]
                )
            )
            continue
        previous = last_at[fix.unit_id]
        if previous is not None and previous >= fix.at:
            older += 1
            continue
        last_at[fix.unit_id] = fix.at
        latest[fix.unit_id] = fix
        taken.append(fix)
    accepted = len(positions) - len(rejected) - older
    if latest:
        session.execute(
            _MOVE,
            [{"b_id": f.unit_id, "b_lng": f.lng, "b_lat": f.lat, "b_at": f.at}
             for f in latest.values()],
        )
        # Objects of these units already in the session must not keep the old fix.
        for fix in latest.values():
            held = session.identity_map.get(identity_key(Unit, fix.unit_id))
            if held is not None:
                for name, value in (("lng", fix.lng), ("lat", fix.lat), ("position_at", fix.at)):
                    set_committed_value(held, name, value)
        moved: dict[str, list[dict]] = {}
        for fix in taken:
            moved.setdefault(known[fix.unit_id].org_path, []).append(
                {"id": fix.unit_id, "lng": fix.lng, "lat": fix.lat, "at": fix.at}
            )
        _publish_moves(session, clock, moved)
    if positions:
        audit.record(
            session, clock=clock, action="positions", resource_type="unit",
            detail={"fixes": len(positions), "accepted": accepted, "units": len(latest),
                    "ignored_older": older, "rejected": len(rejected),
                    "senders": senders if senders is not None else 1},
        )
    return PositionBatchResult(accepted=accepted, ignored_older=older, rejected=rejected)


def required_capabilities(catalogue: Catalogue, incident: Incident) -> frozenset[str]:
    """What a unit must be able to do for this kind of incident."""
    if incident.sub_code:
        return frozenset(catalogue.subcategory(incident.sub_code).capabilities)
    category = catalogue.category(incident.category_code)
    caps = [set(s.capabilities) for s in category.subcategories]
    return frozenset(set.intersection(*caps)) if caps else frozenset({"patrol"})


def _available_near(session: Session, lng: float, lat: float, pad: float | None) -> list[Any]:
    # Plain rows, not ORM objects: this runs for every recommendation, over
    # hundreds of units, and the ranking needs only these columns.
    stmt = select(Unit.id, Unit.call_sign, Unit.kind, Unit.lng, Unit.lat, Unit.capabilities).where(
        Unit.status == "available"
    )
    if pad is not None:
        stmt = stmt.where(
            Unit.lat.between(lat - pad, lat + pad), Unit.lng.between(lng - pad, lng + pad)
        )
    return list(session.execute(stmt))


def recommend(
    *,
    session: Session,
    incident: Incident,
    catalogue: Catalogue,
    estimator: TravelTimeEstimator,
    urban: bool,
    limit: int = 5,
) -> list[tuple[Candidate, Any]]:
    """The fastest suitable available units for an incident, with the reason for each.

    Each candidate comes with its unit's row (id, call_sign, kind, lng, lat).
    """
    required = required_capabilities(catalogue, incident)
    for pad in (NEAR_DEG, None):
        units = _available_near(session, incident.lng, incident.lat, pad)
        fleet = FleetIndex(
            [
                UnitSnapshot(
                    id=u.id,
                    lng=u.lng,
                    lat=u.lat,
                    kind=u.kind,
                    capabilities=frozenset(u.capabilities),
                    available=True,
                )
                for u in units
            ]
        )
        ranked = fleet.top_k(
            incident.lng, incident.lat, k=limit, required=required, estimator=estimator, urban=urban
        )
        if len(ranked) >= limit or pad is None:
            by_id = {u.id: u for u in units}
            return [(c, by_id[c.unit_id]) for c in ranked]
    return []


def get_unit(*, session: Session, actor: Actor, unit_id: str) -> Unit:
    unit = visible(session, Unit, unit_id, actor, what="unit")
    return unit


def response_circles(*, session: Session) -> list[dict]:
    """The 1-3-5 quick-response circles with their arrival targets, in id order."""
    rows = session.scalars(select(ResponseCircle).order_by(ResponseCircle.id))
    return [
        {
            "id": c.id, "name_zh": c.name_zh, "name_en": c.name_en, "kind": c.kind,
            "lng": c.lng, "lat": c.lat, "radius_m": c.radius_m, "target_min": c.target_min,
            "station_code": c.station_code,
        }
        for c in rows
    ]
