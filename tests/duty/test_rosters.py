"""Rosters: swaps between officers of a station."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import login_as
from tests.duty.helpers import apply_crewing, current_entries, staff
from yanyun.command.models import Unit
from yanyun.duty.models import Officer, RosterEntry


def test_swap_takes_effect_only_when_approved(runtime, session, client, clock):
    codes = staff(runtime, session, clock)
    unit = session.scalars(
        select(Unit).where(Unit.station_code == codes[0]).order_by(Unit.id)
    ).first()
    entry = current_entries(session, unit.id, clock.now())[0]
    busy = set(
        session.scalars(
            select(RosterEntry.officer_id).where(RosterEntry.shift_id == entry.shift_id)
        )
    )
    other = session.scalars(
        select(Officer).where(Officer.station_code == codes[0], Officer.id.not_in(busy))
    ).first()
    officer = login_as(client, "officer")
    resp = client.post(
        "/api/v1/duty/swaps",
        json={"entry_id": entry.id, "to_officer_id": other.id, "reason": "家中有事"},
        headers=officer.headers,
    )
    assert resp.status_code == 201, resp.text
    swap = resp.json()
    assert swap["status"] == "pending"
    session.refresh(entry)
    assert entry.officer_id == swap["from_officer_id"]
    denied = client.post(
        f"/api/v1/duty/swaps/{swap['id']}/decision", json={"approve": True}, headers=officer.headers
    )
    assert denied.status_code == 403
    duty = login_as(client, "duty")
    ok = client.post(
        f"/api/v1/duty/swaps/{swap['id']}/decision", json={"approve": True}, headers=duty.headers
    )
    assert ok.status_code == 200 and ok.json()["status"] == "approved"
    apply_crewing(runtime, session)
    session.refresh(unit)
    assert other.id in unit.crew and swap["from_officer_id"] not in unit.crew
