"""The deterministic demo city: police stations and grids over real districts.

Real station and grid boundaries are not public, so the demo city draws its
own over the shipped district boundaries, at the sizes of the real bureau
(202 stations, 4,882 grids). Everything follows from one seed, so a demo,
a test and a simulation replay see the same city.

Method (details and measured figures in ``docs/geo.md``):

1. Allocation. Grids per district are proportional to area x density
   weight (``CitySpec.urban_density`` in urban districts, 1 elsewhere),
   stations to area x sqrt(weight), by largest remainder so totals are
   exact, with floors (3 stations per district, 1 grid per station).
2. Grids. In UTM metres: seed points drawn uniformly inside the district by
   rejection sampling, a few Lloyd iterations (each seed moved to the
   centroid of its clipped Voronoi cell) for even sizes, then the Voronoi
   cells clipped to the district. Cells of one diagram share edges, so the
   grids tile the district without gaps or overlaps.
3. Stations. Grid centroids are clustered by k-means into the district's
   station count; a station is the union of its grids and is located at the
   representative point of its grid nearest the cluster centre.
4. Grades and rooms. Stations are ranked by grid count (a proxy for the
   population served): the top ones are first grade, the next second grade,
   and the top ranks hold the integrated command rooms; mediation rooms go
   to every first-grade station and to a seeded sample of the others.
"""

from __future__ import annotations

import math
import random
import zlib
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon

from yanyun.geo.apportion import apportion
from yanyun.geo.boundaries import DistrictBoundary, polygonal_part
from yanyun.geo.coords import from_metric, to_metric
from yanyun.geo.tiling import kmeans, lloyd_cells

__all__ = [
    "MIN_STATIONS_PER_DISTRICT",
    "CitySpec",
    "GeneratedCity",
    "GeneratedDistrict",
    "GeneratedGrid",
    "GeneratedStation",
    "generate_city",
]

#: Every district, however small or rural, has at least this many stations.
MIN_STATIONS_PER_DISTRICT = 3



@dataclass(frozen=True)
class CitySpec:
    """Sizes of the demo city; the defaults are Hengyang's real figures."""

    stations: int = 202
    grids: int = 4882
    urban_districts: tuple[str, ...] = ("珠晖区", "雁峰区", "石鼓区", "蒸湘区", "南岳区")
    #: Grids per km² in urban districts relative to rural ones.
    urban_density: float = 15.0
    first_grade_stations: int = 19
    second_grade_stations: int = 60
    command_rooms: int = 71
    mediation_rooms: int = 78


@dataclass(frozen=True)
class GeneratedDistrict:
    """A district of the demo city; ``code`` is its adcode."""

    code: str
    name_zh: str
    name_en: str
    is_urban: bool
    geometry: Polygon | MultiPolygon
    area_km2: float


@dataclass(frozen=True)
class GeneratedStation:
    """A police station (派出所) and the area it covers (union of its grids)."""

    code: str
    name_zh: str
    name_en: str
    district_code: str
    lng: float
    lat: float
    grade: int
    has_command_room: bool
    has_mediation_room: bool
    geometry: Polygon | MultiPolygon
    area_km2: float


@dataclass(frozen=True)
class GeneratedGrid:
    """A policing grid (网格); ``(lng, lat)`` is a point inside it."""

    code: str
    name_zh: str
    name_en: str
    station_code: str
    district_code: str
    is_urban: bool
    geometry: Polygon | MultiPolygon
    area_km2: float
    lng: float
    lat: float


@dataclass(frozen=True)
class GeneratedCity:
    """The whole demo city; geometries are WGS-84, ordered by code."""

    districts: tuple[GeneratedDistrict, ...]
    stations: tuple[GeneratedStation, ...]
    grids: tuple[GeneratedGrid, ...]


def _check_spec(spec: CitySpec, n_districts: int) -> None:
    if n_districts == 0:
        raise ValueError("no districts given")
    if spec.stations < MIN_STATIONS_PER_DISTRICT * n_districts:
        raise ValueError(
            f"{spec.stations} stations are fewer than {MIN_STATIONS_PER_DISTRICT} "
            f"for each of {n_districts} districts"
        )
    if spec.grids < spec.stations:
        raise ValueError("every station needs a grid: grids must be >= stations")
    if spec.urban_density <= 0:
        raise ValueError("urban_density must be positive")
    for field in (
        "first_grade_stations",
        "second_grade_stations",
        "command_rooms",
        "mediation_rooms",
    ):
        value = getattr(spec, field)
        if not 0 <= value <= spec.stations:
            raise ValueError(f"{field}={value} must lie in 0..{spec.stations}")
    if spec.first_grade_stations + spec.second_grade_stations > spec.stations:
        raise ValueError("first- and second-grade stations exceed the stations")


