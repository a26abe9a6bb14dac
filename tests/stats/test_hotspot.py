"""Descriptive hotspot statistics find what was planted, and Gi* matches a hand computation."""

from __future__ import annotations

import numpy as np
import pytest

from tests.stats.synthetic import LAT0, LNG0, planted, to_lnglat
from yanyun.stats.grid import CellGrid, Projection, build_events, utm_epsg
from yanyun.stats.hotspot import (
    counts_per_cell,
    getis_ord_gi_star,
    kernel_density,
    time_profile,
)
from yanyun.stats.nearrepeat import knox_test


def test_utm_zone_follows_the_data():
    assert utm_epsg(112.57, 26.89) == 32649  # Hengyang, zone 49N
    assert utm_epsg(-87.63, 41.88) == 32616  # Chicago, zone 16N
    assert utm_epsg(151.2, -33.9) == 32756  # Sydney, zone 56S


def test_cells_are_square_metres_and_points_land_in_their_cell():
    x = np.array([0.0, 149.0, 151.0, 1000.0])
    y = np.array([0.0, 0.0, 0.0, 1000.0])
    lng, lat = to_lnglat(x, y)
    ev = build_events(np.array(["2026-01-01T10:00"] * 4, dtype="datetime64[s]"), lng, lat)
    g = ev.grid
    assert g.projection.epsg == 32649 and g.cell_m == 150.0
    # points 150 m apart east-west are one cell apart
    cols = ev.cell % g.nx
    assert cols[2] - cols[0] == 1
    cx, cy = g.centres_xy(ev.cell)
    assert np.all(np.abs(cx - ev.x) <= 75.0 + 1e-6) and np.all(np.abs(cy - ev.y) <= 75.0 + 1e-6)


def test_rows_without_time_or_coordinates_are_counted_not_lost():
    times = np.array(["2026-01-01T10:00", "NaT", "2026-01-02T10:00", "2026-01-03T10:00"],
                     dtype="datetime64[s]")
    lng = np.array([LNG0, LNG0, np.nan, 500.0])
    lat = np.array([LAT0, LAT0, LAT0, LAT0])
    ev = build_events(times, lng, lat)
    assert ev.size == 1
    assert ev.dropped == {"no_time": 1, "no_coordinates": 1, "bad_coordinates": 1}


def test_planted_hotspot_is_the_densest_place_and_significant():
    ev, (hx, hy) = planted(days=60, repeats=False)
    g = ev.grid
    hot_cell = int(g.cell_of_xy(np.array([hx]), np.array([hy]))[0])
    dens = kernel_density(ev.cell, g, bandwidth_m=300.0)
    top = int(np.argmax(dens))
    tx, ty = g.centres_xy(np.array([top]))
    assert np.hypot(tx[0] - hx, ty[0] - hy) < 300.0
    gi = getis_ord_gi_star(counts_per_cell(ev.cell, g.n_cells), g)
    assert gi.hot[hot_cell] and gi.z[hot_cell] > 5
    # a far corner of uniform background is not a hotspot
    far = int(g.cell_of_xy(np.array([hx - 3500.0]), np.array([hy + 3500.0]))[0])
    assert not gi.hot[far]


def test_gi_star_matches_a_hand_computation():
    """3 x 3 raster, values 0..8, queen weights with self.

    Centre cell (value 4) sees all nine cells: local sum 36, mean 4, so
    Gi* = (36 - 4*9) / ... = 0. Corner (0, 0) (value 0) sees cells 0, 1, 3, 4:
    local sum 8, W = 4; S^2 = mean(x^2) - mean^2 = 204/9 - 16 = 60/9;
    denominator S * sqrt((9*4 - 16) / 8) = sqrt(60/9) * sqrt(2.5);
    Gi* = (8 - 16) / that = -8 / sqrt(150/9) = -1.9596.
    """
    g = CellGrid(Projection(32649), 0.0, 0.0, 150.0, 3, 3)
    gi = getis_ord_gi_star(np.arange(9.0), g)
    assert gi.z[4] == pytest.approx(0.0, abs=1e-9)
    assert gi.z[0] == pytest.approx(-8 / np.sqrt(150 / 9), rel=1e-9)
    assert gi.z[8] == pytest.approx(-gi.z[0], rel=1e-9)  # (8: sum 4+5+7+8=24, +8 over mean)


def test_gi_star_permutation_agrees_with_normal_approximation_on_the_hotspot():
    ev, (hx, hy) = planted(days=30, repeats=False)
    g = ev.grid
    hot_cell = int(g.cell_of_xy(np.array([hx]), np.array([hy]))[0])
    c = counts_per_cell(ev.cell, g.n_cells)
    gi = getis_ord_gi_star(c, g, permutations=199, seed=3)
    assert gi.p[hot_cell] <= 0.01 and gi.hot[hot_cell]


def test_time_profile_counts_by_weekday_and_hour():
    t = np.array(
        ["2026-11-23T09:15", "2026-11-23T09:59", "2026-11-29T23:00"], dtype="datetime64[m]"
    )
    prof = time_profile(t)  # 2026-11-23 is a Monday
    assert prof.shape == (7, 24) and prof.sum() == 3
    assert prof[0, 9] == 2 and prof[6, 23] == 1


def test_knox_finds_planted_near_repeats_and_not_where_there_are_none():
    ev, _ = planted(days=120, repeats=True, hot_per_day=0.0)
    res = knox_test(ev.x, ev.y, ev.t, distance_bands_m=[100, 400, 1000],
                    time_bands_d=[3, 14, 28], permutations=49, seed=1)
    assert res.p[0, 0] <= 0.02 and res.ratio[0, 0] > 2  # within 100 m and 3 days
    assert res.ratio[2, 2] == pytest.approx(1.0, abs=0.15)  # 400-1000 m, 14-28 days: no link
    none, _ = planted(days=120, repeats=False, hot_per_day=0.0, seed=2)
    res0 = knox_test(none.x, none.y, none.t, distance_bands_m=[100, 400],
                     time_bands_d=[3, 14], permutations=49, seed=1)
    assert res0.p[0, 0] > 0.02


def test_sparse_smoothing_equals_the_fft_convolution():
    from yanyun.stats.hotspot import _scatter, quartic_kernel, smooth

    g = CellGrid(Projection(32649), 0.0, 0.0, 150.0, 60, 40)
    rng = np.random.default_rng(0)
    values = np.zeros(g.n_cells)
    values[rng.integers(0, g.n_cells, 30)] = rng.integers(1, 5, 30)
    values[0] = 2.0  # a corner: the kernel runs off the raster
    k = quartic_kernel(3.0)
    sparse = _scatter(values, np.flatnonzero(values), g, k)
    values_dense = values + 1e-9  # every cell nonzero: forces the FFT path
    dense = smooth(values_dense, g, k) - smooth(np.full(g.n_cells, 1e-9), g, k)
    np.testing.assert_allclose(sparse, dense, atol=1e-6)
