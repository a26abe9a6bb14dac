"""Tasks from other contexts' outbox events, through the consumer and its persisted cursor."""

from datetime import timedelta

from sqlalchemy import select

from tests.command.helpers import create_incident, grid_point
from tests.conftest import login_as
from tests.oversight.helpers import consume_from_now, settings, station_of
from yanyun.command import service as command_service
from yanyun.core import events
from yanyun.core.events import OutboxEvent
from yanyun.oversight import consumer
from yanyun.oversight.models import ConsumerCursor, SupervisedTask


def _consume(session, clock, **kw):
    counts = consumer.consume_events(session=session, clock=clock, settings=settings(), **kw)
    session.flush()
    return counts


def test_a_1_3_5_breach_becomes_a_task_of_the_incidents_station(client, session, clock):
    consume_from_now(session, clock)
    session.commit()
    dispatcher = login_as(client, "dispatcher")
    grid = grid_point(session)
    incident = create_incident(client, dispatcher.headers, grid)
    clock.advance(timedelta(seconds=61))
    assert command_service.scan_breaches(session=session, clock=clock) >= 1
    session.flush()
    counts = _consume(session, clock)
    assert counts["created"] >= 1
    # Dispatch and arrival breach separately: one task each (arrival too in a 1-minute circle).
    task = session.scalars(
        select(SupervisedTask).where(SupervisedTask.source == "incident_breach",
                                     SupervisedTask.source_ref == f"{incident['id']}:dispatch")
    ).one()
    assert task.owner_org_code == grid.station_code  # not the grid: a grid has no desk
    assert incident["number"] in task.title and "派警超时" in task.title
    assert task.org_path.endswith(grid.station_code)


def test_generic_kinds_make_tasks_with_the_sources_named_in_the_contract(session, clock):
    consume_from_now(session, clock)
    station = station_of(session, "officer")
    for kind, resource in (("hazard.overdue", "H1"), ("opinion.event_opened", "OP7"),
                           ("risk.inspection_due", "RP3"), ("task.requested", "X1"),
                           ("unit.available", "U1")):
        events.emit(session, clock=clock, kind=kind, resource_type="test", resource_id=resource,
                    org_path=station.path, payload={"due_at": "not a time"})
    session.flush()
    counts = _consume(session, clock)
    assert counts == {"read": 5, "created": 4, "duplicate": 0}
    sources = set(session.scalars(select(SupervisedTask.source).where(
        SupervisedTask.owner_org_code == station.code)))
    assert sources >= {"hazard", "opinion_event", "risk_check_due", "requested"}


def test_payload_fields_set_title_owner_and_due(session, clock):
    consume_from_now(session, clock)
    station = station_of(session, "officer")
    due = clock.now() + timedelta(hours=3)
    events.emit(session, clock=clock, kind="opinion.event_opened", resource_type="opinion_event",
                resource_id="OE-1", org_path="",
                payload={"title": "网传某小区电动车起火", "owner_org_code": station.code,
                         "due_at": due.isoformat()})
    session.flush()
    _consume(session, clock)
    task = session.scalars(select(SupervisedTask).where(
        SupervisedTask.source == "opinion_event")).one()
    assert (task.title, task.owner_org_code) == ("网传某小区电动车起火", station.code)
    assert task.due_at == due


def test_cursor_is_persisted_and_a_replay_creates_nothing_twice(session, clock):
    start = consume_from_now(session, clock)
    station = station_of(session, "officer")
    hazard = events.emit(session, clock=clock, kind="hazard.overdue", resource_type="hazard",
                         resource_id="HZ-9", org_path=station.path, payload={})
    session.flush()
    assert _consume(session, clock)["created"] == 1
    cursor = session.get(ConsumerCursor, consumer.CURSOR)
    assert cursor.position == hazard.id
    # The next run reads only the task's own "task.created" event, which makes no task.
    assert _consume(session, clock) == {"read": 1, "created": 0, "duplicate": 0}
    consumer.reset_cursor(session=session, position=start)
    session.flush()
    assert _consume(session, clock) == {"read": 2, "created": 0, "duplicate": 1}


def test_an_event_behind_a_gap_waits_until_the_gap_is_old(session, clock):
    station = station_of(session, "officer")
    # Id n+1 is taken by a transaction that has not committed (or rolled back).
    gap_id = consume_from_now(session, clock) + 1
    session.add(OutboxEvent(id=gap_id + 1, at=clock.now(), kind="hazard.overdue",
                            resource_type="hazard", resource_id="HZ-GAP",
                            org_path=station.path, actor=None, payload={}))
    session.flush()
    assert _consume(session, clock)["read"] == 0
    clock.advance(2)
    assert _consume(session, clock)["read"] == 0
    clock.advance(4)  # past the five-second grace, counted from when the gap was first seen
    assert _consume(session, clock) == {"read": 1, "created": 1, "duplicate": 0}
