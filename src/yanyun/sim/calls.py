"""The synthetic call stream: a daily rhythm, hot spots, categories and timings.

:class:`CallGenerator` makes every random draw of a call when it generates
it (place, category, handling, reaction and on-scene times), from one
injected ``random.Random(seed)``, so every policy sees the same calls.
"""

from __future__ import annotations

import bisect
import math
import random
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

import shapely
from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.command.catalogue import Catalogue
from yanyun.command.timing import (
    HANDLING_MAX_S,
    HANDLING_MEDIAN_S,
    HANDLING_MIN_S,
    HANDLING_SIGMA,
    REACTION_MAX_S,
    REACTION_MIN_S,
)
from yanyun.core.clock import SHANGHAI
from yanyun.geo.models import Grid
from yanyun.sim.ports import Call

__all__ = [
    "CATEGORY_WEIGHTS",
    "HOURLY_PROFILE",
    "SERVICE_MAX_S",
    "SERVICE_MEDIAN_MIN",
    "SERVICE_MIN_S",
    "SERVICE_SIGMA",
    "CallGenerator",
    "GridArea",
    "grid_areas",
]

#: Relative call rate by local hour (mean 1.0): a trough at 4-5 a.m., a
#: morning rise, and the evening peak at 19-21 h that Chinese 110 centres
#: report (traffic, disputes and drink after dinner).
HOURLY_PROFILE: tuple[float, ...] = (
    0.70, 0.55, 0.45, 0.38, 0.34, 0.36, 0.48, 0.72,
    0.95, 1.05, 1.10, 1.12, 1.15, 1.08, 1.05, 1.08,
    1.15, 1.25, 1.40, 1.55, 1.58, 1.45, 1.20, 0.92,
)  # fmt: skip

#: Share of calls per catalogue category (by its key): assistance, disputes
#: and traffic dominate 110 calls; serious crime is a small part.
CATEGORY_WEIGHTS: Mapping[str, float] = {
    "criminal": 0.14,
    "public_order": 0.14,
    "traffic": 0.18,
    "fire": 0.02,
    "disaster": 0.02,
    "dispute": 0.18,
    "assistance": 0.22,
    "complaint": 0.05,
    "other": 0.05,
}
# Life-in-danger sub-categories are rarer than the rest of their category.
_PRIORITY_1_WEIGHT = 0.3

#: Median minutes on scene per category (lognormal, sigma 0.5, 5-180 min).
SERVICE_MEDIAN_MIN: Mapping[str, float] = {
    "criminal": 35.0,
    "public_order": 25.0,
    "traffic": 30.0,
    "fire": 40.0,
    "disaster": 45.0,
    "dispute": 30.0,
    "assistance": 20.0,
    "complaint": 15.0,
    "other": 15.0,
}
SERVICE_SIGMA = 0.5
SERVICE_MIN_S, SERVICE_MAX_S = 5 * 60.0, 180 * 60.0


@dataclass(frozen=True)
class GridArea:
    """A grid where calls can come from: its code, whether urban, its outline."""

    code: str
    urban: bool
    geometry: Any


def grid_areas(*, session: Session) -> list[GridArea]:
    """Read the city's grids, sorted by code, for the call generator."""
    rows = session.execute(
        select(Grid.code, Grid.is_urban, Grid.geometry_wkb).order_by(Grid.code)
    ).all()
    geometries = shapely.from_wkb([r.geometry_wkb for r in rows]) if rows else []
    return [
        GridArea(code=r.code, urban=bool(r.is_urban), geometry=g)
        for r, g in zip(rows, geometries, strict=True)
    ]


