"""Disputes (矛盾纠纷) and their mediation: registered where they arose, assigned, closed."""

from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from yanyun.auth.scope import visible
from yanyun.auth.service import Actor
from yanyun.community.models import Dispute, MediationSession
from yanyun.community.places import station_name_zh
from yanyun.community.schemas import (
    CountRow,
    DisputeAssign,
    DisputeClose,
    DisputeCreate,
    DisputeRead,
    SessionCreate,
)
from yanyun.core import events
from yanyun.core.clock import Clock, as_utc
from yanyun.core.db import count_by, fetch_page
from yanyun.core.errors import Conflict, Invalid
from yanyun.core.ids import new_id
from yanyun.events.community import DisputeChanged
from yanyun.geo import service as geo_service
from yanyun.geo.models import Station
from yanyun.geo.service import CityIndex


def register_dispute(
    *,
    session: Session,
    clock: Clock,
    actor: Actor | None,
    city: CityIndex,
    dispute_in: DisputeCreate,
) -> Dispute:
    """Register a dispute where it arose; the station that answers for it follows."""
    where = geo_service.place_in_scope(
        index=city, actor=actor, lng=dispute_in.lng, lat=dispute_in.lat
    )
    assert where.grid and where.station and where.org_path
    dispute = Dispute(
        id=new_id(clock),
        kind=dispute_in.kind,
        summary=dispute_in.summary,
        parties=dispute_in.parties,
        grid_code=where.grid.code,
        station_code=where.station.code,
        org_path=where.org_path,
        status="registered",
        registered_at=clock.now(),
    )
    session.add(dispute)
    session.flush()
    _emit_dispute(session, clock, dispute)
    return dispute


def _emit_dispute(session: Session, clock: Clock, dispute: Dispute) -> None:
    events.publish(
        session,
        DisputeChanged(status=dispute.status, station_code=dispute.station_code,
                       kind=dispute.kind),
        clock=clock,
        kind=f"dispute.{dispute.status}",
        resource_id=dispute.id,
        org_path=dispute.org_path,
    )


def get_dispute(*, session: Session, actor: Actor, dispute_id: str) -> Dispute:
    """The dispute if the actor's area holds it, else NotFound."""
    dispute = visible(session, Dispute, dispute_id, actor, what="dispute")
    return dispute


def assign_dispute(
    *, session: Session, clock: Clock, actor: Actor, dispute_id: str, assign_in: DisputeAssign
) -> Dispute:
    """Give a dispute its mediator, its mediation room (a station that has one), or both."""
    dispute = get_dispute(session=session, actor=actor, dispute_id=dispute_id)
    if dispute.status in ("resolved", "failed"):
        raise Conflict("纠纷已结案", "the dispute is closed")
    if not assign_in.mediator_name and not assign_in.room_station_code:
        raise Invalid(
            "mediator_name", "请指定调解员或调解室", "name a mediator or a mediation room"
        )
    if assign_in.room_station_code:
        station = session.get(Station, assign_in.room_station_code)
        if station is None or not station.has_mediation_room:
            raise Invalid(
                "room_station_code", "该派出所没有调解室", "that station has no mediation room"
            )
        dispute.room_station_code = station.code
    if assign_in.mediator_name:
        dispute.mediator_name = assign_in.mediator_name
    dispute.status = "assigned" if dispute.status == "registered" else dispute.status
    _emit_dispute(session, clock, dispute)
    return dispute


def add_session(
    *, session: Session, clock: Clock, actor: Actor, dispute_id: str, session_in: SessionCreate
) -> MediationSession:
    """Record one mediation session of an assigned dispute."""
    dispute = get_dispute(session=session, actor=actor, dispute_id=dispute_id)
    if dispute.status not in ("assigned", "mediating"):
        raise Conflict(
            "纠纷须先指定调解员且未结案", "assign a mediator first; closed disputes take none"
        )
    if as_utc(session_in.held_at) > clock.now():
        raise Invalid("held_at", "调解时间不能晚于当前时间", "a session cannot be in the future")
    row = MediationSession(
        id=new_id(clock), dispute_id=dispute.id, held_at=session_in.held_at, note=session_in.note
    )
    session.add(row)
    dispute.status = "mediating"
    return row


def close_dispute(
    *, session: Session, clock: Clock, actor: Actor, dispute_id: str, close_in: DisputeClose
) -> Dispute:
    """Record how the mediation ended."""
    dispute = get_dispute(session=session, actor=actor, dispute_id=dispute_id)
    if dispute.status != "mediating":
        raise Conflict("纠纷须至少调解一次才能结案", "a dispute closes after at least one session")
    dispute.outcome = close_in.outcome
    dispute.outcome_note = close_in.note
    dispute.closed_at = clock.now()
    dispute.status = "resolved" if close_in.outcome == "agreement" else "failed"
    _emit_dispute(session, clock, dispute)
    return dispute


def list_disputes(
    *,
    session: Session,
    actor: Actor,
    status: str | None = None,
    station_code: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[DisputeRead]]:
    """Disputes in the actor's area, newest first, each with its session count."""
    stmt = actor.scope(select(Dispute), Dispute.org_path)
    if status:
        stmt = stmt.where(Dispute.status == status)
    if station_code:
        stmt = stmt.where(Dispute.station_code == station_code)
    total, rows = fetch_page(
        session, stmt, Dispute.registered_at.desc(), Dispute.id, limit=limit, offset=offset,
    )
    counts = count_by(session, MediationSession.dispute_id, [d.id for d in rows])
    return total, [dispute_read(d, counts.get(d.id, 0)) for d in rows]


def dispute_read(d: Dispute, sessions: int = 0) -> DisputeRead:
    """A dispute as read, with the number of mediation sessions held."""
    return DisputeRead.model_validate(d).model_copy(update={"sessions": sessions})


def dispute_counts(
    *, session: Session, actor: Actor, city: CityIndex | None = None, limit: int = 50
) -> list[CountRow]:
    """Disputes registered, resolved and open per station, most first, named from `city`."""
    stmt = (
        actor.scope(
            select(
                Dispute.station_code,
                func.count(),
                func.sum(case((Dispute.status == "resolved", 1), else_=0)),
                func.sum(
                    case((Dispute.status.in_(("registered", "assigned", "mediating")), 1), else_=0)
                ),
            ),
            Dispute.org_path,
        )
        .group_by(Dispute.station_code)
        .order_by(func.count().desc(), Dispute.station_code)
        .limit(limit)
    )
    return [
        CountRow(
            code=r[0],
            name_zh=station_name_zh(city, r[0]) if city else None,
            counts={"registered": int(r[1]), "resolved": int(r[2] or 0), "open": int(r[3] or 0)},
        )
        for r in session.execute(stmt)
    ]
