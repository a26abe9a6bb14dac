"""API shapes of places and point resolution."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from yanyun.core.schemas import InputModel

# The city's rough box is checked by the resolver; these bounds only keep
# obviously impossible numbers out.
Lng = Field(ge=-180, le=180, description="Longitude, WGS-84 degrees")
Lat = Field(ge=-90, le=90, description="Latitude, WGS-84 degrees")


class PointIn(InputModel):

    lng: float = Lng
    lat: float = Lat


class ResolveBatch(InputModel):

    points: list[PointIn] = Field(min_length=1, max_length=10000)


class PlaceRef(BaseModel):
    code: str
    name_zh: str
    name_en: str


class Location(BaseModel):
    """Where a point lies in the bureau's map: district, station and grid."""

    lng: float
    lat: float
    inside: bool
    district: PlaceRef | None = None
    station: PlaceRef | None = None
    grid: PlaceRef | None = None
    org_path: str | None = None


class ResolveBatchResult(BaseModel):
    resolved: int
    outside: int
    results: list[Location]


class CitySummary(BaseModel):
    districts: int
    stations: int
    grids: int
    area_km2: float
    urban_grid_median_km2: float | None = None
    rural_grid_median_km2: float | None = None


class FeatureCollection(BaseModel):
    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[dict[str, Any]]
