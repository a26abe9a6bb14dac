"""Tidal planning: the greedy placement by hour."""

from __future__ import annotations

import numpy as np

from yanyun.geo.travel import GreatCircleEstimator
from yanyun.tidal.planning import greedy_max_coverage, plan_hours


def test_greedy_tidal_plan_covers_at_least_the_current_placement():
    rng = np.random.default_rng(3)
    hot = np.array([[112.60, 26.90], [112.62, 26.88]])
    n = 400
    centre = hot[rng.integers(0, 2, n)]
    inc = centre + rng.normal(0, 0.004, (n, 2))
    hours = np.where(centre[:, 0] < 112.61, 21, 8)
    cand = np.column_stack([rng.uniform(112.58, 112.64, 60), rng.uniform(26.86, 26.92, 60)])
    plans = plan_hours(
        inc_lng=inc[:, 0],
        inc_lat=inc[:, 1],
        inc_hour=hours,
        target_s=np.full(n, 180.0),
        urban=np.ones(n, dtype=bool),
        cand_lng=cand[:, 0],
        cand_lat=cand[:, 1],
        current_lng=np.array([112.65, 112.56]),
        current_lat=np.array([26.93, 26.85]),
        units=2,
        estimator=GreatCircleEstimator(),
    )
    for hour in (8, 21):
        plan = plans[hour]
        assert plan.incidents > 0 and len(plan.stands) <= 2
        assert plan.share_recommended > plan.share_current
    assert plans[3].incidents == 0 and greedy_max_coverage(np.zeros((0, 5), bool), 3).size == 0
