"""Building the demo city, resolving points to places, exporting the map."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from yanyun.auth import service as auth_service
from yanyun.auth.service import Actor, OrgUnitSpec
from yanyun.core import audit, events
from yanyun.core.clock import Clock
from yanyun.core.db import Provider, Runtime
from yanyun.core.errors import Invalid, OutsideJurisdiction
from yanyun.events.geo import CityBuilt
from yanyun.geo import boundaries, citygen
from yanyun.geo.models import District, Grid, Station
from yanyun.geo.resolver import PointResolver
from yanyun.geo.schemas import CitySummary, Location, PlaceRef
from yanyun.geo.settings import CitySettings

CITY_NAMES = {
    "hengyang": ("衡阳市公安局", "Hengyang Public Security Bureau", "430400"),
    "changsha": ("长沙市公安局", "Changsha Public Security Bureau", "430100"),
}


@dataclass(frozen=True)
class BuildReport:
    built: bool
    districts: int
    stations: int
    grids: int


def city_is_built(*, session: Session) -> bool:
    return (session.scalar(select(func.count()).select_from(District)) or 0) > 0


def build_city(*, session: Session, clock: Clock, city: CitySettings) -> BuildReport:
    """Generate and store the demo city and its org tree, unless it exists (idempotent)."""
    if city_is_built(session=session):
        s = summary(session=session)
        return BuildReport(False, s.districts, s.stations, s.grids)
    districts = boundaries.load_boundaries(city.name)
    spec = citygen.CitySpec(
        stations=city.stations,
        grids=city.grids,
        urban_districts=tuple(city.urban_districts),
        urban_density=city.urban_density,
        first_grade_stations=city.first_grade_stations,
        second_grade_stations=city.second_grade_stations,
        command_rooms=city.command_rooms,
        mediation_rooms=city.mediation_rooms,
    )
    generated = citygen.generate_city(districts, spec=spec, seed=city.seed)
    bureau_zh, bureau_en, bureau_code = CITY_NAMES.get(
        city.name, (f"{city.name}公安局", f"{city.name} Public Security Bureau", city.name)
    )

    # Tens of thousands of rows in one go: one audit entry for the build, not one per row.
    session.info["audit_writes"] = False
    try:
        _store_city(session, generated, bureau_code, bureau_zh, bureau_en)
    finally:
        session.info.pop("audit_writes", None)
    audit.record(
        session,
        clock=clock,
        action="build_city",
        resource_type="city",
        resource_id=city.name,
        detail={
            "seed": city.seed,
            "stations": len(generated.stations),
            "grids": len(generated.grids),
        },
    )
    events.publish(
        session,
        CityBuilt(districts=len(generated.districts), stations=len(generated.stations),
                  grids=len(generated.grids)),
        clock=clock,
        resource_id=city.name,
        org_path=bureau_code,
    )
    return BuildReport(
        True, len(generated.districts), len(generated.stations), len(generated.grids)
    )


def _store_city(
    session: Session, city: Any, bureau_code: str, bureau_zh: str, bureau_en: str
) -> None:
    auth_service.ensure_org_unit(
        session=session,
        code=bureau_code,
        kind="bureau",
        name_zh=bureau_zh,
        name_en=bureau_en,
        parent_code=None,
    )
    session.flush()
    _store_districts(session, city)
    _store_stations(session, city)
    _store_grids(session, city)
    _hand_org_tree(session, city, bureau_code)


def _store_districts(session: Session, city: Any) -> None:
    session.execute(
        insert(District),
        [
            {
                "code": d.code,
                "name_zh": d.name_zh,
                "name_en": d.name_en,
                "is_urban": d.is_urban,
                "area_km2": d.area_km2,
                "geometry_wkb": shapely.to_wkb(d.geometry),
            }
            for d in city.districts
        ],
    )


def _store_stations(session: Session, city: Any) -> None:
    session.execute(
        insert(Station),
        [
            {
                "code": s.code,
                "district_code": s.district_code,
                "name_zh": s.name_zh,
                "name_en": s.name_en,
                "grade": s.grade,
                "has_command_room": s.has_command_room,
                "has_mediation_room": s.has_mediation_room,
                "lng": s.lng,
                "lat": s.lat,
                "geometry_wkb": shapely.to_wkb(s.geometry),
            }
            for s in city.stations
        ],
    )


def _store_grids(session: Session, city: Any) -> None:
    grid_rows = []
    for g in city.grids:
        min_lng, min_lat, max_lng, max_lat = g.geometry.bounds
        grid_rows.append(
            {
                "code": g.code,
                "station_code": g.station_code,
                "district_code": g.district_code,
                "name_zh": g.name_zh,
                "name_en": g.name_en,
                "is_urban": g.is_urban,
                "area_km2": g.area_km2,
                "lng": g.lng,
                "lat": g.lat,
                "min_lng": min_lng,
                "min_lat": min_lat,
                "max_lng": max_lng,
                "max_lat": max_lat,
                "geometry_wkb": shapely.to_wkb(g.geometry),
            }
        )
    session.execute(insert(Grid), grid_rows)


def _hand_org_tree(session: Session, city: Any, bureau_code: str) -> None:
    """Auth owns the org tree: geo hands it the branches, stations and grids to add."""
    org_units = [
        OrgUnitSpec(d.code, "branch", f"{d.name_zh}分局", f"{d.name_en} Branch", bureau_code)
        for d in city.districts
    ]
    org_units += [
        OrgUnitSpec(s.code, "station", s.name_zh, s.name_en, s.district_code)
        for s in city.stations
    ]
    org_units += [
        OrgUnitSpec(g.code, "grid", g.name_zh, g.name_en, g.station_code) for g in city.grids
    ]
    auth_service.add_org_units(session=session, units=org_units)


def summary(*, session: Session) -> CitySummary:
    districts = session.scalar(select(func.count()).select_from(District)) or 0
    stations = session.scalar(select(func.count()).select_from(Station)) or 0
    grids = session.scalar(select(func.count()).select_from(Grid)) or 0
    area = session.scalar(select(func.coalesce(func.sum(District.area_km2), 0.0))) or 0.0
    urban = list(session.scalars(select(Grid.area_km2).where(Grid.is_urban.is_(True))))
    rural = list(session.scalars(select(Grid.area_km2).where(Grid.is_urban.is_(False))))
    return CitySummary(
        districts=districts,
        stations=stations,
        grids=grids,
        area_km2=round(area, 1),
        urban_grid_median_km2=round(statistics.median(urban), 3) if urban else None,
        rural_grid_median_km2=round(statistics.median(rural), 3) if rural else None,
    )


@dataclass
class CityIndex:
    """The city's grids in memory, for resolving points without a spatial database."""

    resolver: PointResolver
    grid_codes: list[str]
    grids: dict[str, PlaceRef]
    stations: dict[str, PlaceRef]
    districts: dict[str, PlaceRef]
    grid_station: dict[str, str]
    grid_district: dict[str, str]
    bureau_code: str
    district_urban: dict[str, bool]

    def locate(self, lng: float, lat: float) -> Location:
        """Place a point, or say it is outside every grid of the city."""
        index = self.resolver.resolve(lng, lat)
        if index is None:
            return Location(lng=lng, lat=lat, inside=False)
        return self._location(lng, lat, index)

    def locate_many(self, lngs: np.ndarray, lats: np.ndarray) -> list[Location]:
        indices = self.resolver.resolve_many(lngs, lats)
        return [
            Location(lng=float(x), lat=float(y), inside=False)
            if i < 0
            else self._location(float(x), float(y), int(i))
            for x, y, i in zip(lngs, lats, indices, strict=True)
        ]

    def _location(self, lng: float, lat: float, index: int) -> Location:
        grid = self.grid_codes[index]
        station = self.grid_station[grid]
        district = self.grid_district[grid]
        return Location(
            lng=lng,
            lat=lat,
            inside=True,
            district=self.districts[district],
            station=self.stations[station],
            grid=self.grids[grid],
            org_path=f"{self.bureau_code}/{district}/{station}/{grid}",
        )