class CallGenerator:
    """An endless stream of calls with a daily rhythm and spatial concentration.

    Arrivals are a Poisson process whose rate follows
    :data:`HOURLY_PROFILE` by local hour (thinning). Places: a grid drawn
    with weight ``urban_weight`` for urban grids and 1 for rural ones, plus
    ``hotspots`` urban grids that together draw ``hotspot_share`` of the
    calls; then a uniform point inside the grid. Category by
    :data:`CATEGORY_WEIGHTS`, then a sub-category (priority-1 ones weighted
    0.3) among those that need some unit and that a single unit of the
    fleet can serve (``feasible``, when given). Handling, reaction and
    on-scene times are drawn per call.

    Parameters
    ----------
    grids : sequence of GridArea
    catalogue : Catalogue
    rng : random.Random
        The only source of randomness.
    calls_per_hour : float
        Mean rate over a day.
    start : datetime
        Aware; the local hour of ``start + at_s`` in ``tz`` sets the rate.
    tz : tzinfo
        Local time zone (Asia/Shanghai).
    feasible : iterable of frozenset of str, optional
        The capability sets of the fleet's units.
    """

    def __init__(
        self,
        grids: Sequence[GridArea],
        catalogue: Catalogue,
        *,
        rng: random.Random,
        calls_per_hour: float,
        start: datetime,
        tz: tzinfo = SHANGHAI,
        feasible: Iterable[frozenset[str]] | None = None,
        profile: Sequence[float] = HOURLY_PROFILE,
        urban_weight: float = 6.0,
        hotspots: int = 5,
        hotspot_share: float = 0.15,
    ) -> None:
        if calls_per_hour <= 0:
            raise ValueError("calls_per_hour must be positive")
        if len(profile) != 24 or min(profile) < 0:
            raise ValueError("profile needs 24 non-negative hourly values")
        if not grids:
            raise ValueError("no grids to place calls in")
        self.rng = rng
        self.start = start
        self.tz = tz
        mean = sum(profile) / 24.0
        self.rates_per_s = [calls_per_hour * p / mean / 3600.0 for p in profile]
        self.max_rate_per_s = max(self.rates_per_s)
        self.grids = list(grids)
        for g in self.grids:
            shapely.prepare(g.geometry)
        weights = [urban_weight if g.urban else 1.0 for g in self.grids]
        urban_rows = [i for i, g in enumerate(self.grids) if g.urban] or list(
            range(len(self.grids))
        )
        chosen = rng.sample(urban_rows, min(hotspots, len(urban_rows)))
        if chosen and 0.0 < hotspot_share < 1.0:
            extra = hotspot_share / (1.0 - hotspot_share) * sum(weights) / len(chosen)
            for i in chosen:
                weights[i] += extra
        self.hotspots = sorted(self.grids[i].code for i in chosen)
        self._grid_cum = _cumulative(weights)
        fleet_caps = [frozenset(c) for c in feasible] if feasible is not None else None
        self.subs: list[tuple[str, str, str]] = []  # (category, sub, category key)
        sub_weights: list[float] = []
        self.excluded: list[str] = []
        for category in catalogue.categories:
            eligible = []
            for sub in category.subcategories:
                caps = frozenset(sub.capabilities)
                if not caps or (fleet_caps is not None and not any(caps <= f for f in fleet_caps)):
                    self.excluded.append(sub.code)
                    continue
                eligible.append(sub)
            share = CATEGORY_WEIGHTS.get(category.key, 0.02)
            raw = [(_PRIORITY_1_WEIGHT if s.priority == 1 else 1.0) for s in eligible]
            for sub, w in zip(eligible, raw, strict=True):
                self.subs.append((category.code, sub.code, category.key))
                sub_weights.append(share * w / sum(raw))
        if not self.subs:
            raise ValueError("no incident sub-category can be served by this fleet")
        self._sub_cum = _cumulative(sub_weights)

    def __iter__(self) -> Iterator[Call]:
        rng, seq, at_s = self.rng, 0, 0.0
        while True:
            at_s += rng.expovariate(self.max_rate_per_s)
            hour = (self.start + timedelta(seconds=at_s)).astimezone(self.tz).hour
            if rng.random() * self.max_rate_per_s > self.rates_per_s[hour]:
                continue
            seq += 1
            grid = self.grids[
                bisect.bisect_right(self._grid_cum, rng.random() * self._grid_cum[-1])
            ]
            lng, lat = _point_in(grid.geometry, rng)
            category_code, sub_code, key = self.subs[
                bisect.bisect_right(self._sub_cum, rng.random() * self._sub_cum[-1])
            ]
            handling = rng.lognormvariate(math.log(HANDLING_MEDIAN_S), HANDLING_SIGMA)
            reaction = rng.uniform(REACTION_MIN_S, REACTION_MAX_S)
            service = rng.lognormvariate(math.log(SERVICE_MEDIAN_MIN[key] * 60.0), SERVICE_SIGMA)
            yield Call(
                seq=seq,
                at_s=at_s,
                lng=lng,
                lat=lat,
                category_code=category_code,
                sub_code=sub_code,
                handling_s=min(max(handling, HANDLING_MIN_S), HANDLING_MAX_S),
                reaction_s=reaction,
                service_s=min(max(service, SERVICE_MIN_S), SERVICE_MAX_S),
                label=key,
            )


def _cumulative(weights: Sequence[float]) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


def _point_in(geometry: Any, rng: random.Random, tries: int = 64) -> tuple[float, float]:
    """A uniform point inside a polygon (rejection from its box; its inner point at worst)."""
    min_lng, min_lat, max_lng, max_lat = geometry.bounds
    for _ in range(tries):
        lng = rng.uniform(min_lng, max_lng)
        lat = rng.uniform(min_lat, max_lat)
        if shapely.contains_xy(geometry, lng, lat):
            return lng, lat
    p = geometry.representative_point()
    return p.x, p.y
