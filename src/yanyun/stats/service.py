"""The platform's own forecast: next-day risk from command's incidents, and its live score.

stats sits above the contexts, so it may read command's Incident table (it
never writes it). Day boundaries are Asia/Shanghai days. The forecast of a
day reads a year of incidents, so it is a product of the day (see
`yanyun.core.products`): computed by the `stats.daily_products` job for the
scopes pages read, again when enough incidents came in since, stored, and
served from its row (`served_forecast`); a request on a day with no product
for its scope computes it once. `next_day_forecast` is the computation (and
the per-request path benchmarks compare with). The live score (yesterday's hit rate and the last
`score_days` days') reads only days that are over, so it is kept in memory
per day and scope (`ScoreCache`) instead of being backtested again on every
request.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yanyun.auth.service import Actor
from yanyun.command.models import Incident
from yanyun.core import products
from yanyun.core.clock import SHANGHAI, Clock, as_utc
from yanyun.core.db import Provider, Runtime
from yanyun.core.errors import Invalid
from yanyun.core.products import Built
from yanyun.stats.backtest import Backtest, default_area, rank_cells
from yanyun.stats.forecast import Blend, in_hours, make, shift_share
from yanyun.stats.grid import EventSet, build_events
from yanyun.stats.schemas import ForecastRead, GridRisk, ScoreRead, SelectionRead, ShiftForecast
from yanyun.stats.settings import StatsSettings

UTC_OFFSET = np.timedelta64(8, "h")  # Asia/Shanghai keeps no daylight saving time
# Raw history demand (the baseline of tidal deployment) counts the last four weeks.
HISTORY_DEMAND_DAYS = 28


@dataclass
class PlatformForecast:
    read: ForecastRead
    events: EventSet | None
    risk: np.ndarray
    area: np.ndarray
    # the next shift as seen from each part of the day (`shift_slot`), when asked for
    shifts: dict[int, ShiftForecast] = field(default_factory=dict)


class ScoreCache:
    """Live scores of the current Asia/Shanghai day, by scope, category and method.

    A score covers yesterday and the days before it, so it holds until the day
    turns; then every entry goes at once. An incident of a past day entered
    late counts from the next day on. One per process (`Runtime.cached`);
    bounded, oldest entry out first, so odd category codes cannot grow it.
    """

    def __init__(self, max_entries: int = 1024) -> None:
        self.max_entries = max_entries
        self._day: date | None = None
        self._scores: dict[Hashable, ScoreRead] = {}
        self._lock = threading.Lock()

    def get(self, day: date, key: Hashable, build: Callable[[], ScoreRead]) -> ScoreRead:
        """The score under `key` for `day`, built (outside the lock) when missing."""
        with self._lock:
            if self._day != day:
                self._day, self._scores = day, {}
            hit = self._scores.get(key)
        if hit is not None:
            return hit
        value = build()
        with self._lock:
            if self._day == day:
                if len(self._scores) >= self.max_entries:
                    self._scores.pop(next(iter(self._scores)))
                self._scores[key] = value
        return value


def method_of(stats: StatsSettings):
    params: dict[str, Any] = {}
    if stats.forecast_method in ("counts", "retro", "prospective"):
        params["window_days"] = stats.window_days
    if stats.forecast_method in ("retro", "prospective"):
        params["bandwidth_m"] = stats.bandwidth_m
    return make(stats.forecast_method, **params)


def load_incidents(
    *, session: Session, actor: Actor, since: datetime, category: str | None = None
) -> EventSet | None:
    """The incidents the actor may see since `since`, as an EventSet in local days
    (None when there is none with a time and a place)."""
    stmt = select(
        Incident.occurred_at, Incident.received_at, Incident.lng, Incident.lat,
        Incident.category_code,
    ).where(Incident.received_at >= since, Incident.merged_into_id.is_(None))
    if category:
        stmt = stmt.where(Incident.category_code == category)
    rows = session.execute(actor.scope(stmt, Incident.org_path)).all()
    times = np.array(
        [
            np.datetime64(as_utc(r.occurred_at or r.received_at).replace(tzinfo=None), "s")
            for r in rows
        ],
        dtype="datetime64[s]",
    ) + UTC_OFFSET
    lng = np.array([r.lng for r in rows], dtype=float)
    lat = np.array([r.lat for r in rows], dtype=float)
    cats = np.array([r.category_code for r in rows], dtype=object)
    usable = ~np.isnat(times) & np.isfinite(lng) & np.isfinite(lat)
    if not usable.any():
        return None
    return build_events(times, lng, lat, cats)



def _check_category(category: str | None) -> None:
    """A category filter, when given, names something (blank is refused, not ignored)."""
    if category is not None and not category.strip():
        raise Invalid("category", "警情类别不能为空", "category must not be empty")

def next_day_forecast(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    stats: StatsSettings,
    category: str | None = None,
    grid_codes_of: Any = None,
    score_cache: ScoreCache | None = None,
    all_shifts: bool = False,
) -> PlatformForecast:
    """Tomorrow's risk per cell and per grid, hotspots, and yesterday's and the last
    `score_days` days' hit rate of the same method (from `score_cache` when given).
    With `all_shifts`, the next shift as seen from each part of today too (`shifts`)."""
    _check_category(category)
    today = clock.now().astimezone(SHANGHAI).date()
    since = datetime.combine(
        today - timedelta(days=history_span(stats)), datetime.min.time(), SHANGHAI
    )
    events = load_incidents(session=session, actor=actor, since=since, category=category)
    tomorrow = today + timedelta(days=1)
    if events is None:
        return _no_forecast(stats, tomorrow, category)
    if stats.cell_m != events.grid.cell_m:
        events = regrid(events, stats.cell_m)
    day_of = events.day_index
    d_tomorrow = day_of(np.datetime64(tomorrow))
    d_yesterday = d_tomorrow - 2
    first_scored = d_tomorrow - 1 - stats.score_days
    area = default_area(events, d_tomorrow)  # every cell that has had an incident
    selection = _selection(stats, events, d_tomorrow)

    def fresh() -> Any:
        """A new instance of the served method (models keep their fit between calls)."""
        if selection is None:
            return method_of(stats)
        return make(selection.method, **selection.params)

    method = fresh()
    score_days = np.arange(max(first_scored, 1), d_yesterday + 1)
    params = {p: getattr(method, p) for p in getattr(method, "params", ())}

    score = _cached_score(
        score_cache, actor, category, method, params, stats, today,
        lambda: _score(events, area, method, score_days, stats.coverage, d_yesterday, today),
        events.grid.cell_m,
    )
    risk = fresh().forecast(events.until(d_tomorrow), d_tomorrow)
    rank = rank_cells(risk, area)
    k = max(1, math.ceil(stats.coverage * area.size))
    top = np.flatnonzero(rank < k)
    top = top[np.argsort(rank[top])]
    codes = _grid_codes(events, area, grid_codes_of)
    grids = _grid_risk(area, risk, codes)
    now = clock.now().astimezone(SHANGHAI)
    shift = _next_shift(events, area, risk, stats, now, d_tomorrow, codes, fresh)
    shifts = {}
    if all_shifts:
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        for slot, hour in slot_hours(stats).items():
            shifts[slot] = shift if slot == shift_slot(now.hour, stats) else _next_shift(
                events, area, risk, stats, midnight + timedelta(hours=hour), d_tomorrow, codes,
                fresh,
            )
    read = ForecastRead(
        day=tomorrow, method=method.name, params=params, category=category,
        cell_m=events.grid.cell_m, coverage=stats.coverage, area_cells=int(area.size),
        hotspot_cells=int(top.size), incidents_used=events.before(d_tomorrow),
        dropped=events.dropped, score=score, grids=grids,
        hotspots=hotspots_geojson(events, risk, rank, top, tomorrow, method.name),
        next_shift=shift, selection=selection,
    )
    return PlatformForecast(read, events, risk, area, shifts)


def history_span(stats: StatsSettings) -> int:
    """Days of incidents a day's forecast reads: the window before each scored or
    backtested day."""
    window = stats.window_days
    if stats.forecast_method == "blend" or (stats.select_days and "blend" in stats.select_methods):
        window = max(window, Blend().history_days)
    return window + max(stats.score_days, stats.select_days) + 2


def _selection(stats: StatsSettings, events: EventSet, d_tomorrow: int) -> SelectionRead | None:
    """The method chosen by the scope's own rolling backtest on the days before tomorrow
    (None when selection is off or there was nothing to score). It runs when the day's
    product is built (by the job, or once by the first request of the day)."""
    if stats.select_days <= 0:
        return None
    from yanyun.stats.selection import choose

    return choose(events, d_tomorrow, stats)


def shift_slot(hour: int, stats: StatsSettings) -> int:
    """Which part of the day an hour lies in, as far as the next shift goes (as `_next_shift`):
    0 before the day shift starts, 1 during it, 2 after the night shift started."""
    if stats.day_shift_start_h <= hour < stats.night_shift_start_h:
        return 1
    return 0 if hour < stats.day_shift_start_h else 2


def slot_hours(stats: StatsSettings) -> dict[int, int]:
    """The first hour of each part of the day that has one."""
    found: dict[int, int] = {}
    for hour in range(24):
        found.setdefault(shift_slot(hour, stats), hour)
    return found


def _no_forecast(stats: StatsSettings, tomorrow: date, category: str | None) -> PlatformForecast:
    """What a reader with no incidents in scope gets: an empty forecast, said to be empty."""
    empty = ScoreRead(
        coverage=stats.coverage, yesterday=None, yesterday_incidents=0, yesterday_hits=0,
        yesterday_hit_rate=None, days=0, incidents=0, hits=0, hit_rate=None,
        hit_rate_low=None, hit_rate_high=None, pai=None,
    )
    read = ForecastRead(
        day=tomorrow, method=stats.forecast_method, params={}, category=category,
        cell_m=stats.cell_m, coverage=stats.coverage, area_cells=0, hotspot_cells=0,
        incidents_used=0, dropped={}, score=empty, grids=[],
        hotspots={"type": "FeatureCollection", "features": []},
    )
    return PlatformForecast(read, None, np.zeros(0), np.zeros(0, dtype=np.int64))


def _cached_score(
    cache: ScoreCache | None,
    actor: Actor,
    category: str | None,
    method: Any,
    params: dict[str, Any],
    stats: StatsSettings,
    today: date,
    score_now: Any,
    cell_m: float,
) -> ScoreRead:
    """The method's backtest score: computed once a day per reader's scope and method."""
    if cache is None:
        return score_now()
    key = (
        actor.org_path, category, method.name, tuple(sorted(params.items())),
        stats.coverage, cell_m, stats.score_days,
    )
    return cache.get(today, key, score_now)


def _next_shift(
    events: EventSet,
    area: np.ndarray,
    tomorrow_risk: np.ndarray,
    stats: StatsSettings,
    now: datetime,
    d_tomorrow: int,
    codes: np.ndarray | None,
    fresh: Callable[[], Any] | None = None,
) -> ShiftForecast:
    """The shift that starts next: the day's risk of its first day, weighted per cell by
    the share of that cell's incidents that fell in the shift's hours."""
    day_h, night_h = stats.day_shift_start_h, stats.night_shift_start_h
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if day_h <= now.hour < night_h:
        name, start_h, end_h, first = "night", night_h, day_h, midnight
    elif now.hour < day_h:
        name, start_h, end_h, first = "day", day_h, night_h, midnight
    else:
        name, start_h, end_h, first = "day", day_h, night_h, midnight + timedelta(days=1)
    starts_at = first + timedelta(hours=start_h)
    ends_at = first + timedelta(hours=end_h) + timedelta(days=1 if end_h <= start_h else 0)
    d_first = d_tomorrow - 1 if first == midnight else d_tomorrow
    # A shift starting today reads only what happened before today, like tomorrow's forecast.
    risk = tomorrow_risk if d_first == d_tomorrow else (fresh or (lambda: method_of(stats)))(
    ).forecast(events.until(d_first), d_first)
    past = events.until(d_first)
    share = shift_share(past, start_h, end_h)
    in_shift = in_hours(past, start_h, end_h)
    return ShiftForecast(
        name=name,
        starts_at=starts_at,
        ends_at=ends_at,
        city_share=round(float(in_shift.mean()) if past.size else 0.0, 4),
        grids=_grid_risk(area, risk * share, codes)[:50],
    )


def regrid(events: EventSet, cell_m: float) -> EventSet:
    lng, lat = events.grid.projection.inverse(events.x, events.y)
    times = events.epoch_day.astype("datetime64[s]") + (events.t * 86400).astype(
        "timedelta64[s]"
    )
    cats = np.array(events.categories, dtype=object)[events.category]
    out = build_events(times, lng, lat, cats, cell_m=cell_m)
    out.dropped = events.dropped
    return out


def _score(
    events: EventSet, area: np.ndarray, method: Any, days: np.ndarray, coverage: float,
    d_yesterday: int, today: date,
) -> ScoreRead:
    if days.size == 0:
        return ScoreRead(
            coverage=coverage, yesterday=None, yesterday_incidents=0, yesterday_hits=0,
            yesterday_hit_rate=None, days=0, incidents=0, hits=0, hit_rate=None,
            hit_rate_low=None, hit_rate_high=None, pai=None,
        )
    res = Backtest(events, area, coverages=(coverage,)).run(method, days)
    n, hits = int(res.events.sum()), int(res.hits[:, 0].sum())
    y_n, y_hits = int(res.events[-1]), int(res.hits[-1, 0])
    rate = hits / n if n else None
    low, high = (res.bootstrap()[:, 0] if n else (None, None))
    area_share = max(1, math.ceil(coverage * area.size)) / area.size
    return ScoreRead(
        coverage=coverage,
        yesterday=today - timedelta(days=1),
        yesterday_incidents=y_n,
        yesterday_hits=y_hits,
        yesterday_hit_rate=(y_hits / y_n) if y_n else None,
        days=int(days.size),
        incidents=n,
        hits=hits,
        hit_rate=rate,
        hit_rate_low=None if low is None else float(low),
        hit_rate_high=None if high is None else float(high),
        pai=None if rate is None else rate / area_share,
    )


def _grid_codes(events: EventSet, area: np.ndarray, grid_codes_of: Any) -> np.ndarray | None:
    """The platform grid of each area cell (by its centre), None where there is none;
    resolved once per request and shared by the day's and the shift's grid lists."""
    if grid_codes_of is None or area.size == 0:
        return None
    cx, cy = events.grid.centres_xy(area)
    lng, lat = events.grid.projection.inverse(cx, cy)
    return np.asarray(grid_codes_of(lng, lat), dtype=object)


def _grid_risk(area: np.ndarray, risk: np.ndarray, codes: np.ndarray | None) -> list[GridRisk]:
    """Each platform grid's share of the forecast risk (cells by their centre), riskiest
    first; the 200 riskiest."""
    if codes is None:
        return []
    known = codes != None  # noqa: E711 - elementwise over an object array
    if not known.any():
        return []
    names, inverse = np.unique(codes[known].astype(str), return_inverse=True)
    sums = np.bincount(inverse, weights=risk[area][known], minlength=names.size)
    # methods differ in scale (counts, densities, expected events): shares compare
    sums = sums / max(float(risk[area].sum()), 1e-12)
    order = np.argsort(-sums, kind="stable")
    return [
        GridRisk(grid_code=str(names[i]), risk_share=round(float(sums[i]), 6), rank=r + 1)
        for r, i in enumerate(order)
        if sums[i] > 0
    ][:200]


def hotspots_geojson(
    events: EventSet, risk: np.ndarray, rank: np.ndarray, top: np.ndarray, day: date,
    method: str,
) -> dict[str, Any]:
    """The flagged cells as WGS-84 polygons, riskiest first (QGIS / ArcGIS read it as is)."""
    g = events.grid
    feats = []
    cx, cy = g.centres_xy(top)
    lngs, lats = g.projection.inverse(cx, cy)
    for cell, lng, lat in zip(top, lngs, lats, strict=True):
        feats.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [g.polygon_lnglat(int(cell))]},
                "properties": {
                    "cell": int(cell),
                    "rank": int(rank[cell]) + 1,
                    "risk": round(float(risk[cell]), 6),
                    "centre_lng": round(float(lng), 6),
                    "centre_lat": round(float(lat), 6),
                    "day": day.isoformat(),
                    "method": method,
                    "cell_m": g.cell_m,
                },
            }
        )
    return {"type": "FeatureCollection", "features": feats}


FORECAST_PRODUCT = "stats.next_day"


def grid_lookup(index: Any) -> Callable[[np.ndarray, np.ndarray], list[str | None]]:
    """The platform grid code of WGS-84 points from the city's index (None outside)."""
    def codes(lng: np.ndarray, lat: np.ndarray) -> list[str | None]:
        found = index.resolver.resolve_many(lng, lat)
        return [index.grid_codes[i] if i >= 0 else None for i in found]

    return codes


