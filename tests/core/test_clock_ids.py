from datetime import UTC, datetime, timedelta

import pytest

from yanyun.core.clock import FrozenClock, as_utc, local_date
from yanyun.core.ids import id_time, new_id


def test_frozen_clock_moves_only_forward():
    clock = FrozenClock(datetime(2026, 11, 23, 1, 0, tzinfo=UTC))
    clock.advance(90)
    assert clock.now() == datetime(2026, 11, 23, 1, 1, 30, tzinfo=UTC)
    with pytest.raises(ValueError):
        clock.advance(timedelta(seconds=-1))


def test_frozen_clock_refuses_naive_time():
    with pytest.raises(ValueError):
        FrozenClock(datetime(2026, 11, 23))


def test_local_date_is_the_bureaus_day():
    # 17:30 UTC is 01:30 the next day in Asia/Shanghai.
    assert str(local_date(datetime(2026, 11, 23, 17, 30, tzinfo=UTC))) == "2026-11-24"
    assert as_utc(datetime(2026, 11, 23, 8)).tzinfo is UTC


def test_ids_sort_by_clock_time_and_are_unique():
    clock = FrozenClock(datetime(2026, 11, 23, tzinfo=UTC))
    ids = []
    for _ in range(50):
        ids.append(new_id(clock))
        clock.advance(0.002)
    assert ids == sorted(ids)
    assert len(set(ids)) == 50
    assert id_time(ids[0]) == datetime(2026, 11, 23, tzinfo=UTC)