def city_index(*, runtime: Runtime, session: Session | None = None) -> CityIndex:
    """The process's index, built once (on a session of its own) the first time it is asked for."""
    return runtime.provide(CITY_INDEX)


def _build_index(runtime: Runtime) -> CityIndex:
    from yanyun.core.db import read_session

    with read_session(runtime) as session:
        return load_index(session=session)


#: The city's point resolver and lookups, one per process.
CITY_INDEX: Provider[CityIndex] = Provider("geo.city_index", _build_index)


def warm_up(runtime: Runtime) -> None:
    """Build the city index at start, not on the first call that places a point."""
    runtime.provide(CITY_INDEX)


def load_index(*, session: Session) -> CityIndex:
    """Read every grid once and build the point resolver."""
    rows = session.execute(
        select(
            Grid.code,
            Grid.station_code,
            Grid.district_code,
            Grid.name_zh,
            Grid.name_en,
            Grid.geometry_wkb,
        ).order_by(Grid.code)
    ).all()
    geometries = shapely.from_wkb([r.geometry_wkb for r in rows]) if rows else []
    stations = {
        s.code: PlaceRef(code=s.code, name_zh=s.name_zh, name_en=s.name_en)
        for s in session.scalars(select(Station))
    }
    district_rows = list(session.scalars(select(District)))
    districts = {
        d.code: PlaceRef(code=d.code, name_zh=d.name_zh, name_en=d.name_en)
        for d in district_rows
    }
    bureau = auth_service.bureau_code(session=session)
    return CityIndex(
        resolver=PointResolver(list(geometries)),
        grid_codes=[r.code for r in rows],
        grids={r.code: PlaceRef(code=r.code, name_zh=r.name_zh, name_en=r.name_en) for r in rows},
        stations=stations,
        districts=districts,
        grid_station={r.code: r.station_code for r in rows},
        grid_district={r.code: r.district_code for r in rows},
        bureau_code=bureau or "",
        district_urban={d.code: d.is_urban for d in district_rows},
    )


