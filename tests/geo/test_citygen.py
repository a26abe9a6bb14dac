"""The deterministic demo city: allocation, tiling, stations, grades, replay."""

from __future__ import annotations

import doctest
import re
from collections import Counter

import numpy as np
import pytest
import shapely

from yanyun.geo import citygen
from yanyun.geo.apportion import apportion
from yanyun.geo.boundaries import load_boundaries
from yanyun.geo.citygen import (
    MIN_STATIONS_PER_DISTRICT,
    CitySpec,
    GeneratedCity,
    generate_city,
)
from yanyun.geo.coords import to_metric

SEED = 20261123
CHANGSHA_URBAN = ("芙蓉区", "天心区", "岳麓区", "开福区", "雨花区")


@pytest.fixture(scope="module")
def city() -> GeneratedCity:
    return generate_city(load_boundaries("hengyang"), spec=CitySpec(), seed=SEED)


@pytest.fixture(scope="module")
def grids_metric(city: GeneratedCity) -> np.ndarray:
    return to_metric(np.array([g.geometry for g in city.grids]))


def test_docstring_examples_hold() -> None:
    result = doctest.testmod(citygen)
    assert result.attempted > 0
    assert result.failed == 0


def test_apportion_is_exact_and_respects_floors() -> None:
    rng = np.random.default_rng(0)
    for _ in range(200):
        n = int(rng.integers(1, 15))
        weights = rng.uniform(0.0, 100.0, n).tolist()
        floors = rng.integers(0, 4, n).tolist()
        total = sum(floors) + int(rng.integers(0, 500))
        seats = apportion(total, weights, floors)
        assert sum(seats) == total
        assert all(s >= f for s, f in zip(seats, floors, strict=True))


def test_apportion_without_floors_stays_within_one_seat_of_the_quota() -> None:
    weights = [219.1, 82.4, 105.3, 2561.0, 931.2]
    seats = apportion(1000, weights, [0] * 5)
    quotas = [1000 * w / sum(weights) for w in weights]
    assert all(abs(s - q) < 1 for s, q in zip(seats, quotas, strict=True))


def test_sizes_match_the_spec(city: GeneratedCity) -> None:
    assert len(city.districts) == 12
    assert len(city.stations) == 202
    assert len(city.grids) == 4882
    assert len({s.code for s in city.stations}) == 202
    assert len({g.code for g in city.grids}) == 4882


def test_codes_and_names_follow_the_pattern(city: GeneratedCity) -> None:
    for station in city.stations:
        assert re.fullmatch(rf"{station.district_code}-S\d\d", station.code)
        assert station.name_zh.endswith("派出所")
        assert "Station" in station.name_en
    for grid in city.grids:
        assert re.fullmatch(rf"{grid.station_code}-G\d\d\d", grid.code)
        assert grid.name_zh.endswith("网格")
    first = city.grids[0]
    assert (first.code, first.name_zh) == ("430405-S01-G001", "珠晖区第1派出所第1网格")


def test_every_district_has_at_least_three_stations_and_each_station_a_grid(
    city: GeneratedCity,
) -> None:
    per_district = Counter(s.district_code for s in city.stations)
    assert set(per_district) == {d.code for d in city.districts}
    assert min(per_district.values()) >= MIN_STATIONS_PER_DISTRICT
    per_station = Counter(g.station_code for g in city.grids)
    assert set(per_station) == {s.code for s in city.stations}
    print(f"\ngrids per station: min {min(per_station.values())}, max {max(per_station.values())}")


