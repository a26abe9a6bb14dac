"""Tidal deployment through the simulator on the test city."""

from __future__ import annotations

from datetime import timedelta

from yanyun.sim import tidal


def test_tidal_plan_checked_on_a_held_out_day(session, clock):
    day = clock.now().replace(hour=16, minute=0)  # 00:00 in Asia/Shanghai
    history, held_out = tidal.history_from_calls(
        session, seed=3, start=day - timedelta(days=2), days=2, per_hour=20
    )
    assert len(history.lng) > 100 and held_out
    assert all(0 <= c.at_s < 24 * 3600 for c in held_out)
    result = tidal.compare(session, history=history, held_out=held_out, day_start=day)
    assert result.units > 0 and len(result.plans) == 24
    assert all(len(x) == result.units for x in result.stands_lng)
    # On the incidents it was planned on, the plan never does worse than today.
    assert result.planned_recommended >= result.planned_current
    assert result.simulated_calls > 0
    assert 0 <= result.simulated_current <= 1 and 0 <= result.simulated_recommended <= 1
    assert "潮汐警力" in tidal.format_comparison(result)