def forecast_mark(
    *, session: Session, actor: Actor, today: date, stats: StatsSettings,
    category: str | None = None,
) -> int:
    """How many incidents the day's forecast over the actor's scope reads (the job compares)."""
    since = datetime.combine(
        today - timedelta(days=history_span(stats)), datetime.min.time(), SHANGHAI
    )
    stmt = select(func.count()).select_from(Incident).where(
        Incident.received_at >= since, Incident.merged_into_id.is_(None)
    )
    if category:
        stmt = stmt.where(Incident.category_code == category)
    return int(session.scalar(actor.scope(stmt, Incident.org_path)) or 0)


def build_forecast_product(
    *, session: Session, actor: Actor, clock: Clock, stats: StatsSettings,
    category: str | None, grid_codes_of: Any = None, score_cache: ScoreCache | None = None,
) -> Built:
    """The day's forecast over the actor's scope as a stored product: the forecast, and the
    next shift as seen from each part of the day."""
    today = clock.now().astimezone(SHANGHAI).date()
    mark = forecast_mark(session=session, actor=actor, today=today, stats=stats,
                         category=category)
    fc = next_day_forecast(
        session=session, actor=actor, clock=clock, stats=stats, category=category,
        grid_codes_of=grid_codes_of, score_cache=score_cache, all_shifts=True,
    )
    read = fc.read.model_dump(mode="json", exclude={"next_shift", "computed_at"})
    shifts = {str(k): v.model_dump(mode="json") for k, v in fc.shifts.items()}
    # a scope or category with no incidents gets its empty forecast each time, unstored
    return Built({"read": read, "shifts": shifts}, mark, keep=fc.events is not None)