def test_every_grid_is_a_nonempty_area_in_its_station_and_district(city: GeneratedCity) -> None:
    stations = {s.code: s for s in city.stations}
    district_geoms = np.array([d.geometry for d in city.districts])
    district_codes = np.array([d.code for d in city.districts])
    tree = shapely.STRtree(district_geoms)
    grid_geoms = np.array([g.geometry for g in city.grids])
    assert set(shapely.get_type_id(grid_geoms)) <= {3, 6}  # Polygon, MultiPolygon
    assert not shapely.is_empty(grid_geoms).any()
    assert shapely.is_valid(grid_geoms).all()
    points = shapely.points([g.lng for g in city.grids], [g.lat for g in city.grids])
    assert shapely.intersects(grid_geoms, points).all()
    point_idx, district_idx = tree.query(points, predicate="intersects")
    assert np.array_equal(np.bincount(point_idx, minlength=len(points)), np.ones(len(points)))
    found = district_codes[district_idx[np.argsort(point_idx)]]
    assert found.tolist() == [g.district_code for g in city.grids]
    for grid in city.grids:
        assert stations[grid.station_code].district_code == grid.district_code


def test_grids_lie_inside_their_district(city: GeneratedCity, grids_metric: np.ndarray) -> None:
    districts = {d.code: to_metric(d.geometry) for d in city.districts}
    worst = 0.0
    for code, area in districts.items():
        shapely.prepare(area)
        mine = grids_metric[[g.district_code == code for g in city.grids]]
        poking = mine[~shapely.contains(area, mine)]
        outside_m2 = shapely.area(shapely.difference(poking, area))
        worst = max(worst, float(outside_m2.max(initial=0.0)))
    print(f"\nlargest grid area outside its district: {worst:.3g} m²")
    assert worst < 1.0


