"""Shipped district boundaries, converted from GCJ-02 to WGS-84."""

from __future__ import annotations

import doctest
import json
from importlib import resources

import numpy as np
import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon, shape

from yanyun.geo import boundaries
from yanyun.geo.boundaries import english_name, load_boundaries, load_city_outline
from yanyun.geo.coords import distance_m_array, to_metric

HENGYANG_DISTRICTS = {
    "430405": ("珠晖区", "Zhuhui District"),
    "430406": ("雁峰区", "Yanfeng District"),
    "430407": ("石鼓区", "Shigu District"),
    "430408": ("蒸湘区", "Zhengxiang District"),
    "430412": ("南岳区", "Nanyue District"),
    "430421": ("衡阳县", "Hengyang County"),
    "430422": ("衡南县", "Hengnan County"),
    "430423": ("衡山县", "Hengshan County"),
    "430424": ("衡东县", "Hengdong County"),
    "430426": ("祁东县", "Qidong County"),
    "430481": ("耒阳市", "Leiyang City"),
    "430482": ("常宁市", "Changning City"),
}


def raw_gcj02_geometry(city: str, adcode: str) -> shapely.Geometry:
    text = resources.files("yanyun").joinpath("data", "boundaries", f"{city}.geojson").read_text()
    for feature in json.loads(text)["features"]:
        if feature["properties"]["adcode"] == adcode:
            return shape(feature["geometry"])
    raise LookupError(adcode)


def test_docstring_examples_hold() -> None:
    result = doctest.testmod(boundaries)
    assert result.attempted > 0
    assert result.failed == 0


def test_hengyang_has_its_twelve_districts_with_names() -> None:
    districts = load_boundaries("hengyang")
    assert {d.adcode: (d.name_zh, d.name_en) for d in districts} == HENGYANG_DISTRICTS
    assert all(d.level == "district" for d in districts)


def test_changsha_has_nine_districts_with_english_names() -> None:
    districts = load_boundaries("changsha")
    assert len(districts) == 9
    assert {d.name_zh for d in districts} >= {"芙蓉区", "岳麓区", "浏阳市", "宁乡市"}
    assert all(d.name_en != d.adcode for d in districts)


def test_unknown_adcode_falls_back_to_the_adcode() -> None:
    assert english_name("110101") == "110101"


@pytest.mark.parametrize("city", ["hengyang", "changsha"])
def test_geometries_are_valid_areas(city: str) -> None:
    for district in [*load_boundaries(city), load_city_outline(city)]:
        assert isinstance(district.geometry, Polygon | MultiPolygon)
        assert district.geometry.is_valid
        assert not district.geometry.is_empty


@pytest.mark.parametrize(
    ("city", "official_area_km2"),
    # Published land areas: Hengyang 15,310 km², Changsha 11,819 km².
    [("hengyang", 15310.0), ("changsha", 11819.0)],
)
def test_union_of_districts_matches_the_city_outline(city: str, official_area_km2: float) -> None:
    outline = to_metric(load_city_outline(city).geometry)
    union = to_metric(shapely.union_all([d.geometry for d in load_boundaries(city)]))
    difference_km2 = union.symmetric_difference(outline).area / 1e6
    print(
        f"\n{city}: outline {outline.area / 1e6:.1f} km², union of districts "
        f"{union.area / 1e6:.1f} km², symmetric difference {difference_km2:.6f} km²"
    )
    assert difference_km2 < 1e-6 * outline.area / 1e6
    assert outline.area / 1e6 == pytest.approx(official_area_km2, rel=0.02)


def test_conversion_shifts_vertices_back_by_the_gcj02_offset() -> None:
    raw = shapely.get_coordinates(raw_gcj02_geometry("hengyang", "430405"))
    converted = shapely.get_coordinates(
        next(d for d in load_boundaries("hengyang") if d.adcode == "430405").geometry
    )
    assert raw.shape == converted.shape
    shift_m = distance_m_array(raw[:, 0], raw[:, 1], converted[:, 0], converted[:, 1])
    assert 400 < shift_m.min() <= shift_m.max() < 900
    # GCJ-02 lies east and south of WGS-84 in Hengyang: undoing it goes west, north.
    assert np.all(converted[:, 0] < raw[:, 0])
    assert np.all(converted[:, 1] > raw[:, 1])


def test_city_outline_is_the_city_level_feature() -> None:
    outline = load_city_outline("hengyang")
    assert (outline.adcode, outline.name_zh, outline.level) == ("430400", "衡阳市", "city")


def test_each_call_returns_a_fresh_list() -> None:
    first = load_boundaries("hengyang")
    first.clear()
    assert len(load_boundaries("hengyang")) == 12


def test_unknown_city_is_refused() -> None:
    with pytest.raises(ValueError, match="no boundaries for city 'paris'"):
        load_boundaries("paris")
    with pytest.raises(ValueError, match="no boundaries"):
        load_city_outline("../hengyang")
