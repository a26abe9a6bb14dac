"""Working days: stations every day, office hours by kind or unit, holiday calendars."""

from __future__ import annotations

from datetime import date, timedelta

from tests.oversight.helpers import (
    FRIDAY,
    SATURDAY,
    at,
    ledger_lines,
    new_task,
    other_station,
    settings,
    station_of,
    unit,
)
from yanyun.oversight import clearing


def test_stations_work_every_day_by_default(session, clock):
    s = settings()
    station = station_of(session, "officer")
    clock.set(at(SATURDAY, 9))
    task = new_task(session, clock, s, station.code)
    assert task.due_at == at(SATURDAY, 18)
    assert ledger_lines(session, task) == [(station.code, SATURDAY, "pending")]
    clock.set(at(SATURDAY, 18))
    assert clearing.run_clearing(session=session, clock=clock, settings=s) == 1
    # Escalated on Saturday evening, due at the branch on Sunday, not Monday.
    assert task.due_at == at(SATURDAY + timedelta(days=1), 18)


def test_office_hours_by_org_kind_leave_stations_on_every_day(session, clock):
    station = station_of(session, "officer")
    branch = unit(session, station.parent_code)
    s = settings(working_days_by_kind={branch.kind: [0, 1, 2, 3, 4]})
    clock.set(at(FRIDAY, 10))
    task = new_task(session, clock, s, station.code)
    clock.set(at(FRIDAY, 18, 30))
    assert clearing.run_clearing(session=session, clock=clock, settings=s) == 1
    # The branch keeps office hours: the escalated task waits for Monday there.
    assert (task.owner_org_code, task.due_at) == (branch.code, at(FRIDAY + timedelta(days=3), 18))
    # The station itself still works on Saturday.
    clock.set(at(SATURDAY, 9))
    saturday_task = new_task(session, clock, s, station.code, title="周六交办")
    assert saturday_task.due_at == at(SATURDAY, 18)


def test_a_units_own_days_override_its_kind(session, clock):
    station = station_of(session, "officer")
    s = settings(working_days_by_kind={"station": [0, 1, 2, 3, 4]},
                 working_days_by_org={station.code: [0, 1, 2, 3, 4, 5, 6]})
    clock.set(at(SATURDAY, 9))
    assert new_task(session, clock, s, station.code).due_at == at(SATURDAY, 18)
    other = other_station(session, station.code)
    assert new_task(session, clock, s, other.code).due_at == at(SATURDAY + timedelta(days=2), 18)


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
    task = new_task(session, clock, s, station.code)
    clock.set(at(date(2026, 9, 30), 18))
    assert clearing.run_clearing(session=session, clock=clock, settings=s) == 1
    # Thursday 1 October to Wednesday 7th are holidays, the 8th and 9th working days.
    assert task.due_at == at(date(2026, 10, 8), 18)
    clock.set(at(date(2026, 10, 1), 9))
    assert new_task(session, clock, s, station.code, title="国庆值守").due_at == at(
        date(2026, 10, 1), 18)
    clock.set(at(date(2026, 10, 9), 19))
    clearing.run_clearing(session=session, clock=clock, settings=s)
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
