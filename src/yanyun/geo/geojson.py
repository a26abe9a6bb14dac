"""The city's districts, stations and grids as GeoJSON, limited to what the reader may see."""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely
from shapely.geometry import mapping
from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.auth.service import Actor
from yanyun.geo.models import District, Grid, Station


def _scope_filter(stmt: Any, model: Any, actor: Actor) -> Any:
    """Limit stations and grids to the actor's org scope (a station officer: their own)."""
    parts = actor.org_path.split("/") if actor.org_path else []
    if len(parts) >= 2:
        stmt = stmt.where(model.district_code == parts[1])
    if len(parts) >= 3:
        column = model.code if model is Station else model.station_code
        stmt = stmt.where(column == parts[2])
    if len(parts) >= 4 and model is Grid:
        stmt = stmt.where(Grid.code == parts[3])
    return stmt


def _feature(geometry: Any, properties: dict[str, Any], precision: int = 6) -> dict[str, Any]:
    # Rounding to 1e-6 degrees (~0.1 m) keeps exports small without moving borders.
    geom = shapely.transform(geometry, lambda c: np.round(c, precision))
    return {"type": "Feature", "geometry": mapping(geom), "properties": properties}


def districts_geojson(*, session: Session) -> dict[str, Any]:
    rows = session.scalars(select(District).order_by(District.code))
    return {
        "type": "FeatureCollection",
        "features": [
            _feature(
                shapely.from_wkb(d.geometry_wkb),
                {
                    "code": d.code,
                    "name_zh": d.name_zh,
                    "name_en": d.name_en,
                    "is_urban": d.is_urban,
                    "area_km2": round(d.area_km2, 2),
                },
            )
            for d in rows
        ],
    }


def stations_geojson(*, session: Session, actor: Actor, areas: bool = False) -> dict[str, Any]:
    stmt = _scope_filter(select(Station), Station, actor).order_by(Station.code)
    features = []
    for s in session.scalars(stmt):
        props = {
            "code": s.code,
            "district_code": s.district_code,
            "name_zh": s.name_zh,
            "name_en": s.name_en,
            "grade": s.grade,
            "has_command_room": s.has_command_room,
            "has_mediation_room": s.has_mediation_room,
        }
        geometry = shapely.from_wkb(s.geometry_wkb) if areas else shapely.Point(s.lng, s.lat)
        features.append(_feature(geometry, props))
    return {"type": "FeatureCollection", "features": features}


def grids_geojson(
    *,
    session: Session,
    actor: Actor,
    district_code: str | None = None,
    station_code: str | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    limit: int = 10000,
) -> dict[str, Any]:
    stmt = _scope_filter(select(Grid), Grid, actor)
    if district_code:
        stmt = stmt.where(Grid.district_code == district_code)
    if station_code:
        stmt = stmt.where(Grid.station_code == station_code)
    if bbox:
        min_lng, min_lat, max_lng, max_lat = bbox
        stmt = stmt.where(
            Grid.max_lng >= min_lng,
            Grid.min_lng <= max_lng,
            Grid.max_lat >= min_lat,
            Grid.min_lat <= max_lat,
        )
    features = [
        _feature(
            shapely.from_wkb(g.geometry_wkb),
            {
                "code": g.code,
                "station_code": g.station_code,
                "district_code": g.district_code,
                "name_zh": g.name_zh,
                "name_en": g.name_en,
                "is_urban": g.is_urban,
                "area_km2": round(g.area_km2, 3),
            },
        )
        for g in session.scalars(stmt.order_by(Grid.code).limit(limit))
    ]
    return {"type": "FeatureCollection", "features": features}