def served_forecast(
    *,
    runtime: Runtime,
    session: Session,
    actor: Actor,
    clock: Clock,
    stats: StatsSettings,
    category: str | None = None,
    grid_codes_of: Any = None,
    score_cache: ScoreCache | None = None,
) -> ForecastRead:
    """Today's stored forecast over the actor's scope (built once first when there is none),
    with the next shift of the hour and when it was computed.

    The product is stored per scope (the org path whose incidents it read,
    through `Actor.scope` like every read of incidents), so a station's chief
    gets their own station's forecast, never the city's cut down.
    """
    _check_category(category)
    now = clock.now().astimezone(SHANGHAI)
    stored = products.get_or_build(
        runtime, runtime.provide(PRODUCT_GUARD), FORECAST_PRODUCT, now.date(), actor.org_path,
        category or "",
        lambda: build_forecast_product(
            session=session, actor=actor, clock=clock, stats=stats, category=category,
            grid_codes_of=grid_codes_of, score_cache=score_cache,
        ),
    )
    read = ForecastRead.model_validate(stored.payload["read"])
    shift = stored.payload.get("shifts", {}).get(str(shift_slot(now.hour, stats)))
    read.next_shift = None if shift is None else ShiftForecast.model_validate(shift)
    read.computed_at = stored.computed_at
    return read


