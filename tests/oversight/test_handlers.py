"""Tasks from other contexts' events, through the durable consumer `oversight.tasks`."""

from datetime import timedelta

from sqlalchemy import func, select

from tests.bus import consumers_from_now, drain
from tests.command.helpers import create_incident, grid_point
from tests.conftest import login_as
from tests.oversight.helpers import station_of
from yanyun.command import breaches
from yanyun.core import events
from yanyun.core.cursors import EventCursor, EventDeadLetter, set_cursor
from yanyun.events.community import HazardOverdue
from yanyun.events.opinion import OpinionEventChanged
from yanyun.events.oversight import RiskInspectionDue, TaskRequested
from yanyun.oversight.models import SupervisedTask

CONSUMER = "oversight.tasks"


def _tasks(session, **where):
    stmt = select(SupervisedTask)
    for key, value in where.items():
        stmt = stmt.where(getattr(SupervisedTask, key) == value)
    return list(session.scalars(stmt))


def _hazard(clock, title="消防通道堵塞"):
    return HazardOverdue(hazard_id="H1", grid_code="G1", station_code="S1", title=title,
                         status="assigned", found_at=clock.now())


def test_a_1_3_5_breach_becomes_a_task_of_the_incidents_station(client, runtime, session, clock):
    consumers_from_now(session, clock, CONSUMER)
    session.commit()
    dispatcher = login_as(client, "dispatcher")
    grid = grid_point(session)
    incident = create_incident(client, dispatcher.headers, grid)
    clock.advance(timedelta(seconds=61))
    assert breaches.scan_breaches(session=session, clock=clock) >= 1
    assert drain(runtime, CONSUMER, session=session) >= 1
    # Dispatch and arrival breach separately: one task each (arrival too in a 1-minute circle).
    task = session.scalars(
        select(SupervisedTask).where(SupervisedTask.source == "incident_breach",
                                     SupervisedTask.source_ref == f"{incident['id']}:dispatch")
    ).one()
    assert task.owner_org_code == grid.station_code  # not the grid: a grid has no desk
    assert incident["number"] in task.title and "派警超时" in task.title
    assert task.org_path.endswith(grid.station_code)


def test_each_fact_makes_a_task_with_the_source_named_in_the_contract(runtime, session, clock):
    consumers_from_now(session, clock, CONSUMER)
    station = station_of(session, "officer")
    due = clock.now() + timedelta(hours=5)
    published = [
        (_hazard(clock), None),
        (OpinionEventChanged(title="网传某小区着火", status="open", first_seen_at=clock.now(),
                             heat=1.0, heat_level=1, unverified_claim=True),
         "opinion.event_opened"),
        (OpinionEventChanged(title="已指派", status="assigned", first_seen_at=clock.now(),
                             heat=1.0, heat_level=1, unverified_claim=False),
         "opinion.event_assigned"),
        (RiskInspectionDue(title="风险点检查逾期", owner_org_code=station.code, due_at=due), None),
        (TaskRequested(title="核查线索"), None),
    ]
    for n, (event, kind) in enumerate(published):
        events.publish(session, event, clock=clock, resource_id=f"R{n}", org_path=station.path,
                       kind=kind)
    drain(runtime, CONSUMER, session=session)
    sources = {t.source for t in _tasks(session, owner_org_code=station.code)}
    # An assignment is not a new fact to supervise: four tasks from five events.
    assert sources == {"hazard", "opinion_event", "risk_check_due", "requested"}
    risk = _tasks(session, source="risk_check_due")[0]
    assert risk.due_at == due


def test_a_request_names_its_owner_and_due_time(runtime, session, clock):
    consumers_from_now(session, clock, CONSUMER)
    station = station_of(session, "officer")
    due = clock.now() + timedelta(hours=3)
    events.publish(session, TaskRequested(title="网传某小区电动车起火", owner_org_code=station.code,
                                          due_at=due),
                   clock=clock, resource_id="REQ-1", org_path="")
    drain(runtime, CONSUMER, session=session)
    task = _tasks(session, source="requested")[0]
    assert (task.title, task.owner_org_code, task.due_at) == (
        "网传某小区电动车起火", station.code, due)


def test_the_cursor_moves_with_the_tasks_and_a_replay_creates_nothing_twice(
    runtime, session, clock
):
    start = consumers_from_now(session, clock, CONSUMER)
    station = station_of(session, "officer")
    hazard = events.publish(session, _hazard(clock), clock=clock, resource_id="HZ-9",
                            org_path=station.path)
    assert drain(runtime, CONSUMER, session=session) == 1
    assert session.get(EventCursor, CONSUMER).last_id >= hazard.id
    before = session.scalar(select(func.count()).select_from(SupervisedTask))
    # Replayed from the start (a restored backup, a reset cursor): nothing twice.
    set_cursor(session, CONSUMER, start)
    drain(runtime, CONSUMER, session=session)
    assert session.scalar(select(func.count()).select_from(SupervisedTask)) == before


def test_a_payload_that_breaks_its_schema_is_parked_not_lost(runtime, session, clock):
    consumers_from_now(session, clock, CONSUMER)
    station = station_of(session, "officer")
    events.emit(session, clock=clock, kind="hazard.overdue", resource_type="grid_report",
                resource_id="BAD", org_path=station.path, payload={"due_at": "not a time"})
    events.publish(session, _hazard(clock, title="后来的隐患"), clock=clock, resource_id="OK",
                   org_path=station.path)
    drain(runtime, CONSUMER, session=session)
    parked = session.scalars(select(EventDeadLetter).where(
        EventDeadLetter.consumer == CONSUMER)).all()
    assert [p.kind for p in parked] == ["hazard.overdue"] and parked[0].parked
    assert [t.title for t in _tasks(session, source="hazard")] == ["后来的隐患"]
