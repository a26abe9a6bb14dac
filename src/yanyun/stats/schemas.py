"""What the forecast API answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel


class ScoreRead(BaseModel):
    """How the method's forecasts fared on the days before: the live score."""

    coverage: float
    yesterday: date | None
    yesterday_incidents: int
    yesterday_hits: int
    yesterday_hit_rate: float | None
    days: int
    incidents: int
    hits: int
    hit_rate: float | None  # pooled over the days
    hit_rate_low: float | None  # 95 % bootstrap interval over days
    hit_rate_high: float | None
    pai: float | None


class GridRisk(BaseModel):
    grid_code: str
    risk_share: float  # the grid's share of the city's forecast risk (0-1)
    rank: int


class ShiftForecast(BaseModel):
    name: Literal["day", "night"]
    starts_at: datetime
    ends_at: datetime
    city_share: float  # the share of the city's incidents that fall in these hours (0-1)
    grids: list[GridRisk]  # each grid's share of the shift's risk, riskiest first


class MethodScore(BaseModel):
    """One candidate's hit rate on the city's own recent backtest."""

    label: str  # counts-365d, retro, prospective, boosted...
    method: str
    params: dict[str, Any]
    baseline: bool  # a count baseline
    hits: int
    hit_rate: float | None


class SelectionRead(BaseModel):
    """Which method is served, chosen by a rolling backtest on the scope's own past days:
    a model only when it beat the best count baseline there."""

    label: str
    method: str
    params: dict[str, Any]
    hit_rate: float | None
    baseline: str  # the best count baseline's label
    baseline_hit_rate: float | None
    coverage: float
    days: int
    incidents: int
    scores: list[MethodScore]
    margin_z: float = 0.0  # the paired t a challenger needed to be served
    gain_t: float | None = None  # the served model's paired t over the count (None: a count)


class ForecastRead(BaseModel):
    day: date  # the forecast day (local)
    method: str
    params: dict[str, Any]
    category: str | None
    cell_m: float
    coverage: float
    area_cells: int
    hotspot_cells: int
    incidents_used: int
    dropped: dict[str, int]
    score: ScoreRead
    grids: list[GridRisk]
    hotspots: dict[str, Any]  # GeoJSON FeatureCollection of the flagged cells
    next_shift: ShiftForecast | None = None
    # how the served method was chosen (None: the configured method, no selection ran)
    selection: SelectionRead | None = None
    # when the stored product of the day was computed (None: computed for this request)
    computed_at: datetime | None = None
