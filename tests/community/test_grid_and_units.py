"""Grid hazards to verification and overdue, disputes, villages, enterprises."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.community.helpers import CITY, build_small, station_with_room, urban_grid
from yanyun.community import grid, service
from yanyun.community.schemas import (
    DisputeAssign,
    DisputeClose,
    DisputeCreate,
    GridReportCreate,
    HazardAction,
    MeetingCreate,
    ServiceDayCreate,
    SessionCreate,
    VisitCreate,
)
from yanyun.core.errors import Conflict, Invalid
from yanyun.core.events import OutboxEvent


def _hazard(session, clock, city, settings, **overrides):
    g = urban_grid(session)
    body = dict(
        kind="hazard",
        hazard_type="fire",
        title="电动车楼道充电",
        lng=g.lng,
        lat=g.lat,
        photos=["photo://grid/1.jpg"],
    )
    body.update(overrides)
    return grid.file_report(
        session=session,
        clock=clock,
        actor=CITY,
        city=city,
        settings=settings,
        report_in=GridReportCreate(**body),
    )


def test_hazard_moves_from_found_to_verified_one_step_at_a_time(
    session, clock, city, community_settings
) -> None:
    report = _hazard(session, clock, city, community_settings)
    assert report.status == "found"
    assert report.deadline is not None
    step = lambda action, **kw: grid.advance_hazard(  # noqa: E731
        session=session,
        clock=clock,
        actor=CITY,
        report_id=report.id,
        action_in=HazardAction(action=action, **kw),
    )
    with pytest.raises(Conflict):
        step("verify")
    with pytest.raises(Invalid):
        step("assign")  # nobody named
    step("assign", assignee="网格辅警 李")
    step("remove", photos=["photo://grid/1-after.jpg"])
    step("verify")
    assert report.status == "verified"
    assert report.photos == ["photo://grid/1.jpg", "photo://grid/1-after.jpg"]
    counts = grid.report_counts(session=session, actor=CITY, by="grid")
    mine = next(r for r in counts if r["code"] == report.grid_code)
    assert mine["counts"]["hazards_removed"] >= 1


def test_hazard_past_its_deadline_is_announced_once_for_supervision(
    session, clock, city, community_settings
) -> None:
    report = _hazard(
        session,
        clock,
        city,
        community_settings,
        deadline=(clock.now() + timedelta(hours=2)).isoformat(),
    )
    removed_in_time = _hazard(
        session,
        clock,
        city,
        community_settings,
        deadline=(clock.now() + timedelta(hours=2)).isoformat(),
    )
    for action, kw in (("assign", {"assignee": "辅警"}), ("remove", {})):
        grid.advance_hazard(
            session=session,
            clock=clock,
            actor=CITY,
            report_id=removed_in_time.id,
            action_in=HazardAction(action=action, **kw),
        )
    assert grid.scan_overdue(session=session, clock=clock) == 0
    clock.advance(timedelta(hours=3))
    assert grid.scan_overdue(session=session, clock=clock) == 1
    assert grid.scan_overdue(session=session, clock=clock) == 0
    session.commit()  # the event is written with the transaction that announced it
    event = session.scalars(select(OutboxEvent).where(OutboxEvent.kind == "hazard.overdue")).one()
    assert event.resource_id == report.id
    assert event.org_path == report.org_path
    assert set(event.payload) >= {"hazard_id", "grid_code", "station_code", "title", "deadline"}
    assert event.payload["hazard_id"] == report.id


def test_hazard_needs_a_type_and_a_future_deadline(session, clock, city, community_settings):
    with pytest.raises(Invalid) as err:
        _hazard(session, clock, city, community_settings, hazard_type=None)
    assert err.value.field == "hazard_type"
    with pytest.raises(Invalid) as err:
        _hazard(
            session,
            clock,
            city,
            community_settings,
            deadline=(clock.now() - timedelta(hours=1)).isoformat(),
        )
    assert err.value.field == "deadline"


def test_dispute_is_registered_mediated_in_a_room_and_closed(session, clock, city) -> None:
    g = urban_grid(session)
    dispute = service.register_dispute(
        session=session,
        clock=clock,
        actor=CITY,
        city=city,
        dispute_in=DisputeCreate(kind="neighbour", summary="楼上漏水纠纷", lng=g.lng, lat=g.lat),
    )
    no_room = station_with_room(session, False)
    with pytest.raises(Invalid):
        service.assign_dispute(
            session=session,
            clock=clock,
            actor=CITY,
            dispute_id=dispute.id,
            assign_in=DisputeAssign(room_station_code=no_room.code),
        )
    with pytest.raises(Conflict):
        service.close_dispute(
            session=session,
            clock=clock,
            actor=CITY,
            dispute_id=dispute.id,
            close_in=DisputeClose(outcome="agreement"),
        )
    room = station_with_room(session, True)
    service.assign_dispute(
        session=session,
        clock=clock,
        actor=CITY,
        dispute_id=dispute.id,
        assign_in=DisputeAssign(mediator_name="湾村明白人 刘", room_station_code=room.code),
    )
    service.add_session(
        session=session,
        clock=clock,
        actor=CITY,
        dispute_id=dispute.id,
        session_in=SessionCreate(held_at=clock.now(), note="双方同意赔偿"),
    )
    service.close_dispute(
        session=session,
        clock=clock,
        actor=CITY,
        dispute_id=dispute.id,
        close_in=DisputeClose(outcome="agreement"),
    )
    assert dispute.status == "resolved"
    counts = service.dispute_counts(session=session, actor=CITY)
    assert any(r["code"] == dispute.station_code and r["counts"]["resolved"] >= 1 for r in counts)


def test_village_courtyard_meeting_records_attendance_and_issues(session, clock) -> None:
    build_small(session, clock)
    _, villages = service.list_villages(session=session, actor=CITY, limit=1)
    code = villages[0]["code"]
    service.hold_meeting(
        session=session,
        clock=clock,
        actor=CITY,
        village_code=code,
        meeting_in=MeetingCreate(held_at=clock.now(), attendance=36, issues=["山林防火", " "]),
    )
    meetings = service.list_meetings(session=session, actor=CITY, village_code=code)
    assert meetings[0].attendance == 36 and meetings[0].issues == ["山林防火"]


def test_service_day_is_a_20th_planned_then_reported_once_it_has_come(session, clock) -> None:
    build_small(session, clock)
    _, enterprises = service.list_enterprises(session=session, actor=CITY, limit=1)
    station = enterprises[0]["station_code"]
    with pytest.raises(Invalid):
        service.plan_service_day(
            session=session,
            clock=clock,
            actor=CITY,
            day_in=ServiceDayCreate(station_code=station, day=date(2026, 12, 21)),
        )
    day = service.plan_service_day(
        session=session, clock=clock, actor=CITY, day_in=ServiceDayCreate(station_code=station)
    )
    assert day.day == date(2026, 12, 20)  # the test clock stands on 2026-11-23
    with pytest.raises(Conflict):
        service.plan_service_day(
            session=session, clock=clock, actor=CITY, day_in=ServiceDayCreate(station_code=station)
        )
    with pytest.raises(Conflict):
        service.report_service_day(
            session=session, clock=clock, actor=CITY, day_id=day.id, report="提前上报"
        )
    clock.advance(timedelta(days=27))
    service.record_visit(
        session=session,
        clock=clock,
        actor=CITY,
        enterprise_id=enterprises[0]["id"],
        visit_in=VisitCreate(
            visited_at=clock.now(),
            service_day_id=day.id,
            issues=[{"text": "门口道路拥堵", "handling": "交警疏导", "resolved": True}],
        ),
    )
    service.report_service_day(
        session=session, clock=clock, actor=CITY, day_id=day.id, report="走访企业3家，解决问题1个"
    )
    read = service.service_day_read(session, day)
    assert read["status"] == "reported"
    assert (read["visits"], read["issues"], read["issues_resolved"]) == (1, 1, 1)
    totals = service.enterprise_totals(session=session, actor=CITY)
    assert totals["project_officers"] == 6 and totals["cases"] == 7
