"""The day's expected incidents per grid and hour, as the tidal planner asks for them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from yanyun.auth.service import Actor
from yanyun.core.clock import SHANGHAI
from yanyun.core.errors import Invalid
from yanyun.stats.demand import event_hours, forecast_demand, history_demand
from yanyun.stats.service import HISTORY_DEMAND_DAYS, load_incidents, method_of, regrid
from yanyun.stats.settings import StatsSettings


@dataclass
class GridHourDemand:
    """Expected incidents per group (grid) and local hour of one day, and where they came from."""

    day: date
    source: str  # "forecast" or "history"
    method: str  # the forecast method, or "counts" for raw history
    incidents_used: int
    demand: np.ndarray  # (n_groups, 24)


def grid_hour_demand(
    *,
    session: Session,
    actor: Actor,
    stats: StatsSettings,
    day: date,
    source: str,
    group_of: Any,
    n_groups: int,
) -> GridHourDemand:
    """The day's expected incidents per grid and hour, from the forecast or from raw counts.

    `forecast`: the platform's next-day method on the incidents before the
    day, spread over the hours by each grid's smoothed hour-of-day profile
    (what tidal deployment plans with). `history`: the incidents of the last
    `HISTORY_DEMAND_DAYS` days counted by grid and hour, per day (the
    baseline it is compared with). Only incidents the actor may see count.
    """
    if source not in ("forecast", "history"):
        raise Invalid(
            "demand", "需求来源应为 forecast 或 history", "demand must be forecast or history"
        )
    back = stats.window_days + 1 if source == "forecast" else HISTORY_DEMAND_DAYS
    start = datetime.combine(day - timedelta(days=back), datetime.min.time(), SHANGHAI)
    events = load_incidents(session=session, actor=actor, since=start)
    if events is None:
        return GridHourDemand(day, source, "none", 0, np.zeros((n_groups, 24)))
    if stats.cell_m != events.grid.cell_m:
        events = regrid(events, stats.cell_m)
    d = events.day_index(np.datetime64(day))
    used = events.before(d)
    if source == "history":
        past = events.subset(slice(events.before(d - HISTORY_DEMAND_DAYS), used))
        lng, lat = past.grid.projection.inverse(past.x, past.y)
        groups = np.asarray(group_of(lng, lat), dtype=np.int64)
        span = min(float(HISTORY_DEMAND_DAYS), float(d) - float(np.floor(events.t[0])))
        demand = history_demand(groups, event_hours(past), n_groups, days=max(span, 1.0))
        return GridHourDemand(day, source, "counts", past.size, demand)
    demand = forecast_demand(
        events, d, method=method_of(stats), group_of=group_of, n_groups=n_groups
    )
    return GridHourDemand(day, source, stats.forecast_method, used, demand)
