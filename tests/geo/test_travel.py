"""Travel-time estimates: the great-circle estimator and the interface it fills."""

from __future__ import annotations

import doctest
import math

import numpy as np
import pytest

from yanyun.geo import travel
from yanyun.geo.coords import distance_m
from yanyun.geo.travel import (
    DEFAULT_SPEEDS_KMH,
    UNIT_KIND_CODES,
    UNIT_KINDS,
    GreatCircleEstimator,
    TravelTimeEstimator,
    unit_kind_codes,
)

CENTRE = (112.572, 26.894)  # Hengyang, near the city government


def test_docstring_examples_hold() -> None:
    result = doctest.testmod(travel, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


def test_unit_kinds_are_the_agreed_vocabulary_with_dense_codes() -> None:
    assert UNIT_KINDS == ("patrol_car", "quick_response", "motorcycle", "foot", "fixed_post")
    assert [UNIT_KIND_CODES[k] for k in UNIT_KINDS] == [0, 1, 2, 3, 4]
    assert unit_kind_codes(list(UNIT_KINDS)).dtype == np.int8


def test_great_circle_estimator_satisfies_the_interface() -> None:
    assert isinstance(GreatCircleEstimator(), TravelTimeEstimator)


def test_eta_is_overhead_plus_detoured_distance_over_speed() -> None:
    est = GreatCircleEstimator()
    far = (CENTRE[0] + 0.1, CENTRE[1])
    d_m = distance_m(CENTRE, far)
    rural_car = est.eta_s(*CENTRE, *far, unit_kind="patrol_car", urban=False)
    assert rural_car == pytest.approx(30.0 + d_m * 1.25 / (50.0 / 3.6), rel=1e-12)
    urban_foot = est.eta_s(*CENTRE, *far, unit_kind="foot", urban=True)
    assert urban_foot == pytest.approx(d_m * 1.35 / (6.0 / 3.6), rel=1e-12)


@pytest.mark.parametrize("kind", UNIT_KINDS)
@pytest.mark.parametrize("urban", [True, False])
def test_eta_in_place_is_the_dispatch_overhead(kind: str, urban: bool) -> None:
    est = GreatCircleEstimator()
    assert (
        est.eta_s(*CENTRE, *CENTRE, unit_kind=kind, urban=urban) == (est.dispatch_overhead_s[kind])
    )


def test_cars_are_faster_in_the_countryside_and_feet_slower_than_cars() -> None:
    est = GreatCircleEstimator()
    far = (CENTRE[0] + 0.05, CENTRE[1] + 0.05)
    urban = est.eta_s(*CENTRE, *far, unit_kind="patrol_car", urban=True)
    rural = est.eta_s(*CENTRE, *far, unit_kind="patrol_car", urban=False)
    on_foot = est.eta_s(*CENTRE, *far, unit_kind="foot", urban=True)
    assert rural < urban < on_foot


def test_array_form_equals_scalar_form_for_every_kind_and_area() -> None:
    rng = np.random.default_rng(7)
    n = 500
    lng = rng.uniform(111.9, 113.4, n)
    lat = rng.uniform(26.1, 27.5, n)
    codes = rng.integers(0, len(UNIT_KINDS), n).astype(np.int8)
    est = GreatCircleEstimator()
    for urban in (True, False):
        got = est.eta_s_array(lng, lat, *CENTRE, unit_kinds=codes, urban=urban)
        want = [
            est.eta_s(lng[i], lat[i], *CENTRE, unit_kind=UNIT_KINDS[codes[i]], urban=urban)
            for i in range(n)
        ]
        np.testing.assert_allclose(got, want, rtol=1e-12)


def test_array_form_of_nothing_is_empty() -> None:
    got = GreatCircleEstimator().eta_s_array(
        np.array([]), np.array([]), *CENTRE, unit_kinds=np.array([], dtype=np.int8), urban=True
    )
    assert got.shape == (0,)


@pytest.mark.parametrize("bad_code", [-1, 5, 100])
def test_array_form_rejects_unknown_kind_codes(bad_code: int) -> None:
    with pytest.raises(ValueError, match="kind codes"):
        GreatCircleEstimator().eta_s_array(
            np.array([112.5]),
            np.array([26.9]),
            *CENTRE,
            unit_kinds=np.array([bad_code]),
            urban=True,
        )


def test_custom_speeds_and_overheads_replace_only_the_kinds_given() -> None:
    est = GreatCircleEstimator(
        speeds_kmh={"motorcycle": (20.0, 30.0)}, dispatch_overhead_s={"foot": 12.0}
    )
    assert est.speeds_kmh["motorcycle"] == (20.0, 30.0)
    assert est.speeds_kmh["patrol_car"] == DEFAULT_SPEEDS_KMH["patrol_car"]
    assert est.dispatch_overhead_s["foot"] == 12.0
    assert est.dispatch_overhead_s["patrol_car"] == 30.0
    far = (CENTRE[0], CENTRE[1] + 0.02)
    d_m = distance_m(CENTRE, far)
    got = est.eta_s(*CENTRE, *far, unit_kind="motorcycle", urban=False)
    assert got == pytest.approx(15.0 + d_m * 1.25 / (30.0 / 3.6), rel=1e-12)


def test_detour_factors_apply_separately_to_urban_and_rural_trips() -> None:
    est = GreatCircleEstimator(detour_factor_urban=2.0, detour_factor_rural=1.0)
    far = (CENTRE[0] + 0.01, CENTRE[1])
    d_m = distance_m(CENTRE, far)
    assert est.eta_s(*CENTRE, *far, unit_kind="foot", urban=True) == pytest.approx(
        d_m * 2.0 / (6.0 / 3.6), rel=1e-12
    )
    assert est.eta_s(*CENTRE, *far, unit_kind="foot", urban=False) == pytest.approx(
        d_m * 1.0 / (5.0 / 3.6), rel=1e-12
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"speeds_kmh": {"hovercraft": (10.0, 10.0)}}, "unknown unit kinds"),
        ({"speeds_kmh": {"foot": (0.0, 5.0)}}, "must be positive"),
        ({"speeds_kmh": {"foot": (5.0, math.nan)}}, "must be positive"),
        ({"detour_factor_urban": 0.9}, "at least 1"),
        ({"detour_factor_rural": math.inf}, "at least 1"),
        ({"dispatch_overhead_s": {"patrol_car": -1.0}}, ">= 0 s"),
        ({"dispatch_overhead_s": {"tank": 1.0}}, "unknown unit kinds"),
    ],
)
def test_estimator_refuses_impossible_settings(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        GreatCircleEstimator(**kwargs)


def test_scalar_form_rejects_unknown_kind() -> None:
    with pytest.raises(ValueError, match="unknown unit kind 'bicycle'"):
        GreatCircleEstimator().eta_s(*CENTRE, *CENTRE, unit_kind="bicycle", urban=True)


@pytest.mark.parametrize("urban", [True, False])
def test_lower_bound_never_exceeds_the_eta_of_any_unit_at_that_distance_or_farther(
    urban: bool,
) -> None:
    rng = np.random.default_rng(11)
    est = GreatCircleEstimator()
    n = 2000
    lng = CENTRE[0] + rng.uniform(-0.5, 0.5, n)
    lat = CENTRE[1] + rng.uniform(-0.5, 0.5, n)
    codes = rng.integers(0, len(UNIT_KINDS), n).astype(np.int8)
    eta = est.eta_s_array(lng, lat, *CENTRE, unit_kinds=codes, urban=urban)
    dist = np.array([distance_m((x, y), CENTRE) for x, y in zip(lng, lat, strict=True)])
    for radius_m in (0.0, 500.0, 5_000.0, 20_000.0, 50_000.0):
        bound = est.eta_lower_bound_s(radius_m, urban=urban)
        farther = dist >= radius_m
        assert np.all(eta[farther] >= bound - 1e-9)


def test_lower_bound_is_tight_for_the_fastest_kind() -> None:
    est = GreatCircleEstimator()
    far = (CENTRE[0], CENTRE[1] + 0.1)
    d_m = distance_m(CENTRE, far)
    fastest = min(est.eta_s(*CENTRE, *far, unit_kind=k, urban=True) for k in UNIT_KINDS)
    assert est.eta_lower_bound_s(d_m, urban=True) == pytest.approx(fastest, rel=1e-12)
