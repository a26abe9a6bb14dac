"""Settings of hotspots and forecasts (``YANYUN_STATS__...``)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class StatsSettings(BaseModel):
    """Hotspots and forecasts (情报研判)."""

    cell_m: float = Field(150.0, ge=10, description="Forecast cell size (m).")
    forecast_method: Literal["counts", "retro", "prospective", "etas", "boosted", "blend"] = Field(
        "retro", description="Method of the platform's next-day forecast."
    )
    window_days: int = Field(365, ge=1, description="Past window the forecast reads (days).")
    bandwidth_m: float = Field(300.0, ge=0, description="Kernel bandwidth, retro/prospective (m).")
    select_days: int = Field(
        28, ge=0, le=56,
        description="Days of the rolling backtest on the scope's own past that chooses the "
        "served method (0: always serve forecast_method).",
    )
    select_methods: list[Literal["retro", "prospective", "etas", "boosted", "blend"]] = Field(
        default_factory=lambda: ["retro", "prospective"],
        description="Models that compete with the count baselines (28, 91, 365 days); a "
        "model is served only when it beats the count on the backtest by select_margin_z. "
        "blend is the one measured best on Chicago, but opt-in until its surfaces are computed "
        "on the footprint only (on a prefecture's million-cell raster it costs seconds).",
    )
    select_margin_z: float = Field(
        0.5, ge=0, le=5,
        description="Paired t statistic (mean daily gain in hits over its standard error, on "
        "the select_days backtest) a model needs over the count to be served, and a shorter "
        "count window needs over the 365-day count (0: any gain).",
    )
    coverage: float = Field(
        0.05, gt=0, le=1, description="Share of cells flagged as hotspots and scored."
    )
    score_days: int = Field(30, ge=1, le=120, description="Days of the live score.")
    day_shift_start_h: int = Field(
        8, ge=0, le=23, description="Local hour the day shift starts (the next-shift forecast)."
    )
    night_shift_start_h: int = Field(
        20, ge=0, le=23, description="Local hour the night shift starts (the next-shift forecast)."
    )
    products_every_s: float = Field(
        600.0, ge=5, description="How often the day's forecasts and plans are checked (s)."
    )
    products_ahead_h: int = Field(
        2, ge=0, le=23,
        description="In the day's last hours the job also makes tomorrow's forecasts, as at "
        "midnight, so a new day starts with them (0: only on the day).",
    )
    products_refresh_incidents: int = Field(
        100, ge=1,
        description="New incidents in a scope since its forecast or plan was made that make "
        "the job make it again.",
    )
