"""Heat, levels and velocity as plain functions over plain data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from yanyun.opinion import heat

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def test_heat_grows_with_volume_speed_and_reach_and_levels_follow_thresholds() -> None:
    slow = heat.heat_score(volume=30, velocity=1, reach=0)
    fast = heat.heat_score(volume=30, velocity=30, reach=0)
    wide = heat.heat_score(volume=30, velocity=1, reach=100_000)
    assert fast > slow and wide > slow
    assert [heat.heat_level(h, [20, 50, 100]) for h in (0, 19.9, 20, 99, 100, 500)] == [
        0,
        0,
        1,
        2,
        3,
        3,
    ]
    times = [T0 + timedelta(minutes=m) for m in (0, 5, 10, 70, 75)]
    assert heat.velocity_per_h(times, window_s=3600) == 2.0  # 02:10 and 02:15
    assert heat.hourly_curve(times, start=T0, hours=3) == [3, 2, 0]