def _district_rng(seed: int, adcode: str) -> np.random.Generator:
    # One stream per district, so a district's layout does not depend on
    # which other districts are generated with it.
    key = int(adcode) if adcode.isdigit() else zlib.crc32(adcode.encode())
    return np.random.default_rng(np.random.SeedSequence([seed % 2**64, key]))


@dataclass
class _DraftStation:
    district: DistrictBoundary
    number: int
    grid_indices: list[int]
    anchor: int


def generate_city(districts: list[DistrictBoundary], *, spec: CitySpec, seed: int) -> GeneratedCity:
    """Generate the demo city's stations and grids over real districts.

    Parameters
    ----------
    districts : list of DistrictBoundary
        District-level boundaries in WGS-84, e.g. ``load_boundaries()``.
    spec : CitySpec
        Sizes; totals of stations and grids are met exactly.
    seed : int
        The only source of randomness; the same seed and input give the
        same codes and the same geometries, bit for bit.

    Returns
    -------
    GeneratedCity
        Districts in input order; stations and grids ordered by code.
        Station codes are ``{adcode}-S{nn:02d}``, numbered from the one
        nearest the district's centre; grid codes ``{station}-G{nnn:03d}``,
        numbered outwards from the station's own grid (``G001``).

    Raises
    ------
    ValueError
        If the spec cannot be met (fewer than 3 stations per district,
        fewer grids than stations, more graded stations than stations).

    Examples
    --------
    >>> from yanyun.geo.boundaries import load_boundaries
    >>> spec = CitySpec(stations=36, grids=120, first_grade_stations=2,
    ...                 second_grade_stations=6, command_rooms=5, mediation_rooms=7)
    >>> city = generate_city(load_boundaries("hengyang"), spec=spec, seed=7)
    >>> len(city.districts), len(city.stations), len(city.grids)
    (12, 36, 120)
    >>> city.stations[0].code, city.stations[0].name_en, city.grids[0].code
    ('430405-S01', 'Zhuhui District Station 1', '430405-S01-G001')
    """
    _check_spec(spec, len(districts))
    urban_keys = set(spec.urban_districts)
    is_urban = [d.name_zh in urban_keys or d.adcode in urban_keys for d in districts]
    metric_areas = [to_metric(d.geometry) for d in districts]
    area_km2 = [a.area / 1e6 for a in metric_areas]
    density = [spec.urban_density if u else 1.0 for u in is_urban]

    station_counts = apportion(
        spec.stations,
        [a * math.sqrt(w) for a, w in zip(area_km2, density, strict=True)],
        [MIN_STATIONS_PER_DISTRICT] * len(districts),
    )
    grid_counts = apportion(
        spec.grids, [a * w for a, w in zip(area_km2, density, strict=True)], station_counts
    )

    drafts, cells_metric, grid_district = _draw_grids(
        districts, metric_areas, station_counts, grid_counts, seed
    )
    all_metric = np.concatenate(cells_metric)
    all_wgs = from_metric(all_metric)
    grid_area_km2 = shapely.area(all_metric) / 1e6
    grid_points = shapely.get_coordinates(shapely.point_on_surface(all_wgs))

    stations, grids = _stations_and_grids(
        drafts, grid_district, is_urban, all_wgs, grid_area_km2, grid_points, spec=spec, seed=seed
    )
    generated_districts = tuple(
        GeneratedDistrict(
            code=d.adcode,
            name_zh=d.name_zh,
            name_en=d.name_en,
            is_urban=is_urban[i],
            geometry=d.geometry,
            area_km2=area_km2[i],
        )
        for i, d in enumerate(districts)
    )
    return GeneratedCity(
        districts=generated_districts,
        stations=tuple(sorted(stations, key=lambda s: s.code)),
        grids=tuple(sorted(grids, key=lambda g: g.code)),
    )


