"""Phones' fixes taken at a city's rate: kept latest per unit, written together, once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from tests.field.test_actions import _crew
from yanyun.command.models import Unit
from yanyun.core.events import OutboxEvent
from yanyun.field.avl import FIX_BUFFER, FixBuffer
from yanyun.field.models import FieldShift


def _fix(client, login, unit, clock, east=0.001, seconds_ago=0):
    return client.post("/api/v1/field/position", headers=login.headers, json={
        "lng": unit.lng + east, "lat": unit.lat,
        "at": (clock.now() - timedelta(seconds=seconds_ago)).isoformat()})


def test_fixes_wait_for_the_second_and_are_written_together(client, session, runtime, clock):
    buffer = FixBuffer(flush_every_s=3600)  # nothing is due until written by hand
    runtime.state[FIX_BUFFER.name] = buffer
    officer, unit = _crew(client, session)
    home = (unit.lng, unit.lat)
    clock.advance(timedelta(seconds=30))  # the fleet's last fix is older than the phone's
    events_before = session.scalar(select(func.count()).select_from(OutboxEvent))
    first = _fix(client, officer, unit, clock, east=0.001, seconds_ago=5)
    latest = _fix(client, officer, unit, clock, east=0.002)
    stale = _fix(client, officer, unit, clock, east=0.009, seconds_ago=20)
    assert first.status_code == latest.status_code == stale.status_code == 202, first.text
    assert latest.json() == {"status": "queued", "unit_id": unit.id}
    session.expire_all()
    assert (session.get(Unit, unit.id).lng, session.get(Unit, unit.id).lat) == home
    assert buffer.write(runtime, clock) == 1  # one unit, its latest fix
    session.expire_all()
    moved = session.get(Unit, unit.id)
    assert abs(moved.lng - (home[0] + 0.002)) < 1e-9
    # One units.moved event for the second's fixes, and the phone counted as open.
    assert session.scalar(select(func.count()).select_from(OutboxEvent)) == events_before + 1
    shift = session.scalar(select(FieldShift).where(FieldShift.unit_id == unit.id,
                                                    FieldShift.ended_at.is_(None)))
    assert shift.last_seen_at is not None
    assert buffer.written == 1 and buffer.refused == 0


def test_a_fix_from_a_phone_not_signed_on_is_refused(client, session, runtime):
    from tests.conftest import login_as

    runtime.state[FIX_BUFFER.name] = FixBuffer(flush_every_s=0)
    chief = login_as(client, "chief")
    resp = client.post("/api/v1/field/position", headers=chief.headers,
                       json={"lng": 112.6, "lat": 26.9, "at": "2026-11-23T02:00:00Z"})
    assert resp.status_code == 422 and resp.json()["error"]["field"] == "unit"


def test_with_no_wait_each_fix_is_written_at_once(client, session, runtime, clock):
    runtime.state[FIX_BUFFER.name] = FixBuffer(flush_every_s=0)
    officer, unit = _crew(client, session)
    home = unit.lng
    clock.advance(timedelta(seconds=30))
    assert _fix(client, officer, unit, clock, east=0.003).status_code == 202
    session.expire_all()
    assert abs(session.get(Unit, unit.id).lng - (home + 0.003)) < 1e-9
