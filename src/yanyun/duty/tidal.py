"""Tidal deployment (潮汐警力): where quick-response units should stand, hour by hour.

Incidents follow the city's daily tide: the night economy, the school run,
the tourist crowd. For each hour of the day, the incidents of that hour in
the history are the demand; the units should stand where the most of them
can be reached within their arrival target. This is maximum coverage, solved
greedily (each step takes the stand point that reaches the most incidents
not yet reached), which is within 1 - 1/e of the optimum and exact enough
for a duty plan. Plain arrays in and out: the caller reads the history.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from yanyun.geo.travel import UNIT_KIND_CODES, TravelTimeEstimator


@dataclass(frozen=True)
class HourPlan:
    """The recommended stand points of one hour and the coverage each placement gives."""

    hour: int
    incidents: int
    stands: np.ndarray  # indices into the candidate arrays
    covered_recommended: int
    covered_current: int

    @property
    def share_recommended(self) -> float:
        return self.covered_recommended / self.incidents if self.incidents else 0.0

    @property
    def share_current(self) -> float:
        return self.covered_current / self.incidents if self.incidents else 0.0


def reach_matrix(
    from_lng: np.ndarray,
    from_lat: np.ndarray,
    inc_lng: np.ndarray,
    inc_lat: np.ndarray,
    target_s: np.ndarray,
    urban: np.ndarray,
    *,
    estimator: TravelTimeEstimator,
    unit_kind: str = "quick_response",
) -> np.ndarray:
    """Boolean (points x incidents): a unit standing at the point arrives within target.

    Travel time is taken from the incident to the point (great-circle
    estimates are symmetric), one vectorised call per point and area kind.
    """
    code = UNIT_KIND_CODES[unit_kind]
    out = np.zeros((len(from_lng), len(inc_lng)), dtype=bool)
    kinds = np.full(len(inc_lng), code, dtype=np.int8)
    for is_urban in (True, False):
        mask = urban == is_urban
        if not mask.any():
            continue
        for i in range(len(from_lng)):
            eta = estimator.eta_s_array(
                inc_lng[mask],
                inc_lat[mask],
                float(from_lng[i]),
                float(from_lat[i]),
                unit_kinds=kinds[mask],
                urban=is_urban,
            )
            out[i, mask] = eta <= target_s[mask]
    return out


def greedy_max_coverage(reach: np.ndarray, k: int, weights: np.ndarray | None = None) -> np.ndarray:
    """Indices of up to k rows that together cover the most (weighted) columns, greedily.

    >>> r = np.array([[1, 1, 0, 0], [0, 0, 1, 0], [0, 1, 1, 1]], dtype=bool)
    >>> greedy_max_coverage(r, 2).tolist()
    [2, 0]
    >>> greedy_max_coverage(r[:, :0], 2).tolist()  # no incidents: nothing to cover
    []
    """
    chosen: list[int] = []
    covered = np.zeros(reach.shape[1], dtype=bool)
    w = np.ones(reach.shape[1]) if weights is None else np.asarray(weights, dtype=float)
    for _ in range(min(k, reach.shape[0])):
        gains = reach[:, ~covered].astype(float) @ w[~covered]
        if chosen:
            gains[chosen] = -1
        best = int(np.argmax(gains))
        if gains[best] <= 0:
            break
        chosen.append(best)
        covered |= reach[best]
    return np.array(chosen, dtype=np.int64)


def plan_hours(
    *,
    inc_lng: np.ndarray,
    inc_lat: np.ndarray,
    inc_hour: np.ndarray,
    target_s: np.ndarray,
    urban: np.ndarray,
    cand_lng: np.ndarray,
    cand_lat: np.ndarray,
    current_lng: np.ndarray,
    current_lat: np.ndarray,
    units: int,
    estimator: TravelTimeEstimator,
    weight: np.ndarray | None = None,
) -> list[HourPlan]:
    """For each hour 0-23, the best `units` stand points and the coverage vs the current one.

    The demand may be incidents (weight 1 each) or incidents counted by grid
    and hour at the grid's centre (``weight`` = count): counting by grid
    keeps the plan from chasing last week's individual addresses, which a
    day it has not seen will not repeat.
    """
    weight = np.ones(len(inc_lng)) if weight is None else np.asarray(weight, dtype=float)
    plans = []
    for hour in range(24):
        m = inc_hour == hour
        n = round(float(weight[m].sum()))
        if n == 0:
            plans.append(HourPlan(hour, 0, np.array([], dtype=np.int64), 0, 0))
            continue
        args = (inc_lng[m], inc_lat[m], target_s[m], urban[m])
        reach = reach_matrix(cand_lng, cand_lat, *args, estimator=estimator)
        stands = greedy_max_coverage(reach, units, weight[m])
        rec = float(weight[m][reach[stands].any(axis=0)].sum()) if len(stands) else 0.0
        cur_reach = reach_matrix(current_lng, current_lat, *args, estimator=estimator)
        cur = float(weight[m][cur_reach.any(axis=0)].sum())
        plans.append(HourPlan(hour, n, stands, round(rec), round(cur)))
    return plans


def covered(
    stand_lng: np.ndarray,
    stand_lat: np.ndarray,
    inc_lng: np.ndarray,
    inc_lat: np.ndarray,
    target_s: np.ndarray,
    urban: np.ndarray,
    *,
    estimator: TravelTimeEstimator,
) -> int:
    """How many incidents a unit standing at one of the points reaches within target."""
    if len(inc_lng) == 0 or len(stand_lng) == 0:
        return 0
    reach = reach_matrix(
        stand_lng, stand_lat, inc_lng, inc_lat, target_s, urban, estimator=estimator
    )
    return int(reach.any(axis=0).sum())