def served_forecast_json(
    *,
    runtime: Runtime,
    session: Session,
    actor: Actor,
    clock: Clock,
    stats: StatsSettings,
    category: str | None = None,
    grid_codes_of: Any = None,
    score_cache: ScoreCache | None = None,
) -> bytes:
    """`served_forecast` as the JSON the page loads, rendered once per process and version of
    the stored product and part of the day (a year's city forecast is about 1 MB)."""
    _check_category(category)
    now = clock.now().astimezone(SHANGHAI)
    key = category or ""
    stamp = products.computed_at(runtime, FORECAST_PRODUCT, now.date(), actor.org_path, key)
    ident = (FORECAST_PRODUCT, now.date(), actor.org_path, key, shift_slot(now.hour, stats))
    rendered = runtime.provide(RENDERED)
    body = rendered.get(ident, stamp)
    if body is not None:
        return body
    read = served_forecast(
        runtime=runtime, session=session, actor=actor, clock=clock, stats=stats,
        category=category, grid_codes_of=grid_codes_of, score_cache=score_cache,
    )
    body = read.model_dump_json().encode()
    if read.incidents_used:
        rendered.put(ident, read.computed_at, body)
    return body


#: Rendered answers of stored products, one per process.
RENDERED: Provider[products.Rendered] = Provider(
    "stats.rendered", lambda runtime: products.Rendered()
)

#: One lock per product key: a missing product is computed by one request of the process.
PRODUCT_GUARD: Provider[products.Guard] = Provider(
    "stats.product_guard", lambda runtime: products.Guard()
)

#: The live forecast score, kept per Asia/Shanghai day and scope, one per process.
SCORE_CACHE: Provider[ScoreCache] = Provider("stats.score_cache", lambda runtime: ScoreCache())
