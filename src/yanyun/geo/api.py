"""Routes for the city's map and point resolution."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Depends, Query, Request

from yanyun.auth.deps import require
from yanyun.auth.permissions import Perm
from yanyun.auth.service import Actor
from yanyun.core.errors import Invalid
from yanyun.core.http import SessionDep
from yanyun.geo import geojson, service
from yanyun.geo.schemas import CitySummary, Location, ResolveBatch, ResolveBatchResult

router = APIRouter(prefix="/api/v1/geo", tags=["geo"])

MapReader = Annotated[Actor, Depends(require(Perm.map_read))]


def city_index(request: Request, session: SessionDep) -> service.CityIndex:
    """The in-memory index, built on first use and kept for the app's life."""
    return service.city_index(runtime=request.app.state.runtime, session=session)


IndexDep = Annotated[service.CityIndex, Depends(city_index)]


@router.get("/summary", response_model=CitySummary)
def city_summary(session: SessionDep, actor: MapReader) -> CitySummary:
    """Counts and sizes of the city's districts, stations and grids."""
    return service.summary(session=session)


@router.get("/districts")
def districts(session: SessionDep, actor: MapReader) -> dict[str, Any]:
    """District outlines as GeoJSON (WGS-84)."""
    return geojson.districts_geojson(session=session)


@router.get("/stations")
def stations(session: SessionDep, actor: MapReader, areas: bool = False) -> dict[str, Any]:
    """Stations within the caller's scope: points, or their areas with `areas=true`."""
    return geojson.stations_geojson(session=session, actor=actor, areas=areas)


@router.get("/grids")
def grids(
    session: SessionDep,
    actor: MapReader,
    district: Annotated[str | None, Query(max_length=12)] = None,
    station: Annotated[str | None, Query(max_length=24)] = None,
    bbox: Annotated[
        str | None, Query(max_length=100, description="min_lng,min_lat,max_lng,max_lat (WGS-84)")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=10000)] = 10000,
) -> dict[str, Any]:
    """Grids within the caller's scope, optionally in a district, station or box."""
    return geojson.grids_geojson(
        session=session,
        actor=actor,
        district_code=district,
        station_code=station,
        bbox=_parse_bbox(bbox),
        limit=limit,
    )


def _parse_bbox(raw: str | None) -> tuple[float, float, float, float] | None:
    if raw is None:
        return None
    try:
        parts = tuple(float(p) for p in raw.split(","))
    except ValueError:
        parts = ()
    if len(parts) != 4 or not all(np.isfinite(parts)) or parts[0] > parts[2] or parts[1] > parts[3]:
        raise Invalid(
            "bbox",
            "范围格式应为 最小经度,最小纬度,最大经度,最大纬度",
            "bbox must be min_lng,min_lat,max_lng,max_lat with min <= max",
        )
    return parts  # type: ignore[return-value]


@router.get("/resolve", response_model=Location)
def resolve(
    index: IndexDep,
    actor: MapReader,
    lng: Annotated[float, Query(ge=-180, le=180)],
    lat: Annotated[float, Query(ge=-90, le=90)],
) -> Location:
    """The district, station and grid of a WGS-84 point; 422 outside the city."""
    return service.resolve_point(index=index, lng=lng, lat=lat)


@router.post("/resolve", response_model=ResolveBatchResult)
def resolve_batch(body: ResolveBatch, index: IndexDep, actor: MapReader) -> ResolveBatchResult:
    """Resolve up to 10,000 points at once; points outside the city are marked, not dropped."""
    lngs = np.array([p.lng for p in body.points], dtype=float)
    lats = np.array([p.lat for p in body.points], dtype=float)
    results = index.locate_many(lngs, lats)
    inside = sum(1 for r in results if r.inside)
    return ResolveBatchResult(resolved=inside, outside=len(results) - inside, results=results)