def resolve_point(*, index: CityIndex, lng: float, lat: float) -> Location:
    """Resolve one point, refusing points outside the city's jurisdiction."""
    location = index.locate(lng, lat)
    if not location.inside:
        raise OutsideJurisdiction(
            f"坐标({lng:.6f}, {lat:.6f})不在本市辖区内",
            f"point ({lng:.6f}, {lat:.6f}) is outside the city's jurisdiction",
            field="lng/lat",
        )
    return location


def place_in_scope(
    *, index: CityIndex, actor: Actor | None, lng: float, lat: float, field: str = "lng"
) -> Location:
    """Resolve a point that must lie in the city and, for a scoped user, in their own area.

    The one check behind every write that takes a place (an incident, a report,
    a hazard, a dispute, a volunteer, a call-out): outside the city is refused
    as outside the jurisdiction, outside the caller's area as invalid, both
    naming ``field``.
    """
    location = index.locate(lng, lat)
    if not location.inside:
        raise OutsideJurisdiction(
            f"坐标({lng:.6f}, {lat:.6f})不在本市辖区内",
            f"point ({lng:.6f}, {lat:.6f}) is outside the city's jurisdiction",
            field=field,
        )
    if actor is not None and location.org_path and not actor.sees(location.org_path):
        raise Invalid(field, "地点不在您的辖区内", "the place is outside your jurisdiction")
    return location


def places_named(
    *, session: Session, text: str, limit: int = 8
) -> tuple[list[Station], list[Grid]]:
    """Stations and grids whose code starts with, or whose name holds, ``text``.

    The city's units are not personal data: every signed-in user may find them.
    """
    def match(model: Any) -> Any:
        return (model.code.startswith(text, autoescape=True)
                | model.name_zh.contains(text, autoescape=True)
                | model.name_en.contains(text, autoescape=True))

    stations = session.scalars(
        select(Station).where(match(Station)).order_by(Station.code).limit(limit)
    ).all()
    grids = session.scalars(
        select(Grid).where(match(Grid)).order_by(Grid.code).limit(limit)
    ).all()
    return list(stations), list(grids)
