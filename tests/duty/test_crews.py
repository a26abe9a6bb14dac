"""Crews: a unit is available only while someone on duty crews it; shift changes announce it."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from tests.conftest import login_as
from tests.duty.helpers import apply_crewing, current_entries, staff
from yanyun.command.models import Unit
from yanyun.core import events
from yanyun.duty import crews, rotation
from yanyun.duty.models import Officer, RosterEntry, UnitCrew


def test_unit_available_only_while_someone_on_duty_crews_it(runtime, session, client, clock):
    codes = staff(runtime, session, clock)
    unit = session.scalars(
        select(Unit)
        .where(Unit.station_code == codes[0], Unit.kind == "patrol_car")
        .order_by(Unit.id)
    ).first()
    assert unit.status == "available" and unit.crew
    duty = login_as(client, "duty")
    entries = current_entries(session, unit.id, clock.now())
    for e in entries:
        assert (
            client.delete(f"/api/v1/duty/entries/{e.id}", headers=duty.headers).status_code == 204
        )
    apply_crewing(runtime, session)
    session.refresh(unit)
    assert unit.status == "out_of_service" and unit.crew == []
    # Crewing it again from the reserve of the shift brings it back.
    shift_id = entries[0].shift_id
    busy = set(
        session.scalars(select(RosterEntry.officer_id).where(RosterEntry.shift_id == shift_id))
    )
    spare = session.scalars(
        select(Officer).where(Officer.station_code == codes[0], Officer.id.not_in(busy))
    ).first()
    resp = client.post(
        f"/api/v1/duty/shifts/{shift_id}/entries",
        json={"officer_id": spare.id, "unit_id": unit.id},
        headers=duty.headers,
    )
    assert resp.status_code == 201, resp.text
    apply_crewing(runtime, session)
    session.refresh(unit)
    assert unit.status == "available" and unit.crew == [spare.id]


def test_shift_change_on_the_clock_hands_units_to_the_next_team(runtime, session, clock):
    codes = staff(runtime, session, clock)
    before = {c.unit_id: list(c.crew) for c in session.scalars(select(UnitCrew))}
    clock.advance(timedelta(hours=12))  # 21:00: the night team is on
    last = events.latest_event_id(session)
    crewed, uncrewed = crews.apply_shift_changes(session, clock)
    session.commit()  # the events are written with the shift change's transaction
    # One event per station, listing every unit it re-crews, not one per unit.
    announced = events.events_after(session, after_id=last)
    assert sorted(e.resource_id for e in announced) == sorted(codes)
    assert {e.kind for e in announced} == {"duty.crews_changed"}
    listed = [c["unit_id"] for e in announced for c in e.payload["crewed"]]
    assert len(listed) == len(set(listed)) == crewed > len(codes)
    assert sum(len(e.payload["uncrewed"]) for e in announced) == uncrewed
    assert apply_crewing(runtime, session) == crewed + uncrewed
    unit = session.scalars(
        select(Unit).where(Unit.station_code == codes[0]).order_by(Unit.id)
    ).first()
    assert unit.crew and set(unit.crew).isdisjoint(before[unit.id])
    teams = set(session.scalars(select(Officer.team).where(Officer.id.in_(unit.crew))))
    assert teams == {rotation.team_on(date(2026, 11, 23), "night")}


def test_unit_busy_on_an_incident_keeps_its_status_when_its_crew_goes(runtime, session, clock):
    codes = staff(runtime, session, clock)
    unit = session.scalars(
        select(Unit)
        .where(Unit.station_code == codes[0], Unit.kind == "patrol_car")
        .order_by(Unit.id)
    ).first()
    unit.status = "on_scene"
    for entry in current_entries(session, unit.id, clock.now()):
        entry.attendance = "absent"
    session.flush()
    _, uncrewed = crews.apply_shift_changes(session, clock)
    assert uncrewed == 1
    assert apply_crewing(runtime, session) == 1
    session.refresh(unit)
    assert unit.status == "on_scene" and unit.crew == []
    # Nothing changed since: nothing more is announced or applied.
    assert crews.apply_shift_changes(session, clock) == (0, 0)
    assert apply_crewing(runtime, session) == 0


def test_crewing_still_applies_one_unit_events_left_in_the_outbox(runtime, session, clock):
    codes = staff(runtime, session, clock)
    unit = session.scalars(
        select(Unit).where(Unit.station_code == codes[0], Unit.status == "available")
    ).first()
    # What duty announced before it batched per station, still unread at an upgrade.
    events.emit(
        session, clock=clock, kind="duty.unit_uncrewed", resource_type="unit",
        resource_id=unit.id, org_path=unit.org_path, payload={"unit_id": unit.id, "crew": []},
    )
    session.flush()
    assert apply_crewing(runtime, session) == 1
    session.refresh(unit)
    assert unit.status == "out_of_service" and unit.crew == []


def test_shift_changes_due_says_whether_applying_would_change_anything(runtime, session, clock):
    staff(runtime, session, clock)
    crews.apply_shift_changes(session, clock)
    session.flush()
    assert crews.shift_changes_due(session, clock) is False
    clock.advance(timedelta(hours=12))  # the night team comes on
    assert crews.shift_changes_due(session, clock) is True
    # Asking changes nothing: the same changes are still there to apply.
    assert not session.new and not session.dirty
    crewed, _ = crews.apply_shift_changes(session, clock)
    assert crewed > 0
    assert crews.shift_changes_due(session, clock) is False


def test_shift_job_with_nothing_due_writes_nothing(runtime, session, clock):
    from yanyun.duty import jobs

    staff(runtime, session, clock)
    crews.apply_shift_changes(session, clock)
    session.commit()
    last = events.latest_event_id(session)
    assert jobs.shift_changes(runtime) == (0, 0)
    assert events.latest_event_id(session) == last
