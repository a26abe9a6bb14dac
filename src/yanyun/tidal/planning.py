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
from scipy.optimize import linear_sum_assignment

from yanyun.geo.travel import UNIT_KIND_CODES, TravelTimeEstimator


@dataclass(frozen=True)
class HourPlan:
    """The recommended stand points of one hour and the coverage each placement gives."""

    hour: int
    incidents: float  # incidents, or expected incidents when the demand is a forecast
    stands: np.ndarray  # indices into the candidate arrays
    covered_recommended: float
    covered_current: float

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

    The gains are kept and lowered by what each pick newly covers, so a pick
    costs one pass over the newly covered columns, not over the matrix.

    >>> r = np.array([[1, 1, 0, 0], [0, 0, 1, 0], [0, 1, 1, 1]], dtype=bool)
    >>> greedy_max_coverage(r, 2).tolist()
    [2, 0]
    >>> greedy_max_coverage(r[:, :0], 2).tolist()  # no incidents: nothing to cover
    []
    """
    w = np.ones(reach.shape[1]) if weights is None else np.asarray(weights, dtype=float)
    live = w > 0
    reach = reach[:, live]
    w = w[live]
    chosen: list[int] = []
    if reach.shape[1] == 0:
        return np.array(chosen, dtype=np.int64)
    dense = reach.astype(np.float64)
    gains = dense @ w
    covered = np.zeros(reach.shape[1], dtype=bool)
    # Subtracting leaves rounding dust where a gain should be exactly zero.
    floor = 1e-9 * float(w.sum())
    for _ in range(min(k, reach.shape[0])):
        best = int(np.argmax(gains))
        if gains[best] <= floor:
            break
        chosen.append(best)
        new = reach[best] & ~covered
        covered |= new
        gains -= dense[:, new] @ w[new]
        gains[chosen] = -np.inf
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


def greedy_within_reach_of_units(
    reach: np.ndarray, weights: np.ndarray, eligible: np.ndarray, unit_cost: np.ndarray
) -> np.ndarray:
    """Greedy maximum coverage where each unit may take only the stands it is allowed to.

    `eligible` (units x candidates) says which stand points each unit may
    move to (say, within a few kilometres of its platform); `unit_cost`
    (same shape) how far. Each step takes the stand that newly covers the
    most weight among those a still-free unit may take, and gives it to the
    nearest such unit. Returns each unit's candidate index, -1 where a unit
    got none (it stays). Greedy under this constraint (a partition matroid)
    is within 1/2 of the optimum.

    >>> r = np.array([[1, 1, 0], [0, 0, 1], [0, 1, 1]], dtype=bool)
    >>> ok = np.array([[True, True, False], [False, True, True]])
    >>> greedy_within_reach_of_units(r, np.ones(3), ok, ok * 1.0).tolist()
    [0, 1]
    """
    n_units = eligible.shape[0]
    out = np.full(n_units, -1, dtype=np.int64)
    w = np.asarray(weights, dtype=float)
    live = w > 0
    reach, w = reach[:, live], w[live]
    if reach.shape[1] == 0 or n_units == 0:
        return out
    dense = reach.astype(np.float64)
    gains = dense @ w
    covered = np.zeros(reach.shape[1], dtype=bool)
    free = np.ones(n_units, dtype=bool)
    floor = 1e-9 * float(w.sum())
    for _ in range(n_units):
        allowed = eligible[free].any(axis=0)
        best = int(np.argmax(np.where(allowed, gains, -np.inf)))
        if not allowed[best] or gains[best] <= floor:
            break
        takers = np.flatnonzero(free & eligible[:, best])
        unit = int(takers[np.argmin(unit_cost[takers, best])])
        out[unit] = best
        free[unit] = False
        new = reach[best] & ~covered
        covered |= new
        gains -= dense[:, new] @ w[new]
        gains[best] = -np.inf
    return out


def plan_day(
    *,
    reach: np.ndarray,
    current_reach: np.ndarray,
    demand: np.ndarray,
    units: int,
    eligible: np.ndarray | None = None,
    unit_cost: np.ndarray | None = None,
) -> list[HourPlan]:
    """For each hour, the best `units` stand points for a demand on fixed points.

    When the demand sits on fixed points (grid centres), which points a
    stand reaches does not change with the hour; only the weights do. So
    `reach` (candidates x points) and `current_reach` (current positions x
    points) are computed once and `demand` (24 x points, incidents or
    expected incidents) weighs them hour by hour. With `eligible` (units x
    candidates) each unit only takes a stand it may move to, and
    `HourPlan.stands` holds one entry per unit (-1: it stays).

    >>> reach = np.array([[1, 1, 0], [0, 0, 1]], dtype=bool)
    >>> demand = np.zeros((24, 3)); demand[8] = [1, 1, 5]
    >>> p = plan_day(reach=reach, current_reach=reach[:1], demand=demand, units=1)[8]
    >>> p.stands.tolist(), round(p.share_recommended, 3), round(p.share_current, 3)
    ([1], 0.714, 0.286)
    """
    plans = []
    cur_any = current_reach.any(axis=0) if len(current_reach) else np.zeros(reach.shape[1], bool)
    for hour in range(24):
        w = np.asarray(demand[hour], dtype=float)
        total = float(w.sum())
        if total <= 0:
            empty = np.array([], dtype=np.int64) if eligible is None else np.full(units, -1)
            plans.append(HourPlan(hour, 0.0, empty, 0.0, 0.0))
            continue
        if eligible is None:
            stands = greedy_max_coverage(reach, units, w)
            chosen = stands
        else:
            cost = eligible * 1.0 if unit_cost is None else unit_cost
            stands = greedy_within_reach_of_units(reach, w, eligible, cost)
            chosen = stands[stands >= 0]
        rec = float(w[reach[chosen].any(axis=0)].sum()) if len(chosen) else 0.0
        plans.append(HourPlan(hour, total, stands, rec, float(w[cur_any].sum())))
    return plans


def assign_units(
    unit_lng: np.ndarray,
    unit_lat: np.ndarray,
    stand_lng: np.ndarray,
    stand_lat: np.ndarray,
    *,
    max_move_m: float | None = None,
) -> np.ndarray:
    """Which stand each unit takes (-1: it stays), with the least total distance to travel.

    A stand plan says where units should be, not who goes: the assignment
    that moves the fleet least (Hungarian method on straight-line metres),
    never sending a unit further than `max_move_m` when a limit is given.

    >>> assign_units(np.array([0.0, 1.0]), np.array([0.0, 0.0]),
    ...              np.array([1.01]), np.array([0.0])).tolist()
    [-1, 0]
    """
    out = np.full(len(unit_lng), -1, dtype=np.int64)
    if len(unit_lng) == 0 or len(stand_lng) == 0:
        return out
    lat0 = np.radians(np.mean(unit_lat))
    dx = (np.asarray(unit_lng)[:, None] - np.asarray(stand_lng)[None, :]) * np.cos(lat0)
    dy = np.asarray(unit_lat)[:, None] - np.asarray(stand_lat)[None, :]
    cost = np.hypot(dx, dy) * 111_320.0
    too_far = np.zeros_like(cost, dtype=bool) if max_move_m is None else cost > max_move_m
    # A forbidden pair costs more than any allowed assignment could.
    big = float(cost.sum()) + 1.0
    rows, cols = linear_sum_assignment(np.where(too_far, big, cost))
    ok = ~too_far[rows, cols]
    out[rows[ok]] = cols[ok]
    return out
