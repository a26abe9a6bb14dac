"""Supervised tasks: a new task's default due time."""

from __future__ import annotations

from datetime import timedelta

from tests.oversight.helpers import (
    MONDAY,
    at,
    new_task,
    settings,
    station_of,
)


def test_default_due_is_the_end_of_todays_working_day(session, clock):
    station = station_of(session, "officer")
    task = new_task(session, clock, settings(), station.code)
    assert task.due_at == at(MONDAY, 18)
    clock.set(at(MONDAY, 19))  # after hours: due at tomorrow's end
    late = new_task(session, clock, settings(), station.code, title="夜间交办")
    assert late.due_at == at(MONDAY + timedelta(days=1), 18)
