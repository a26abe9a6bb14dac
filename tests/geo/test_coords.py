"""WGS-84 <-> GCJ-02 conversion, great-circle distance and UTM projection."""

from __future__ import annotations

import doctest
import math

import numpy as np
import pytest
import shapely
from shapely import Point, box

from yanyun.geo import coords
from yanyun.geo.coords import (
    EARTH_RADIUS_M,
    distance_m,
    distance_m_array,
    from_metric,
    gcj02_to_wgs84,
    gcj02_to_wgs84_array,
    to_metric,
    utm_transformer,
    wgs84_to_gcj02,
    wgs84_to_gcj02_array,
)

# Test vectors of googollee/eviltransform (go/transform_test.go), published
# as (wgs_lat, wgs_lng, gcj_lat, gcj_lng); reordered here to (lng, lat).
EVILTRANSFORM_VECTORS = [
    ((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597)),  # Shanghai
    ((113.912316, 22.543847), (113.9171764808363, 22.540796131694766)),  # Shenzhen
    ((116.377817, 39.911954), (116.38404722455657, 39.91334545536069)),  # Beijing
]

HENGYANG_CENTRE = (112.572, 26.894)  # WGS-84, near the city government


def test_docstring_examples_hold() -> None:
    result = doctest.testmod(coords, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


@pytest.mark.parametrize(("wgs", "gcj"), EVILTRANSFORM_VECTORS)
def test_forward_matches_published_vectors(wgs, gcj) -> None:
    lng_gcj, lat_gcj = wgs84_to_gcj02(*wgs)
    assert lng_gcj == pytest.approx(gcj[0], abs=1e-9)
    assert lat_gcj == pytest.approx(gcj[1], abs=1e-9)


@pytest.mark.parametrize(("wgs", "gcj"), EVILTRANSFORM_VECTORS)
def test_inverse_recovers_published_wgs84_within_1e7_degrees(wgs, gcj) -> None:
    lng, lat = gcj02_to_wgs84(*gcj)
    assert abs(lng - wgs[0]) < 1e-7
    assert abs(lat - wgs[1]) < 1e-7


def test_offset_in_hengyang_is_a_few_hundred_metres_east_and_south() -> None:
    lng_gcj, lat_gcj = wgs84_to_gcj02(*HENGYANG_CENTRE)
    d_lng = lng_gcj - HENGYANG_CENTRE[0]
    d_lat = lat_gcj - HENGYANG_CENTRE[1]
    assert 0.004 < d_lng < 0.007
    assert -0.005 < d_lat < -0.002
    assert 400 < distance_m(HENGYANG_CENTRE, (lng_gcj, lat_gcj)) < 900


def test_round_trip_over_china_is_within_1e7_degrees() -> None:
    lng, lat = np.meshgrid(np.linspace(73.5, 135.0, 125), np.linspace(18.0, 53.5, 72))
    lng_gcj, lat_gcj = wgs84_to_gcj02_array(lng, lat)
    back_lng, back_lat = gcj02_to_wgs84_array(lng_gcj, lat_gcj)
    error = np.maximum(np.abs(back_lng - lng), np.abs(back_lat - lat))
    assert error.max() < 1e-7
    # In practice the iteration goes much further than promised.
    assert error.max() < 1e-9


def test_identity_outside_china() -> None:
    outside = [(2.35, 48.85), (-74.0, 40.7), (151.2, -33.87), (139.0, 60.0), (110.0, 0.5)]
    for lng, lat in outside:
        assert wgs84_to_gcj02(lng, lat) == (lng, lat)
        assert gcj02_to_wgs84(lng, lat) == (lng, lat)
    lng_arr = np.array([p[0] for p in outside])
    lat_arr = np.array([p[1] for p in outside])
    np.testing.assert_array_equal(wgs84_to_gcj02_array(lng_arr, lat_arr)[0], lng_arr)
    np.testing.assert_array_equal(gcj02_to_wgs84_array(lng_arr, lat_arr)[1], lat_arr)


def test_array_and_scalar_forms_agree() -> None:
    rng = np.random.default_rng(3)
    lng = rng.uniform(100.0, 125.0, 200)
    lat = rng.uniform(20.0, 45.0, 200)
    fwd_lng, fwd_lat = wgs84_to_gcj02_array(lng, lat)
    inv_lng, inv_lat = gcj02_to_wgs84_array(lng, lat)
    for i in range(0, 200, 17):
        assert wgs84_to_gcj02(lng[i], lat[i]) == (fwd_lng[i], fwd_lat[i])
        assert gcj02_to_wgs84(lng[i], lat[i]) == pytest.approx((inv_lng[i], inv_lat[i]), abs=1e-12)


def test_array_forms_keep_shape_and_accept_empty_input() -> None:
    lng = np.full((3, 4), 112.5)
    lat = np.full((3, 4), 26.9)
    assert wgs84_to_gcj02_array(lng, lat)[0].shape == (3, 4)
    assert gcj02_to_wgs84_array(lng, lat)[1].shape == (3, 4)
    empty = np.array([], dtype=float)
    assert gcj02_to_wgs84_array(empty, empty)[0].size == 0
    with pytest.raises(ValueError, match="shapes differ"):
        wgs84_to_gcj02_array(np.zeros(2), np.zeros(3))


def test_distance_known_values() -> None:
    one_degree_m = EARTH_RADIUS_M * math.pi / 180.0
    assert distance_m((112.5, 26.0), (112.5, 27.0)) == pytest.approx(one_degree_m, rel=1e-12)
    assert distance_m((0.0, 0.0), (90.0, 0.0)) == pytest.approx(one_degree_m * 90, rel=1e-12)
    assert distance_m((10.0, 20.0), (-170.0, -20.0)) == pytest.approx(math.pi * EARTH_RADIUS_M)
    assert distance_m(HENGYANG_CENTRE, HENGYANG_CENTRE) == 0.0


def test_distance_is_symmetric_and_array_form_agrees() -> None:
    rng = np.random.default_rng(5)
    lng1, lng2 = rng.uniform(111.5, 113.5, (2, 100))
    lat1, lat2 = rng.uniform(25.5, 27.5, (2, 100))
    d = distance_m_array(lng1, lat1, lng2, lat2)
    for i in range(0, 100, 9):
        a, b = (lng1[i], lat1[i]), (lng2[i], lat2[i])
        assert distance_m(a, b) == pytest.approx(d[i], rel=1e-12)
        assert distance_m(a, b) == pytest.approx(distance_m(b, a), rel=1e-12)


def test_distance_array_broadcasts_one_point_against_many() -> None:
    lng = np.array([112.57, 112.58, 112.59])
    lat = np.array([26.89, 26.89, 26.89])
    d = distance_m_array(112.57, 26.89, lng, lat)
    assert d.shape == (3,)
    assert d[0] == 0.0
    assert d[1] < d[2]


def test_utm_transformer_is_cached_per_direction() -> None:
    assert utm_transformer() is utm_transformer()
    assert utm_transformer(inverse=True) is not utm_transformer()


def test_metric_round_trip_and_area() -> None:
    cell = box(112.5, 26.8, 112.6, 26.9)
    metric = to_metric(cell)
    # 0.1° x 0.1° at 26.85°N: 11.12 km x 9.92 km on the ground.
    assert metric.area / 1e6 == pytest.approx(110.3, rel=0.005)
    back = from_metric(metric)
    assert shapely.equals_exact(back, cell, tolerance=1e-9)


def test_metric_projection_of_geometry_arrays() -> None:
    points = np.array([Point(112.0, 26.0), Point(113.0, 27.0)])
    metric = to_metric(points)
    assert metric.shape == (2,)
    assert 500_000 < metric[0].x < 800_000
    assert metric[1].distance(metric[0]) == pytest.approx(
        distance_m((112.0, 26.0), (113.0, 27.0)), rel=0.003
    )
