"""日清零 on the injected clock: day boundaries, weekends, holidays, per-org day ends."""

from datetime import date, timedelta

from sqlalchemy import select

from tests.oversight.helpers import actor, at, other_station, settings, station_of, unit
from yanyun.core.events import OutboxEvent
from yanyun.oversight import service
from yanyun.oversight.models import ClearingEntry, Notification, SupervisedTask

MONDAY = date(2026, 11, 23)
FRIDAY = date(2026, 11, 27)
SATURDAY = date(2026, 11, 28)
#: A bureau whose every unit keeps office hours (the old default), for the weekend rules.
OFFICE_HOURS = {"working_days": [0, 1, 2, 3, 4]}


def _task(session, clock, s, owner_code, title="核查辖区治安隐患", due=None):
    task, created = service.create_task(
        session=session, clock=clock, settings=s, actor=None, title=title, source="manual",
        owner_org_code=owner_code, due_at=due,
    )
    assert created
    session.flush()
    return task


def _lines(session, task):
    return [
        (e.org_code, e.day, e.outcome)
        for e in session.scalars(
            select(ClearingEntry).where(ClearingEntry.task_id == task.id)
            .order_by(ClearingEntry.day, ClearingEntry.deadline_at)
        )
    ]


def test_default_due_is_the_end_of_todays_working_day(session, clock):
    station = station_of(session, "officer")
    task = _task(session, clock, settings(), station.code)
    assert task.due_at == at(MONDAY, 18)
    clock.set(at(MONDAY, 19))  # after hours: due at tomorrow's end
    late = _task(session, clock, settings(), station.code, title="夜间交办")
    assert late.due_at == at(MONDAY + timedelta(days=1), 18)


