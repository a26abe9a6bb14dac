"""Tidal deployment at the edge: the plan of a day and hour, its demand, an adoption."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from yanyun.core.params import Day
from yanyun.core.schemas import InputModel


class TidalDemand(StrEnum):
    forecast = "forecast"
    history = "history"


class TidalUnit(BaseModel):
    """A quick-response unit: where it stands now and where the plan stands it in the hour."""

    unit_id: str
    call_sign: str
    lng: float
    lat: float
    stand_lng: float
    stand_lat: float
    moves: bool
    distance_m: float


class TidalHourShare(BaseModel):
    """One hour's expected incidents and the share of them reachable within target."""

    hour: int
    demand: float
    current: float
    recommended: float


class TidalGridDemand(BaseModel):
    grid_code: str
    demand: float


class TidalAdoptedRead(BaseModel):
    id: str
    day: date
    demand: str
    method: str
    share_current: float
    share_recommended: float
    adopted_by: str | None
    adopted_by_name: str | None = None
    adopted_at: datetime


class TidalPlanRead(BaseModel):
    """The tidal deployment of a day and hour over the caller's scope (the page's JSON twin).

    When a plan was adopted for the day, `source` is "adopted" and the stands
    and shares are the adopted ones; otherwise they are computed now from
    `demand`.
    """

    day: date
    hour: int
    demand: TidalDemand
    source: str  # "computed" or "adopted"
    method: str
    incidents_used: int
    target_s: float
    travel_budget_s: float
    units: list[TidalUnit]
    hours: list[TidalHourShare]
    day_demand: float
    day_current: float
    day_recommended: float
    grids: list[TidalGridDemand]
    bbox: list[float] | None
    adopted: TidalAdoptedRead | None
    # when the day's stored plan was computed (None: computed for this request)
    computed_at: datetime | None = None


class TidalAdopt(InputModel):
    """Adopt the plan computed from `demand` for `day` over the caller's scope."""

    day: Day
    demand: TidalDemand = TidalDemand.forecast


class TidalStandIn(BaseModel):
    hour: int = Field(ge=0, le=23)
    unit_id: str
    lng: float
    lat: float


class TidalPlanIn(BaseModel):
    """A computed plan handed to duty for adoption (built by the planner, not by a client)."""

    day: date
    demand: TidalDemand
    method: str
    stands: list[TidalStandIn]
    hours: list[TidalHourShare]
    share_current: float
    share_recommended: float
