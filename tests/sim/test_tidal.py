"""Tidal deployment through the simulator on the test city: history and forecast demand."""

from __future__ import annotations

import doctest
from datetime import timedelta

import numpy as np
import pytest

import yanyun.stats.demand as stats_demand
import yanyun.tidal.planning as duty_tidal
from yanyun.geo.coords import distance_m_array
from yanyun.sim import tidal
from yanyun.stats.settings import StatsSettings


def test_tidal_plans_checked_on_held_out_days(session, clock):
    day = clock.now().replace(hour=16, minute=0)  # 00:00 in Asia/Shanghai
    start = day - timedelta(days=3)
    grids = tidal.urban_grids(session)
    calls = tidal.call_stream(session, seed=3, start=start, days=5, per_hour=20)
    history = tidal.history_from_calls(grids, calls, start=start)
    held_out = tidal.split_days(calls, start=start, first_day=3, days=2)
    assert len(held_out) == 2 and all(0 <= c.at_s < 86400 for _, cs in held_out for c in cs)
    result = tidal.compare(
        session,
        history=history,
        held_out=held_out,
        history_days=3,
        stats=StatsSettings(window_days=30),
        grids=grids,
    )
    assert result.placements == ["current", "history", "forecast"]
    assert result.units > 0 and len(result.days) == 2
    same_calls = {int(result.calls[n].sum()) for n in result.placements}
    assert len(same_calls) == 1 and same_calls.pop() > 0
    for name in result.placements:
        assert 0 <= result.share(name) <= 1
    # A plan covers at least as much of its own demand as the units standing still.
    last = result.placement_of_last_day
    for source in ("history", "forecast"):
        assert all(p.covered_recommended >= p.covered_current - 1e-9 for p in last[source].plans)
        assert last[source].lng.shape == (24, result.units)
    text = tidal.format_comparison(result)
    assert "潮汐警力" in text and "plan from the forecast" in text


def test_forecast_demand_spreads_the_day_by_each_grids_hours(session, clock):
    day = clock.now().replace(hour=16, minute=0)
    start = day - timedelta(days=7)
    grids = tidal.urban_grids(session)
    calls = tidal.call_stream(session, seed=5, start=start, days=7, per_hour=20)
    history = tidal.history_from_calls(grids, calls, start=start)
    stats = StatsSettings(window_days=30)
    by_forecast = tidal.demand(
        history, grids, source="forecast", day_start=day, days=7, stats=stats
    )
    by_counts = tidal.demand(history, grids, source="history", day_start=day, days=7, stats=stats)
    assert by_forecast.shape == by_counts.shape == (24, len(grids.codes))
    # Both say about as many urban incidents a day (counts: exactly the mean).
    assert by_counts.sum() == pytest.approx(len(history.lng) / 7)
    assert 0.5 * by_counts.sum() < by_forecast.sum() <= 1.01 * by_counts.sum()
    # The forecast follows the city's rhythm: evenings busier than the small hours.
    assert by_forecast[20].sum() > by_forecast[4].sum()
    # Smoothing spreads it: more grids carry some demand in an hour than had incidents.
    assert (by_forecast[4] > 0).sum() > (by_counts[4] > 0).sum()


def test_doctests_of_the_tidal_algorithm_and_demand():
    for module in (duty_tidal, stats_demand):
        assert doctest.testmod(module).failed == 0


def test_unit_assignment_moves_the_fleet_least():
    taken = duty_tidal.assign_units(
        np.array([0.0, 0.0, 1.0]), np.array([0.0, 1.0, 0.0]),
        np.array([1.0, 0.0]), np.array([0.01, 0.99]),
    )
    assert taken.tolist() == [-1, 1, 0]


def test_a_plan_never_sends_a_unit_further_than_the_limit(session, clock):
    day = clock.now().replace(hour=16, minute=0)
    start = day - timedelta(days=3)
    grids = tidal.urban_grids(session)
    calls = tidal.call_stream(session, seed=7, start=start, days=3, per_hour=20)
    history = tidal.history_from_calls(grids, calls, start=start)
    _, cur_lng, cur_lat = tidal.quick_response_homes(session)
    by_hour = tidal.demand(
        history, grids, source="forecast", day_start=day, days=3,
        stats=StatsSettings(window_days=30),
    )
    free = tidal.Planner.build(grids, cur_lng, cur_lat).plan(by_hour)
    limited = tidal.Planner.build(grids, cur_lng, cur_lat, max_move_m=2000).plan(by_hour)
    moved = distance_m_array(np.tile(cur_lng, (24, 1)), np.tile(cur_lat, (24, 1)),
                             limited.lng, limited.lat)
    assert moved.max() <= 2000 + 1 and moved.max() > 0
    unlimited = distance_m_array(np.tile(cur_lng, (24, 1)), np.tile(cur_lat, (24, 1)),
                                 free.lng, free.lat)
    assert unlimited.max() > 2000
    own = sum(p.covered_recommended for p in limited.plans)
    assert own <= sum(p.covered_recommended for p in free.plans) + 1e-9
    assert own >= sum(p.covered_current for p in limited.plans) - 1e-9
