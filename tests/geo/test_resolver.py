"""Point to grid resolution: always the answer of the exact per-point test."""

from __future__ import annotations

import doctest

import numpy as np
import pytest
import shapely
from shapely import LineString, Point, Polygon, box

from yanyun.geo import resolver as resolver_module
from yanyun.geo.boundaries import load_boundaries
from yanyun.geo.citygen import CitySpec, generate_city
from yanyun.geo.resolver import PointResolver


def naive_resolve(tree: shapely.STRtree, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The reference: one STRtree query per point, lowest intersecting index."""
    out = np.full(len(x), -1, dtype=np.int32)
    for i in range(len(x)):
        hits = tree.query(Point(x[i], y[i]), predicate="intersects")
        if len(hits):
            out[i] = hits.min()
    return out


@pytest.fixture(scope="module")
def grids() -> list[shapely.Geometry]:
    city = generate_city(load_boundaries("hengyang"), spec=CitySpec(), seed=11)
    return [g.geometry for g in city.grids]


@pytest.fixture(scope="module")
def resolver(grids: list[shapely.Geometry]) -> PointResolver:
    return PointResolver(grids)


@pytest.fixture(scope="module")
def tree(grids: list[shapely.Geometry]) -> shapely.STRtree:
    return shapely.STRtree(grids)


def test_docstring_examples_hold() -> None:
    result = doctest.testmod(resolver_module)
    assert result.attempted > 0
    assert result.failed == 0


def test_raster_answers_most_cells_without_the_exact_test(resolver: PointResolver) -> None:
    assert resolver.raster_shape is not None
    assert resolver.raster_clear_fraction() > 0.5


def test_agrees_with_the_per_point_test_on_random_points(
    grids: list[shapely.Geometry], resolver: PointResolver, tree: shapely.STRtree
) -> None:
    minx, miny, maxx, maxy = shapely.total_bounds(np.array(grids))
    rng = np.random.default_rng(42)
    # A margin around the city so that some points lie outside every grid.
    x = rng.uniform(minx - 0.1, maxx + 0.1, 20_000)
    y = rng.uniform(miny - 0.1, maxy + 0.1, 20_000)
    expected = naive_resolve(tree, x, y)
    got = resolver.resolve_many(x, y)
    assert got.dtype == np.int32
    np.testing.assert_array_equal(got, expected)
    assert (expected == -1).sum() > 1000
    assert (expected >= 0).sum() > 5000
    for i in range(0, 20_000, 997):
        assert resolver.resolve(x[i], y[i]) == (None if expected[i] < 0 else expected[i])


def test_agrees_on_grid_vertices_and_edge_midpoints(
    grids: list[shapely.Geometry], resolver: PointResolver, tree: shapely.STRtree
) -> None:
    # Vertices are shared by two to four grids: the lowest index must win.
    owners = np.arange(0, len(grids), 25)
    vertices, vertex_owner = shapely.get_coordinates(np.array(grids)[owners], return_index=True)
    got = resolver.resolve_many(vertices[:, 0], vertices[:, 1])
    np.testing.assert_array_equal(got, naive_resolve(tree, vertices[:, 0], vertices[:, 1]))
    assert (got >= 0).all()
    assert (got <= owners[vertex_owner]).all()
    assert (got < owners[vertex_owner]).any()

    same_ring = vertex_owner[:-1] == vertex_owner[1:]
    midpoints = ((vertices[:-1] + vertices[1:]) / 2.0)[same_ring]
    np.testing.assert_array_equal(
        resolver.resolve_many(midpoints[:, 0], midpoints[:, 1]),
        naive_resolve(tree, midpoints[:, 0], midpoints[:, 1]),
    )


def test_disabling_the_raster_gives_the_same_answers(grids: list[shapely.Geometry]) -> None:
    rng = np.random.default_rng(8)
    minx, miny, maxx, maxy = shapely.total_bounds(np.array(grids))
    x = rng.uniform(minx, maxx, 50_000)
    y = rng.uniform(miny, maxy, 50_000)
    plain = PointResolver(grids, raster_cells=0)
    assert plain.raster_shape is None
    np.testing.assert_array_equal(
        plain.resolve_many(x, y), PointResolver(grids, raster_cells=20_000).resolve_many(x, y)
    )


def test_shared_edge_resolves_to_the_lowest_index_in_either_order() -> None:
    left, right = box(0, 0, 1, 1), box(1, 0, 2, 1)
    on_edge = (np.array([1.0, 1.0, 1.0]), np.array([0.0, 0.5, 1.0]))
    assert PointResolver([left, right]).resolve_many(*on_edge).tolist() == [0, 0, 0]
    assert PointResolver([right, left]).resolve_many(*on_edge).tolist() == [0, 0, 0]
    assert PointResolver([left, right]).resolve(2.0, 1.0) == 1  # outer corner
    assert PointResolver([left, right]).resolve(2.0 + 1e-12, 1.0) is None


def test_overlapping_polygons_resolve_to_the_lowest_index() -> None:
    big, small = box(0, 0, 10, 10), box(4, 4, 6, 6)
    assert PointResolver([big, small]).resolve(5, 5) == 0
    assert PointResolver([small, big]).resolve(5, 5) == 0
    assert PointResolver([small, big]).resolve(1, 1) == 1


def test_holes_and_multipolygons() -> None:
    donut = Polygon([(0, 0), (10, 0), (10, 10), (0, 10)], [[(3, 3), (7, 3), (7, 7), (3, 7)]])
    islands = shapely.MultiPolygon([box(20, 0, 21, 1), box(23, 0, 24, 1)])
    plug = box(3, 3, 7, 7)
    r = PointResolver([donut, islands, plug], raster_cells=4096)
    x = np.array([1.0, 5.0, 3.0, 20.5, 22.0, 23.5, 50.0])
    y = np.array([1.0, 5.0, 5.0, 0.5, 0.5, 0.5, 0.5])
    assert r.resolve_many(x, y).tolist() == [0, 2, 0, 1, -1, 1, -1]


def test_empty_input_and_shapes() -> None:
    r = PointResolver([box(0, 0, 1, 1)])
    empty = r.resolve_many(np.array([]), np.array([]))
    assert empty.shape == (0,)
    assert empty.dtype == np.int32
    grid = r.resolve_many(np.full((2, 3), 0.5), np.full((2, 3), 0.5))
    assert grid.shape == (2, 3)
    assert (grid == 0).all()
    with pytest.raises(ValueError, match="shapes differ"):
        r.resolve_many(np.zeros(2), np.zeros(3))


def test_nan_points_match_nothing() -> None:
    r = PointResolver([box(0, 0, 1, 1)])
    assert r.resolve_many(np.array([np.nan, 0.5]), np.array([0.5, np.nan])).tolist() == [-1, -1]
    assert r.resolve(float("nan"), 0.5) is None


def test_no_geometries_or_only_empty_ones_match_nothing() -> None:
    for geometries in ([], [None], [Polygon()]):
        r = PointResolver(geometries)
        assert r.resolve(0.0, 0.0) is None
        assert r.resolve_many(np.zeros(3), np.zeros(3)).tolist() == [-1, -1, -1]
    assert PointResolver([None, box(0, 0, 1, 1)]).resolve(0.5, 0.5) == 1
    assert len(PointResolver([None, box(0, 0, 1, 1)])) == 2


def test_non_areal_geometries_are_refused() -> None:
    with pytest.raises(TypeError, match="LineString"):
        PointResolver([box(0, 0, 1, 1), LineString([(0, 0), (1, 1)])])
