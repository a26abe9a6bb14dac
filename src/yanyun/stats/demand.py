"""Expected incidents per grid and hour of a day: the forecast says where, history says when.

A next-day forecast ranks places for the whole day. Planning hour by hour
(tidal deployment, 潮汐警力) needs the day spread over its hours. Each
grid's own hours are few (a busy urban grid sees a handful of incidents a
week), so its hour-of-day profile is pulled towards the whole area's
profile and smoothed over neighbouring hours before it is used. Plain
arrays in and out; the platform's service and the simulator's check both
call these.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from yanyun.stats.backtest import default_area
from yanyun.stats.forecast import Forecaster
from yanyun.stats.grid import EventSet

HOURS = 24


def _circular_smooth(counts: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Smooth the last axis (24 hours) with a short symmetric kernel, wrapping at midnight."""
    half = len(kernel) // 2
    out = np.zeros_like(counts, dtype=float)
    for k, w in enumerate(kernel):
        out += w * np.roll(counts, k - half, axis=-1)
    return out


def hour_profiles(
    group: np.ndarray,
    hour: np.ndarray,
    n_groups: int,
    *,
    prior_weight: float = 10.0,
    smooth: tuple[float, ...] = (0.25, 0.5, 0.25),
) -> np.ndarray:
    """Each group's share of its incidents by local hour, shape (n_groups, 24), rows summing to 1.

    `group` is each incident's group (a grid's index; -1 for none) and
    `hour` its local hour 0-23. A group's counts are smoothed over
    neighbouring hours (`smooth`, wrapping at midnight) and pulled towards
    the area's smoothed profile with the weight of `prior_weight`
    incidents; a group with no incidents gets the area's profile.

    >>> g = np.array([0, 0, 0, 1])
    >>> h = np.array([22, 22, 23, 10])
    >>> p = hour_profiles(g, h, 3, prior_weight=0, smooth=(1.0,))
    >>> p[0, 22].round(3), p[0, 23].round(3), p[1, 10].round(3)
    (np.float64(0.667), np.float64(0.333), np.float64(1.0))
    >>> p[2, 22].round(3)  # no incidents: the area's profile (3 of 4 at 22-23 h)
    np.float64(0.5)
    >>> hour_profiles(g[:0], h[:0], 2)[0, 0].round(4)  # no history at all: flat
    np.float64(0.0417)
    """
    group = np.asarray(group, dtype=np.int64)
    hour = np.asarray(hour, dtype=np.int64)
    ok = (group >= 0) & (group < n_groups)
    counts = np.bincount(
        group[ok] * HOURS + hour[ok], minlength=n_groups * HOURS
    ).reshape(n_groups, HOURS).astype(float)
    kernel = np.asarray(smooth, dtype=float)
    kernel = kernel / kernel.sum()
    counts = _circular_smooth(counts, kernel)
    area = counts.sum(axis=0)
    area = area / area.sum() if area.sum() > 0 else np.full(HOURS, 1.0 / HOURS)
    totals = counts.sum(axis=1, keepdims=True)
    denominator = totals + prior_weight
    return np.divide(
        counts + prior_weight * area,
        denominator,
        out=np.tile(area, (n_groups, 1)),
        where=denominator > 0,
    )


def expected_daily(events: EventSet, day: int, *, days: int = 28) -> float:
    """Mean incidents a day over the `days` days before `day` (fewer when the history is short).

    The forecast methods differ in scale (counts, densities, expected
    events); this puts their shares back in incidents.
    """
    first = float(np.floor(events.t[0])) if events.size else float(day)
    start = max(float(day - days), first)
    span = float(day) - start
    if span <= 0:
        return 0.0
    n = int(np.searchsorted(events.t, day) - np.searchsorted(events.t, start))
    return n / span


def grid_hour_demand(
    *,
    risk: np.ndarray,
    cell_group: np.ndarray,
    n_groups: int,
    profiles: np.ndarray,
    expected_incidents: float,
) -> np.ndarray:
    """Expected incidents per group and hour, shape (n_groups, 24).

    `risk` holds the forecast of the cells that may carry risk and
    `cell_group` the group of each of those cells (-1: none of the groups,
    say a rural cell when only urban grids are planned). A group's share of
    the whole risk, times the day's expected incidents, spread over the
    hours by its profile.

    >>> prof = np.full((2, 24), 1 / 24)
    >>> d = grid_hour_demand(risk=np.array([3.0, 1.0, 4.0]), cell_group=np.array([0, 1, -1]),
    ...                      n_groups=2, profiles=prof, expected_incidents=48)
    >>> d.sum(axis=1).round(1).tolist()  # 3/8 and 1/8 of 48; the rest falls outside
    [18.0, 6.0]
    """
    risk = np.asarray(risk, dtype=float)
    cell_group = np.asarray(cell_group, dtype=np.int64)
    total = float(risk.sum())
    if total <= 0:
        return np.zeros((n_groups, HOURS))
    ok = cell_group >= 0
    sums = np.bincount(cell_group[ok], weights=risk[ok], minlength=n_groups)[:n_groups]
    return (sums / total * expected_incidents)[:, None] * profiles


def history_demand(
    group: np.ndarray, hour: np.ndarray, n_groups: int, *, days: float
) -> np.ndarray:
    """Incidents per group and hour in the history, per day: the raw counts a plan may use.

    >>> history_demand(np.array([0, 0, 1]), np.array([5, 5, 6]), 2, days=2)[:, 5:7].tolist()
    [[1.0, 0.0], [0.0, 0.5]]
    """
    group = np.asarray(group, dtype=np.int64)
    ok = (group >= 0) & (group < n_groups)
    counts = np.bincount(
        group[ok] * HOURS + np.asarray(hour)[ok], minlength=n_groups * HOURS
    ).reshape(n_groups, HOURS)
    return counts / max(days, 1e-9)


def event_hours(events: EventSet) -> np.ndarray:
    """Local hour 0-23 of each event (EventSet times are local)."""
    return np.floor(np.mod(events.t, 1.0) * HOURS).astype(np.int64) % HOURS


def forecast_demand(
    events: EventSet,
    day: int,
    *,
    method: Forecaster,
    group_of: Callable[[np.ndarray, np.ndarray], np.ndarray],
    n_groups: int,
    expected_days: int = 28,
    prior_weight: float = 10.0,
) -> np.ndarray:
    """Expected incidents per group and hour of `day`, shape (n_groups, 24), from the forecast.

    The method forecasts the day's risk per cell from the events before
    `day` only; each cell that has seen an incident (the footprint) gives
    its risk to the group its centre lies in (`group_of(lng, lat)`: an index
    below `n_groups`, -1 for none); the groups' profiles come from the same
    past events.
    """
    past = events.until(day)
    if past.size == 0:
        return np.zeros((n_groups, HOURS))
    risk = method.forecast(past, day)
    area = default_area(events, day)
    cx, cy = events.grid.centres_xy(area)
    cell_group = np.asarray(group_of(*events.grid.projection.inverse(cx, cy)), dtype=np.int64)
    ev_group = np.asarray(group_of(*events.grid.projection.inverse(past.x, past.y)), np.int64)
    profiles = hour_profiles(ev_group, event_hours(past), n_groups, prior_weight=prior_weight)
    return grid_hour_demand(
        risk=risk[area],
        cell_group=cell_group,
        n_groups=n_groups,
        profiles=profiles,
        expected_incidents=expected_daily(events, day, days=expected_days),
    )
