"""Disputes: registered where they arose, mediated in a station's room, closed."""

from __future__ import annotations

import pytest

from tests.community.helpers import CITY, station_with_room, urban_grid
from yanyun.community import disputes
from yanyun.community.schemas import DisputeAssign, DisputeClose, DisputeCreate, SessionCreate
from yanyun.core.errors import Conflict, Invalid


def test_dispute_is_registered_mediated_in_a_room_and_closed(session, clock, city) -> None:
    g = urban_grid(session)
    dispute = disputes.register_dispute(
        session=session,
        clock=clock,
        actor=CITY,
        city=city,
        dispute_in=DisputeCreate(kind="neighbour", summary="楼上漏水纠纷", lng=g.lng, lat=g.lat),
    )
    no_room = station_with_room(session, False)
    with pytest.raises(Invalid):
        disputes.assign_dispute(
            session=session,
            clock=clock,
            actor=CITY,
            dispute_id=dispute.id,
            assign_in=DisputeAssign(room_station_code=no_room.code),
        )
    with pytest.raises(Conflict):
        disputes.close_dispute(
            session=session,
            clock=clock,
            actor=CITY,
            dispute_id=dispute.id,
            close_in=DisputeClose(outcome="agreement"),
        )
    room = station_with_room(session, True)
    disputes.assign_dispute(
        session=session,
        clock=clock,
        actor=CITY,
        dispute_id=dispute.id,
        assign_in=DisputeAssign(mediator_name="湾村明白人 刘", room_station_code=room.code),
    )
    disputes.add_session(
        session=session,
        clock=clock,
        actor=CITY,
        dispute_id=dispute.id,
        session_in=SessionCreate(held_at=clock.now(), note="双方同意赔偿"),
    )
    disputes.close_dispute(
        session=session,
        clock=clock,
        actor=CITY,
        dispute_id=dispute.id,
        close_in=DisputeClose(outcome="agreement"),
    )
    assert dispute.status == "resolved"
    counts = disputes.dispute_counts(session=session, actor=CITY)
    assert any(r.code == dispute.station_code and r.counts["resolved"] >= 1 for r in counts)