def test_undone_task_climbs_station_branch_bureau_one_level_per_day(session, clock):
    s = settings()
    station = station_of(session, "officer")
    branch = unit(session, station.parent_code)
    bureau = unit(session, branch.parent_code)
    task = _task(session, clock, s, station.code)

    clock.set(at(MONDAY, 17, 59))
    assert service.run_clearing(session=session, clock=clock, settings=s) == 0
    clock.set(at(MONDAY, 18, 0))
    assert service.run_clearing(session=session, clock=clock, settings=s) == 1
    assert (task.owner_org_code, task.escalation_level) == (branch.code, 1)
    assert task.due_at == at(MONDAY + timedelta(days=1), 18)
    # Running again the same evening changes nothing: each line is settled once.
    clock.set(at(MONDAY, 23, 59))
    assert service.run_clearing(session=session, clock=clock, settings=s) == 0

    clock.set(at(MONDAY + timedelta(days=1), 18, 1))
    assert service.run_clearing(session=session, clock=clock, settings=s) == 1
    assert (task.owner_org_code, task.escalation_level) == (bureau.code, 2)
    clock.set(at(MONDAY + timedelta(days=2), 18, 1))
    assert service.run_clearing(session=session, clock=clock, settings=s) == 1
    # The city bureau has no parent: the task stays there, one level more overdue.
    assert (task.owner_org_code, task.escalation_level) == (bureau.code, 3)
    assert _lines(session, task) == [
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
    task = _task(session, clock, s, station.code)
    clock.set(at(MONDAY, 18, 5))
    service.run_clearing(session=session, clock=clock, settings=s)
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
    task = _task(session, clock, s, station.code)
    clock.set(at(FRIDAY, 18, 30))
    assert service.run_clearing(session=session, clock=clock, settings=s) == 1
    monday = FRIDAY + timedelta(days=3)
    assert task.due_at == at(monday, 18)
    for hours in (24, 48):  # Saturday and Sunday evenings: no clearing is due
        clock.set(at(FRIDAY, 18, 30) + timedelta(hours=hours))
        assert service.run_clearing(session=session, clock=clock, settings=s) == 0
    clock.set(at(monday, 18, 0))
    assert service.run_clearing(session=session, clock=clock, settings=s) == 1
    assert task.escalation_level == 2


def test_task_due_on_a_sunday_is_cleared_on_monday_in_office_hours(session, clock):
    s = settings(**OFFICE_HOURS)
    station = station_of(session, "officer")
    clock.set(at(FRIDAY + timedelta(days=1), 9))  # Saturday
    task = _task(session, clock, s, station.code, due=at(FRIDAY + timedelta(days=2), 12))
    assert _lines(session, task) == [(station.code, FRIDAY + timedelta(days=3), "pending")]
    clock.set(at(FRIDAY + timedelta(days=2), 23))
    assert service.run_clearing(session=session, clock=clock, settings=s) == 0


def test_done_before_the_end_of_day_is_cleared_and_not_escalated(session, clock):
    s = settings()
    chief = actor(session, "chief")
    station = station_of(session, "chief")
    task = _task(session, clock, s, station.code)
    clock.set(at(MONDAY, 16))
    service.act(session=session, clock=clock, settings=s, actor=chief, task_id=task.id,
                action="done", note="已整改", evidence=["photo:2026-11-23/001.jpg"])
    clock.set(at(MONDAY, 18, 30))
    assert service.run_clearing(session=session, clock=clock, settings=s) == 0
    assert _lines(session, task) == [(station.code, MONDAY, "cleared")]


def test_done_after_the_deadline_before_the_run_counts_late(session, clock):
    s = settings()
    chief = actor(session, "chief")
    task = _task(session, clock, s, station_of(session, "chief").code)
    clock.set(at(MONDAY, 18, 0, ) + timedelta(seconds=5))
    service.act(session=session, clock=clock, settings=s, actor=chief, task_id=task.id,
                action="done")
    assert service.run_clearing(session=session, clock=clock, settings=s) == 0
    assert _lines(session, task)[0][2] == "late"


def test_a_unit_with_a_later_day_end_is_cleared_later(session, clock):
    station = station_of(session, "officer")
    s = settings(day_end_by_org={station.code: "20:00"})
    mine = _task(session, clock, s, station.code)
    other = session.scalars(
        select(SupervisedTask).where(SupervisedTask.id == mine.id)
    ).one()
    assert other.due_at == at(MONDAY, 20)
    clock.set(at(MONDAY, 19))
    assert service.run_clearing(session=session, clock=clock, settings=s) == 0
    clock.set(at(MONDAY, 20))
    assert service.run_clearing(session=session, clock=clock, settings=s) == 1


def test_a_server_down_for_days_catches_up_one_level_per_missed_day(session, clock):
    s = settings()
    station = station_of(session, "officer")
    task = _task(session, clock, s, station.code)
    clock.set(at(MONDAY + timedelta(days=2), 19))  # Wednesday evening, first run since Monday
    assert service.run_clearing(session=session, clock=clock, settings=s) == 3
    assert [line[2] for line in _lines(session, task)] == [
        "escalated", "escalated", "escalated", "pending"
    ]


def test_board_counts_due_cleared_escalated_per_unit_and_day(session, clock):
    s = settings()
    chief = actor(session, "chief")
    supervisor = actor(session, "supervisor")
    station = station_of(session, "chief")
    tasks = [_task(session, clock, s, station.code, title=f"任务{i}") for i in range(4)]
    for task in tasks[:3]:
        service.act(session=session, clock=clock, settings=s, actor=chief, task_id=task.id,
                    action="done")
    board = {b.org_code: b for b in service.clearing_board(session=session, actor=supervisor,
                                                           day=MONDAY)}
    assert (board[station.code].due, board[station.code].pending) == (4, 1)
    clock.set(at(MONDAY, 18, 1))
    service.run_clearing(session=session, clock=clock, settings=s)
    line = {b.org_code: b for b in service.clearing_board(session=session, actor=chief,
                                                          day=MONDAY)}[station.code]
    assert (line.due, line.cleared, line.escalated, line.pending) == (4, 3, 1, 0)
    assert line.clearing_rate == 0.75
    tuesday = {b.org_code: b for b in service.clearing_board(
        session=session, actor=supervisor, day=MONDAY + timedelta(days=1))}
    assert tuesday[station.parent_code].due == 1
    # The chief's scope is the station: the branch's line is not theirs to see.
    assert station.parent_code not in {
        b.org_code for b in service.clearing_board(session=session, actor=chief,
                                                   day=MONDAY + timedelta(days=1))
    }


def test_recurring_duties_fall_on_their_days_and_only_once(session, clock):
    s = settings(**OFFICE_HOURS)
    stations = len(list(session.scalars(
        select(SupervisedTask.id).where(SupervisedTask.source == "recurring"))))
    assert stations == 0
    from yanyun.auth.models import OrgUnit

    n = len(list(session.scalars(select(OrgUnit.code).where(OrgUnit.kind == "station"))))
    # Monday: the daily checklist and the weekly risk inspection.
    assert service.generate_recurring(session=session, clock=clock, settings=s) == 2 * n
    assert service.generate_recurring(session=session, clock=clock, settings=s) == 0
    # Through Tuesday .. Sunday, 2026-11-29: four more checklists (Tue-Fri); none on the weekend.
    clock.set(at(date(2026, 11, 29), 8))
    assert service.generate_recurring(session=session, clock=clock, settings=s) == 4 * n
    # December 20th 2026 is a Sunday: the enterprise service day still falls on it.
    clock.set(at(date(2026, 12, 19), 23, 59))
    service.generate_recurring(session=session, clock=clock, settings=s)
    clock.set(at(date(2026, 12, 20), 0, 1))
    assert service.generate_recurring(session=session, clock=clock, settings=s) == n
    service_day = session.scalars(
        select(SupervisedTask).where(SupervisedTask.source_ref.like("enterprise_service_day:%"))
    ).first()
    assert service_day.due_at == at(date(2026, 12, 20), 18)
    # Due on a Sunday: the clearing counts it on Monday the 21st.
    assert _lines(session, service_day)[0][1] == date(2026, 12, 21)


def test_stations_work_every_day_by_default(session, clock):
    s = settings()
    station = station_of(session, "officer")
    clock.set(at(SATURDAY, 9))
    task = _task(session, clock, s, station.code)
    assert task.due_at == at(SATURDAY, 18)
    assert _lines(session, task) == [(station.code, SATURDAY, "pending")]
    clock.set(at(SATURDAY, 18))
    assert service.run_clearing(session=session, clock=clock, settings=s) == 1
    # Escalated on Saturday evening, due at the branch on Sunday, not Monday.
    assert task.due_at == at(SATURDAY + timedelta(days=1), 18)


def test_daily_checklist_is_due_at_stations_on_the_weekend(session, clock):
    from yanyun.auth.models import OrgUnit

    s = settings()
    n = len(list(session.scalars(select(OrgUnit.code).where(OrgUnit.kind == "station"))))
    clock.set(at(SATURDAY, 8))
    # Saturday 2026-11-28: the daily checklist only (no weekly inspection, no service day).
    assert service.generate_recurring(session=session, clock=clock, settings=s) == n
    sunday = at(SATURDAY + timedelta(days=1), 8)
    clock.set(sunday)
    assert service.generate_recurring(session=session, clock=clock, settings=s) == n


def test_office_hours_by_org_kind_leave_stations_on_every_day(session, clock):
    station = station_of(session, "officer")
    branch = unit(session, station.parent_code)
    s = settings(working_days_by_kind={branch.kind: [0, 1, 2, 3, 4]})
    clock.set(at(FRIDAY, 10))
    task = _task(session, clock, s, station.code)
    clock.set(at(FRIDAY, 18, 30))
    assert service.run_clearing(session=session, clock=clock, settings=s) == 1
    # The branch keeps office hours: the escalated task waits for Monday there.
    assert (task.owner_org_code, task.due_at) == (branch.code, at(FRIDAY + timedelta(days=3), 18))
    # The station itself still works on Saturday.
    clock.set(at(SATURDAY, 9))
    saturday_task = _task(session, clock, s, station.code, title="周六交办")
    assert saturday_task.due_at == at(SATURDAY, 18)


def test_a_units_own_days_override_its_kind(session, clock):
    station = station_of(session, "officer")
    s = settings(working_days_by_kind={"station": [0, 1, 2, 3, 4]},
                 working_days_by_org={station.code: [0, 1, 2, 3, 4, 5, 6]})
    clock.set(at(SATURDAY, 9))
    assert _task(session, clock, s, station.code).due_at == at(SATURDAY, 18)
    other = other_station(session, station.code)
    assert _task(session, clock, s, other.code).due_at == at(SATURDAY + timedelta(days=2), 18)


def test_holiday_calendar_moves_office_units_but_not_stations(session, clock, tmp_path):
    calendar = tmp_path / "holidays.json"
    # National Day week off, Saturday 10 October worked (调休).
    calendar.write_text(
        '{"holidays": ["2026-10-01..2026-10-07"], "workdays": ["2026-10-10"]}', encoding="utf-8"
    )
    station = station_of(session, "officer")
    branch = unit(session, station.parent_code)
    bureau = unit(session, branch.parent_code)
    office = [0, 1, 2, 3, 4]
    s = settings(working_days_by_kind={branch.kind: office, bureau.kind: office},
                 holiday_calendar_file=str(calendar))
    clock.set(at(date(2026, 9, 30), 10))
    task = _task(session, clock, s, station.code)
    clock.set(at(date(2026, 9, 30), 18))
    assert service.run_clearing(session=session, clock=clock, settings=s) == 1
    # Thursday 1 October to Wednesday 7th are holidays, the 8th and 9th working days.
    assert task.due_at == at(date(2026, 10, 8), 18)
    clock.set(at(date(2026, 10, 1), 9))
    assert _task(session, clock, s, station.code, title="国庆值守").due_at == at(
        date(2026, 10, 1), 18)
    clock.set(at(date(2026, 10, 9), 19))
    service.run_clearing(session=session, clock=clock, settings=s)
    # The branch's Thursday passed undone, then the bureau's Friday: the bureau's next
    # working day is the 调休 Saturday, not Monday.
    assert task.owner_org_code == bureau.code
    assert task.due_at == at(date(2026, 10, 10), 18)


def test_shipped_calendar_and_bad_calendars(tmp_path):
    import pytest
    from pydantic import ValidationError

    shipped = settings(holiday_calendar_file="cn-2026").holiday_calendar
    assert date(2026, 10, 1) in shipped.holidays and date(2026, 10, 10) in shipped.workdays
    bad = tmp_path / "bad.json"
    for text, reason in [
        ('{"holidays": ["2026-10-01"], "workdays": ["2026-10-01"]}', "既是假日又是调休工作日"),
        ('{"holidays": ["2026-13-01"]}', "日期格式错误"),
        ('{"holidays": ["2026-10-07..2026-10-01"]}', "区间"),
        ("not json", "无法读取"),
    ]:
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(ValidationError, match=reason):
            settings(holiday_calendar_file=str(bad))
    with pytest.raises(ValidationError, match="至少一天"):
        settings(working_days=[])