def test_grids_tile_each_district_without_gaps_or_overlaps(
    city: GeneratedCity, grids_metric: np.ndarray
) -> None:
    tree = shapely.STRtree(grids_metric)
    left, right = tree.query(grids_metric, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    overlap_m2 = shapely.area(shapely.intersection(grids_metric[left], grids_metric[right]))
    grid_district = np.array([g.district_code for g in city.grids])
    print()
    for district in city.districts:
        area = to_metric(district.geometry)
        mine = grid_district == district.code
        union = shapely.union_all(grids_metric[mine])
        gap_m2 = area.difference(union).area
        union_error = abs(union.area - area.area) / area.area
        inside = mine[left] & mine[right]
        overlap = float(overlap_m2[inside].sum())
        print(
            f"{district.code} {district.name_en:20s} {area.area / 1e6:8.1f} km² "
            f"{int(mine.sum()):4d} grids  union-area error {union_error:.1e}  "
            f"gap {gap_m2:.2g} m²  overlap {overlap:.2g} m²"
        )
        assert union_error < 0.005
        assert overlap < 1e-4 * area.area
    across = grid_district[left] != grid_district[right]
    print(f"overlap between grids of different districts: {overlap_m2[across].sum():.2g} m²")


def test_urban_grids_are_much_smaller_than_rural(city: GeneratedCity) -> None:
    areas = np.array([g.area_km2 for g in city.grids])
    urban = np.array([g.is_urban for g in city.grids])
    urban_median, rural_median = np.median(areas[urban]), np.median(areas[~urban])
    print(f"\nmedian grid area: urban {urban_median:.2f} km², rural {rural_median:.2f} km²")
    assert urban_median < rural_median / 5
    assert sum(d.is_urban for d in city.districts) == 5


def test_grades_and_rooms_match_the_spec(city: GeneratedCity) -> None:
    spec = CitySpec()
    grades = Counter(s.grade for s in city.stations)
    assert grades == {1: spec.first_grade_stations, 2: spec.second_grade_stations, 3: 123}
    assert sum(s.has_command_room for s in city.stations) == spec.command_rooms
    assert sum(s.has_mediation_room for s in city.stations) == spec.mediation_rooms
    assert all(s.has_command_room and s.has_mediation_room for s in city.stations if s.grade == 1)


def test_first_grade_stations_serve_the_most_grids(city: GeneratedCity) -> None:
    per_station = Counter(g.station_code for g in city.grids)
    first = min(per_station[s.code] for s in city.stations if s.grade == 1)
    third = max(per_station[s.code] for s in city.stations if s.grade == 3)
    assert first >= third


def test_station_lies_in_its_area_and_covers_its_grids(city: GeneratedCity) -> None:
    grid_area = Counter()
    for g in city.grids:
        grid_area[g.station_code] += g.area_km2
    for station in city.stations:
        assert station.geometry.intersects(shapely.Point(station.lng, station.lat))
        assert station.area_km2 == pytest.approx(grid_area[station.code], rel=1e-9)
        own_grid = next(g for g in city.grids if g.code == f"{station.code}-G001")
        assert (own_grid.lng, own_grid.lat) == (station.lng, station.lat)


def test_same_seed_gives_the_same_city_and_another_seed_does_not(city: GeneratedCity) -> None:
    again = generate_city(load_boundaries("hengyang"), spec=CitySpec(), seed=SEED)
    assert [g.code for g in again.grids] == [g.code for g in city.grids]
    assert [s.code for s in again.stations] == [s.code for s in city.stations]
    sample = slice(None, None, 37)
    wkb = shapely.to_wkb(np.array([g.geometry for g in city.grids[sample]]))
    wkb_again = shapely.to_wkb(np.array([g.geometry for g in again.grids[sample]]))
    assert list(wkb) == list(wkb_again)
    assert [s.grade for s in again.stations] == [s.grade for s in city.stations]
    assert [s.has_mediation_room for s in again.stations] == [
        s.has_mediation_room for s in city.stations
    ]

    other = generate_city(load_boundaries("hengyang"), spec=CitySpec(), seed=SEED + 1)
    wkb_other = shapely.to_wkb(np.array([g.geometry for g in other.grids[sample]]))
    assert sum(a != b for a, b in zip(wkb, wkb_other, strict=True)) > 0.9 * len(wkb)


def test_small_spec_on_changsha() -> None:
    spec = CitySpec(
        stations=30,
        grids=300,
        urban_districts=CHANGSHA_URBAN,
        first_grade_stations=3,
        second_grade_stations=8,
        command_rooms=10,
        mediation_rooms=12,
    )
    city = generate_city(load_boundaries("changsha"), spec=spec, seed=1)
    assert (len(city.districts), len(city.stations), len(city.grids)) == (9, 30, 300)
    assert Counter(s.grade for s in city.stations) == {1: 3, 2: 8, 3: 19}
    assert sum(s.has_command_room for s in city.stations) == 10
    assert sum(s.has_mediation_room for s in city.stations) == 12
    assert set(Counter(g.station_code for g in city.grids)) == {s.code for s in city.stations}
    assert {d.name_en for d in city.districts if d.is_urban} == {
        "Furong District",
        "Tianxin District",
        "Yuelu District",
        "Kaifu District",
        "Yuhua District",
    }


def test_a_district_may_have_exactly_one_grid_per_station() -> None:
    spec = CitySpec(
        stations=36,
        grids=36,
        first_grade_stations=1,
        second_grade_stations=1,
        command_rooms=1,
        mediation_rooms=1,
    )
    city = generate_city(load_boundaries("hengyang"), spec=spec, seed=1)
    assert len(city.grids) == len(city.stations) == 36
    assert all(g.code.endswith("-G001") for g in city.grids)


@pytest.mark.parametrize(
    "overrides",
    [
        {"stations": 30},  # fewer than 3 per district
        {"grids": 100},  # fewer grids than stations
        {"first_grade_stations": 150, "second_grade_stations": 60},
        {"command_rooms": 300},
        {"mediation_rooms": -1},
        {"urban_density": 0.0},
    ],
)
def test_impossible_specs_are_refused(overrides: dict[str, int | float]) -> None:
    spec = CitySpec(**overrides)
    with pytest.raises(ValueError):
        generate_city(load_boundaries("hengyang"), spec=spec, seed=1)
