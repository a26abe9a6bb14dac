"""Grid hazards: one step at a time to verification, overdue announced once, refused without a
type or a future deadline."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.community.helpers import CITY, urban_grid
from yanyun.community import grid
from yanyun.community.schemas import GridReportCreate, HazardAction
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
    mine = next(r for r in counts if r.code == report.grid_code)
    assert mine.counts["hazards_removed"] >= 1


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