def _draw_grids(
    districts: list[DistrictBoundary],
    metric_areas: list,
    station_counts: list[int],
    grid_counts: list[int],
    seed: int,
) -> tuple[list[_DraftStation], list[np.ndarray], list[int]]:
    """Tile each district into its grids and cluster them into its stations (metric cells).

    Stations are numbered from the one nearest the district's centre; a
    station's grids are ordered outwards from its anchor grid.
    """
    cells_metric: list[np.ndarray] = []
    drafts: list[_DraftStation] = []
    grid_district: list[int] = []
    offset = 0
    for d_index, district in enumerate(districts):
        rng = _district_rng(seed, district.adcode)
        area = metric_areas[d_index]
        cells = lloyd_cells(area, grid_counts[d_index], rng)
        centroids = shapely.get_coordinates(shapely.centroid(cells))
        labels, centres = kmeans(centroids, station_counts[d_index], rng)
        centre = np.array(area.centroid.coords[0])
        order = np.argsort(((centres - centre) ** 2).sum(axis=1), kind="stable")
        for number, cluster in enumerate(order, start=1):
            members = np.flatnonzero(labels == cluster)
            dist = ((centroids[members] - centres[cluster]) ** 2).sum(axis=1)
            anchor = members[int(dist.argmin())]
            from_anchor = ((centroids[members] - centroids[anchor]) ** 2).sum(axis=1)
            members = members[np.argsort(from_anchor, kind="stable")]
            drafts.append(
                _DraftStation(
                    district=district,
                    number=number,
                    grid_indices=[offset + int(m) for m in members],
                    anchor=offset + int(anchor),
                )
            )
        cells_metric.append(cells)
        grid_district.extend([d_index] * len(cells))
        offset += len(cells)

    return drafts, cells_metric, grid_district


def _stations_and_grids(
    drafts: list[_DraftStation],
    grid_district: list[int],
    is_urban: list[bool],
    all_wgs: np.ndarray,
    grid_area_km2: np.ndarray,
    grid_points: np.ndarray,
    *,
    spec: CitySpec,
    seed: int,
) -> tuple[list[GeneratedStation], list[GeneratedGrid]]:
    """Name, code and grade the drafted stations and their grids (WGS-84 geometries)."""
    grades, command, mediation = _assign_grades_and_rooms(drafts, spec=spec, seed=seed)
    stations: list[GeneratedStation] = []
    grids: list[GeneratedGrid] = []
    for s_index, draft in enumerate(drafts):
        district = draft.district
        d_index = grid_district[draft.anchor]
        code = f"{district.adcode}-S{draft.number:02d}"
        name_zh = f"{district.name_zh}第{draft.number}派出所"
        name_en = f"{district.name_en} Station {draft.number}"
        members = draft.grid_indices
        stations.append(
            GeneratedStation(
                code=code,
                name_zh=name_zh,
                name_en=name_en,
                district_code=district.adcode,
                lng=float(grid_points[draft.anchor, 0]),
                lat=float(grid_points[draft.anchor, 1]),
                grade=grades[s_index],
                has_command_room=command[s_index],
                has_mediation_room=mediation[s_index],
                geometry=polygonal_part(shapely.union_all(all_wgs[members])),
                area_km2=float(grid_area_km2[members].sum()),
            )
        )
        for g_number, g in enumerate(members, start=1):
            grids.append(
                GeneratedGrid(
                    code=f"{code}-G{g_number:03d}",
                    name_zh=f"{name_zh}第{g_number}网格",
                    name_en=f"{name_en} Grid {g_number}",
                    station_code=code,
                    district_code=district.adcode,
                    is_urban=is_urban[d_index],
                    geometry=all_wgs[g],
                    area_km2=float(grid_area_km2[g]),
                    lng=float(grid_points[g, 0]),
                    lat=float(grid_points[g, 1]),
                )
            )

    return stations, grids


def _assign_grades_and_rooms(
    drafts: list[_DraftStation], *, spec: CitySpec, seed: int
) -> tuple[list[int], list[bool], list[bool]]:
    """Grade stations and place rooms; exact counts from the spec."""
    # Grid count stands for population served (grids are denser where
    # people are), so the busiest stations get the top grades and rooms.
    ranked = sorted(
        range(len(drafts)),
        key=lambda i: (-len(drafts[i].grid_indices), drafts[i].district.adcode, drafts[i].number),
    )
    grades = [3] * len(drafts)
    for rank, i in enumerate(ranked):
        if rank < spec.first_grade_stations:
            grades[i] = 1
        elif rank < spec.first_grade_stations + spec.second_grade_stations:
            grades[i] = 2
    command = [False] * len(drafts)
    for i in ranked[: spec.command_rooms]:
        command[i] = True
    # Disputes arise everywhere, not only in busy areas: after the
    # first-grade stations, mediation rooms go to a seeded sample.
    mediation = [False] * len(drafts)
    sure = ranked[: min(spec.mediation_rooms, spec.first_grade_stations)]
    rest = ranked[len(sure) :]
    chosen = sure + random.Random(seed).sample(rest, spec.mediation_rooms - len(sure))
    for i in chosen:
        mediation[i] = True
    return grades, command, mediation
