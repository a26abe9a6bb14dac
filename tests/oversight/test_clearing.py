"""日清零 on the injected clock: one level up a day, late and on-time clearing, the board."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.oversight.helpers import (
    FRIDAY,
    MONDAY,
    OFFICE_HOURS,
    actor,
    at,
    ledger_lines,
    new_task,
    settings,
    station_of,
    unit,
)
from yanyun.core.events import OutboxEvent
from yanyun.oversight import clearing
from yanyun.oversight import tasks as task_service
from yanyun.oversight.models import Notification, SupervisedTask


def test_undone_task_climbs_station_branch_bureau_one_level_per_day(session, clock):
    s = settings()
    station = station_of(session, "officer")
    branch = unit(session, station.parent_code)
    bureau = unit(session, branch.parent_code)
    task = new_task(session, clock, s, station.code)

    clock.set(at(MONDAY, 17, 59))
    assert clearing.run_clearing(session=session, clock=clock, settings=s) == 0
    clock.set(at(MONDAY, 18, 0))
    assert clearing.run_clearing(session=session, clock=clock, settings=s) == 1
    assert (task.owner_org_code, task.escalation_level) == (branch.code, 1)
    assert task.due_at == at(MONDAY + timedelta(days=1), 18)
    # Running again the same evening changes nothing: each line is settled once.
    clock.set(at(MONDAY, 23, 59))
    assert clearing.run_clearing(session=session, clock=clock, settings=s) == 0

    clock.set(at(MONDAY + timedelta(days=1), 18, 1))
    assert clearing.run_clearing(session=session, clock=clock, settings=s) == 1
    assert (task.owner_org_code, task.escalation_level) == (bureau.code, 2)
    clock.set(at(MONDAY + timedelta(days=2), 18, 1))
    assert clearing.run_clearing(session=session, clock=clock, settings=s) == 1
    # The city bureau has no parent: the task stays there, one level more overdue.
    assert (task.owner_org_code, task.escalation_level) == (bureau.code, 3)
    assert ledger_lines(session, task) == [
        (station.code, MONDAY, "escalated"),
        (branch.code, MONDAY + timedelta(days=1), "escalated"),
        (bureau.code, MONDAY + timedelta(days=2), "escalated"),
        (bureau.code, MONDAY + timedelta(days=3), "pending"),
    ]
    # The station still sees the task it has to do; its path never moved.
    assert task.org_path == station.path


def test_escalation_emits_an_event_and_queues_a_notification(session, clock):
    s = settings(notify_channels=["live", "webhook"])
    station = station_of(session, "officer")
    task = new_task(session, clock, s, station.code)
    clock.set(at(MONDAY, 18, 5))
    clearing.run_clearing(session=session, clock=clock, settings=s)
    session.commit()  # the event is written with the transaction that escalated
    event = session.scalars(
        select(OutboxEvent).where(OutboxEvent.kind == "task.escalated",
                                  OutboxEvent.resource_id == task.id)
    ).one()
    assert event.payload["from_org_code"] == station.code
    assert event.payload["to_org_code"] == station.parent_code
    notes = list(session.scalars(select(Notification).where(Notification.kind == "task.escalated")))
    assert sorted(n.channel for n in notes) == ["live", "webhook"]
    assert all(n.status == "pending" and "督办升级" in n.subject for n in notes)
    assert notes[0].org_path == unit(session, station.parent_code).path


def test_friday_task_waits_over_the_weekend_at_a_branch_in_office_hours(session, clock):
    s = settings(**OFFICE_HOURS)
    station = station_of(session, "officer")
    clock.set(at(FRIDAY, 10))
    task = new_task(session, clock, s, station.code)
    clock.set(at(FRIDAY, 18, 30))
    assert clearing.run_clearing(session=session, clock=clock, settings=s) == 1
    monday = FRIDAY + timedelta(days=3)
    assert task.due_at == at(monday, 18)
    for hours in (24, 48):  # Saturday and Sunday evenings: no clearing is due
        clock.set(at(FRIDAY, 18, 30) + timedelta(hours=hours))
        assert clearing.run_clearing(session=session, clock=clock, settings=s) == 0
    clock.set(at(monday, 18, 0))
    assert clearing.run_clearing(session=session, clock=clock, settings=s) == 1
    assert task.escalation_level == 2


def test_task_due_on_a_sunday_is_cleared_on_monday_in_office_hours(session, clock):
    s = settings(**OFFICE_HOURS)
    station = station_of(session, "officer")
    clock.set(at(FRIDAY + timedelta(days=1), 9))  # Saturday
    task = new_task(session, clock, s, station.code, due=at(FRIDAY + timedelta(days=2), 12))
    assert ledger_lines(session, task) == [(station.code, FRIDAY + timedelta(days=3), "pending")]
    clock.set(at(FRIDAY + timedelta(days=2), 23))
    assert clearing.run_clearing(session=session, clock=clock, settings=s) == 0


def test_done_before_the_end_of_day_is_cleared_and_not_escalated(session, clock):
    s = settings()
    chief = actor(session, "chief")
    station = station_of(session, "chief")
    task = new_task(session, clock, s, station.code)
    clock.set(at(MONDAY, 16))
    task_service.act(session=session, clock=clock, settings=s, actor=chief, task_id=task.id,
                action="done", note="已整改", evidence=["photo:2026-11-23/001.jpg"])
    clock.set(at(MONDAY, 18, 30))
    assert clearing.run_clearing(session=session, clock=clock, settings=s) == 0
    assert ledger_lines(session, task) == [(station.code, MONDAY, "cleared")]


def test_done_after_the_deadline_before_the_run_counts_late(session, clock):
    s = settings()
    chief = actor(session, "chief")
    task = new_task(session, clock, s, station_of(session, "chief").code)
    clock.set(at(MONDAY, 18, 0, ) + timedelta(seconds=5))
    task_service.act(session=session, clock=clock, settings=s, actor=chief, task_id=task.id,
                action="done")
    assert clearing.run_clearing(session=session, clock=clock, settings=s) == 0
    assert ledger_lines(session, task)[0][2] == "late"


def test_a_unit_with_a_later_day_end_is_cleared_later(session, clock):
    station = station_of(session, "officer")
    s = settings(day_end_by_org={station.code: "20:00"})
    mine = new_task(session, clock, s, station.code)
    other = session.scalars(
        select(SupervisedTask).where(SupervisedTask.id == mine.id)
    ).one()
    assert other.due_at == at(MONDAY, 20)
    clock.set(at(MONDAY, 19))
    assert clearing.run_clearing(session=session, clock=clock, settings=s) == 0
    clock.set(at(MONDAY, 20))
    assert clearing.run_clearing(session=session, clock=clock, settings=s) == 1


def test_a_server_down_for_days_catches_up_one_level_per_missed_day(session, clock):
    s = settings()
    station = station_of(session, "officer")
    task = new_task(session, clock, s, station.code)
    clock.set(at(MONDAY + timedelta(days=2), 19))  # Wednesday evening, first run since Monday
    assert clearing.run_clearing(session=session, clock=clock, settings=s) == 3
    assert [line[2] for line in ledger_lines(session, task)] == [
        "escalated", "escalated", "escalated", "pending"
    ]


def test_board_counts_due_cleared_escalated_per_unit_and_day(session, clock):
    s = settings()
    chief = actor(session, "chief")
    supervisor = actor(session, "supervisor")
    station = station_of(session, "chief")
    tasks = [new_task(session, clock, s, station.code, title=f"任务{i}") for i in range(4)]
    for task in tasks[:3]:
        task_service.act(session=session, clock=clock, settings=s, actor=chief, task_id=task.id,
                    action="done")
    board = {b.org_code: b for b in clearing.clearing_board(session=session, actor=supervisor,
                                                           day=MONDAY)}
    assert (board[station.code].due, board[station.code].pending) == (4, 1)
    clock.set(at(MONDAY, 18, 1))
    clearing.run_clearing(session=session, clock=clock, settings=s)
    line = {b.org_code: b for b in clearing.clearing_board(session=session, actor=chief,
                                                          day=MONDAY)}[station.code]
    assert (line.due, line.cleared, line.escalated, line.pending) == (4, 3, 1, 0)
    assert line.clearing_rate == 0.75
    tuesday = {b.org_code: b for b in clearing.clearing_board(
        session=session, actor=supervisor, day=MONDAY + timedelta(days=1))}
    assert tuesday[station.parent_code].due == 1
    # The chief's scope is the station: the branch's line is not theirs to see.
    assert station.parent_code not in {
        b.org_code for b in clearing.clearing_board(session=session, actor=chief,
                                                   day=MONDAY + timedelta(days=1))
    }
