"""Routes of disputes (矛盾纠纷) and their mediation."""

from __future__ import annotations

from yanyun.community import disputes
from yanyun.community.routes import Limit, Offset, Reader, Writer, router
from yanyun.community.schemas import (
    CountRow,
    DisputeAssign,
    DisputeClose,
    DisputeCreate,
    DisputePage,
    DisputeRead,
    SessionCreate,
    SessionRead,
)
from yanyun.core.http import ClockDep, SessionDep
from yanyun.core.params import Code, PathKey
from yanyun.geo.api import IndexDep


@router.get("/disputes", response_model=DisputePage)
def list_disputes(
    session: SessionDep,
    actor: Reader,
    status: Code | None = None,
    station_code: Code | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> DisputePage:
    """Disputes registered for mediation, newest first."""
    total, rows = disputes.list_disputes(
        session=session,
        actor=actor,
        status=status,
        station_code=station_code,
        limit=limit,
        offset=offset,
    )
    return DisputePage(total=total, items=rows)


@router.post("/disputes", response_model=DisputeRead, status_code=201)
def register_dispute(
    body: DisputeCreate, session: SessionDep, clock: ClockDep, actor: Writer, city: IndexDep
) -> DisputeRead:
    """Register a dispute (矛盾纠纷) where it arose."""
    d = disputes.register_dispute(
        session=session, clock=clock, actor=actor, city=city, dispute_in=body
    )
    return disputes.dispute_read(d)


@router.post("/disputes/{dispute_id}/assign", response_model=DisputeRead)
def assign_dispute(
    dispute_id: PathKey, body: DisputeAssign, session: SessionDep, clock: ClockDep, actor: Writer
) -> DisputeRead:
    """Give a dispute its mediator or a station's mediation room."""
    d = disputes.assign_dispute(
        session=session, clock=clock, actor=actor, dispute_id=dispute_id, assign_in=body
    )
    return disputes.dispute_read(d)


@router.post("/disputes/{dispute_id}/sessions", response_model=SessionRead, status_code=201)
def add_session(
    dispute_id: PathKey, body: SessionCreate, session: SessionDep, clock: ClockDep, actor: Writer
) -> SessionRead:
    """Record one mediation session."""
    row = disputes.add_session(
        session=session, clock=clock, actor=actor, dispute_id=dispute_id, session_in=body
    )
    return SessionRead.model_validate(row)


@router.post("/disputes/{dispute_id}/close", response_model=DisputeRead)
def close_dispute(
    dispute_id: PathKey, body: DisputeClose, session: SessionDep, clock: ClockDep, actor: Writer
) -> DisputeRead:
    """Record the outcome of a mediation."""
    d = disputes.close_dispute(
        session=session, clock=clock, actor=actor, dispute_id=dispute_id, close_in=body
    )
    return disputes.dispute_read(d)


@router.get("/dispute-counts", response_model=list[CountRow])
def dispute_counts(
    session: SessionDep, actor: Reader, city: IndexDep, limit: Limit = 50
) -> list[CountRow]:
    """Disputes registered, resolved and open per station."""
    return disputes.dispute_counts(session=session, actor=actor, city=city, limit=limit)
