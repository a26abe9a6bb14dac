"""Unit recommendation: FleetIndex.top_k is exact, fast paths notwithstanding."""

from __future__ import annotations

import doctest
import itertools
import math
from types import ModuleType

import numpy as np
import pytest

from yanyun.command import capabilities, ranking, search_box
from yanyun.command.candidate_reasons import Candidate
from yanyun.command.capabilities import CAPABILITIES, capability_mask
from yanyun.command.ranking import FleetIndex, UnitSnapshot
from yanyun.command.search_box import enclosing_box
from yanyun.geo.coords import EARTH_RADIUS_M, distance_m, distance_m_array
from yanyun.geo.travel import UNIT_KIND_CODES, UNIT_KINDS, GreatCircleEstimator

HENGYANG_BBOX = (111.9, 26.1, 113.4, 27.5)
CENTRE = (112.572, 26.894)
ESTIMATOR = GreatCircleEstimator()
M_PER_DEG_LAT = math.pi * EARTH_RADIUS_M / 180.0


class FlatRateEstimator:
    """A stand-in for a road router: 10 m/s for everyone after a fixed start."""

    def __init__(self, start_s: float = 10.0, speed_ms: float = 10.0) -> None:
        self.start_s = start_s
        self.speed_ms = speed_ms

    def eta_s(self, from_lng, from_lat, to_lng, to_lat, *, unit_kind, urban):
        return self.start_s + distance_m((from_lng, from_lat), (to_lng, to_lat)) / self.speed_ms

    def eta_s_array(self, from_lng, from_lat, to_lng, to_lat, *, unit_kinds, urban):
        d = distance_m_array(from_lng, from_lat, to_lng, to_lat)
        return self.start_s + d / self.speed_ms

    def eta_lower_bound_s(self, distance_m, *, urban):
        return self.start_s + distance_m / self.speed_ms


def random_fleet(
    rng: np.random.Generator,
    n: int,
    *,
    bbox: tuple[float, float, float, float] = HENGYANG_BBOX,
    shared_points: int = 0,
    available_share: float = 0.7,
) -> list[UnitSnapshot]:
    """Units over a box; with shared_points > 0, all stand on that many spots (ties)."""
    if shared_points:
        spots_lng = rng.uniform(bbox[0], bbox[2], shared_points)
        spots_lat = rng.uniform(bbox[1], bbox[3], shared_points)
        pick = rng.integers(0, shared_points, n)
        lng, lat = spots_lng[pick], spots_lat[pick]
    else:
        lng = rng.uniform(bbox[0], bbox[2], n)
        lat = rng.uniform(bbox[1], bbox[3], n)
    # Ids in an order unrelated to the rows, so the tie-break is really by id.
    numbers = rng.permutation(n)
    return [
        UnitSnapshot(
            id=f"U{numbers[i]:05d}",
            lng=float(lng[i]),
            lat=float(lat[i]),
            kind=UNIT_KINDS[int(rng.integers(0, len(UNIT_KINDS)))],
            capabilities=frozenset(c for c in CAPABILITIES if rng.random() < 0.5),
            available=bool(rng.random() < available_share),
        )
        for i in range(n)
    ]


def brute_force(
    fleet: FleetIndex,
    lng: float,
    lat: float,
    *,
    k: int,
    required: frozenset[str],
    estimator=ESTIMATOR,
    urban: bool,
) -> list[tuple[str, float]]:
    """Every eligible unit's ETA, sorted by (ETA, id): the definition of the answer."""
    eta = estimator.eta_s_array(fleet.lng, fleet.lat, lng, lat, unit_kinds=fleet.kinds, urban=urban)
    req = capability_mask(required)
    eligible = fleet.available & ((fleet.capabilities & req) == req)
    ids = fleet.ids
    ranked = sorted((float(eta[i]), ids[i]) for i in np.flatnonzero(eligible))
    return [(uid, e) for e, uid in ranked[:k]]


def assert_same_as_brute_force(
    fleet: FleetIndex,
    lng: float,
    lat: float,
    *,
    k: int,
    required: frozenset[str],
    urban: bool,
    estimator=ESTIMATOR,
) -> list[Candidate]:
    got = fleet.top_k(lng, lat, k=k, required=required, estimator=estimator, urban=urban)
    want = brute_force(fleet, lng, lat, k=k, required=required, estimator=estimator, urban=urban)
    assert [c.unit_id for c in got] == [uid for uid, _ in want]
    assert [c.eta_s for c in got] == pytest.approx([e for _, e in want], rel=1e-12)
    assert [c.rank for c in got] == list(range(1, len(got) + 1))
    return got


def random_required(rng: np.random.Generator) -> frozenset[str]:
    return frozenset(c for c in CAPABILITIES if rng.random() < 0.3)


@pytest.mark.parametrize("module", [ranking, capabilities, search_box], ids=lambda m: m.__name__)
def test_docstring_examples_hold(module: ModuleType) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


@pytest.mark.parametrize(
    ("seed", "n_units", "k"),
    [(1, 1, 5), (2, 7, 5), (3, 200, 5), (4, 3000, 5), (5, 3000, 1), (6, 1000, 20)],
)
def test_top_k_equals_brute_force_on_random_fleets(seed: int, n_units: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    fleet = FleetIndex(random_fleet(rng, n_units))
    for _ in range(150):
        lng = rng.uniform(HENGYANG_BBOX[0] - 0.2, HENGYANG_BBOX[2] + 0.2)
        lat = rng.uniform(HENGYANG_BBOX[1] - 0.2, HENGYANG_BBOX[3] + 0.2)
        assert_same_as_brute_force(
            fleet, lng, lat, k=k, required=random_required(rng), urban=bool(rng.random() < 0.5)
        )


def test_scanning_every_unit_gives_the_same_answers_as_the_box_search() -> None:
    rng = np.random.default_rng(17)
    units = random_fleet(rng, 2000, shared_points=300)
    boxed, scanned = FleetIndex(units), FleetIndex(units, box_search=False)
    for _ in range(100):
        lng, lat = rng.uniform(111.9, 113.4), rng.uniform(26.1, 27.5)
        kwargs = {"k": 5, "required": random_required(rng), "estimator": ESTIMATOR, "urban": True}
        assert boxed.top_k(lng, lat, **kwargs) == scanned.top_k(lng, lat, **kwargs)


def test_top_k_equals_brute_force_on_a_dense_city_with_a_sparse_countryside() -> None:
    rng = np.random.default_rng(8)
    town = random_fleet(rng, 2000, bbox=(112.55, 26.85, 112.65, 26.95))
    country = random_fleet(rng, 300)
    units = town + [
        UnitSnapshot(f"C{i:04d}", u.lng, u.lat, u.kind, u.capabilities, u.available)
        for i, u in enumerate(country)
    ]
    fleet = FleetIndex(units)
    for _ in range(200):
        if rng.random() < 0.5:
            lng, lat = rng.uniform(112.55, 112.65), rng.uniform(26.85, 26.95)
        else:
            lng, lat = rng.uniform(111.9, 113.4), rng.uniform(26.1, 27.5)
        assert_same_as_brute_force(
            fleet, lng, lat, k=5, required=random_required(rng), urban=bool(rng.random() < 0.5)
        )


def test_equal_etas_are_ordered_by_unit_id() -> None:
    rng = np.random.default_rng(9)
    fleet = FleetIndex(random_fleet(rng, 600, shared_points=6))
    tied = 0
    for _ in range(200):
        lng, lat = rng.uniform(111.9, 113.4), rng.uniform(26.1, 27.5)
        got = assert_same_as_brute_force(
            fleet, lng, lat, k=8, required=frozenset(), urban=bool(rng.random() < 0.5)
        )
        for a, b in itertools.pairwise(got):
            if a.eta_s == b.eta_s:
                tied += 1
                assert a.unit_id < b.unit_id
                assert f"same ETA as {a.unit_id}" in b.reason_en
                assert f"与{a.unit_id}预计同时到达" in b.reason_zh
    assert tied > 100


def test_units_standing_on_the_incident_rank_by_start_up_time_then_id() -> None:
    units = [
        UnitSnapshot("b-car", *CENTRE, "patrol_car", frozenset({"patrol"}), True),
        UnitSnapshot("a-car", *CENTRE, "patrol_car", frozenset({"patrol"}), True),
        UnitSnapshot("post", *CENTRE, "fixed_post", frozenset({"patrol"}), True),
        UnitSnapshot("moto", *CENTRE, "motorcycle", frozenset({"patrol"}), True),
    ]
    got = FleetIndex(units).top_k(
        *CENTRE, k=5, required=frozenset(), estimator=ESTIMATOR, urban=True
    )
    assert [(c.unit_id, c.eta_s, c.distance_m) for c in got] == [
        ("post", 0.0, 0.0),
        ("moto", 15.0, 0.0),
        ("a-car", 30.0, 0.0),
        ("b-car", 30.0, 0.0),
    ]


def test_recommend_prefers_a_farther_car_to_a_nearer_officer_on_foot() -> None:
    north_m = 1.0 / M_PER_DEG_LAT
    units = [
        UnitSnapshot("walker", CENTRE[0], CENTRE[1] + 800 * north_m, "foot", frozenset(), True),
        UnitSnapshot("car", CENTRE[0], CENTRE[1] + 3000 * north_m, "patrol_car", frozenset(), True),
    ]
    got = FleetIndex(units).top_k(
        *CENTRE, k=2, required=frozenset(), estimator=ESTIMATOR, urban=True
    )
    assert [c.unit_id for c in got] == ["car", "walker"]
    assert got[0].distance_m > got[1].distance_m


def test_no_available_unit_gives_no_candidate() -> None:
    rng = np.random.default_rng(10)
    fleet = FleetIndex(random_fleet(rng, 300, available_share=0.0))
    got = fleet.top_k(*CENTRE, k=5, required=frozenset(), estimator=ESTIMATOR, urban=True)
    assert got == []


def test_fewer_eligible_units_than_k_gives_all_of_them() -> None:
    rng = np.random.default_rng(11)
    units = random_fleet(rng, 500, available_share=0.0)
    for i in (17, 250, 499):
        units[i] = UnitSnapshot(
            units[i].id, units[i].lng, units[i].lat, units[i].kind, units[i].capabilities, True
        )
    fleet = FleetIndex(units)
    got = assert_same_as_brute_force(fleet, *CENTRE, k=5, required=frozenset(), urban=False)
    assert len(got) == 3


def test_a_capability_nobody_has_gives_no_candidate() -> None:
    rng = np.random.default_rng(12)
    units = [
        UnitSnapshot(u.id, u.lng, u.lat, u.kind, u.capabilities - {"water_rescue"}, u.available)
        for u in random_fleet(rng, 1000)
    ]
    fleet = FleetIndex(units)
    got = fleet.top_k(
        *CENTRE, k=5, required=frozenset({"water_rescue"}), estimator=ESTIMATOR, urban=True
    )
    assert got == []


def test_required_capabilities_must_all_be_present() -> None:
    units = [
        UnitSnapshot("armed-only", *CENTRE, "patrol_car", frozenset({"armed"}), True),
        UnitSnapshot(
            "both", CENTRE[0] + 0.05, CENTRE[1], "patrol_car", frozenset(CAPABILITIES), True
        ),
    ]
    got = FleetIndex(units).top_k(
        *CENTRE, k=5, required=frozenset({"armed", "first_aid"}), estimator=ESTIMATOR, urban=True
    )
    assert [c.unit_id for c in got] == ["both"]
    assert got[0].reason_zh.endswith("具备所需能力(武装、急救)")
    assert got[0].reason_en.endswith("has required capabilities (armed, first aid)")


def test_empty_fleet_and_k_zero_give_no_candidate() -> None:
    empty = FleetIndex([])
    assert len(empty) == 0
    assert empty.top_k(*CENTRE, k=5, required=frozenset(), estimator=ESTIMATOR, urban=True) == []
    one = FleetIndex([UnitSnapshot("u", *CENTRE, "foot", frozenset(), True)])
    assert one.top_k(*CENTRE, k=0, required=frozenset(), estimator=ESTIMATOR, urban=True) == []


def test_top_k_refuses_bad_arguments() -> None:
    fleet = FleetIndex([UnitSnapshot("u", *CENTRE, "foot", frozenset(), True)])
    with pytest.raises(ValueError, match="k must be"):
        fleet.top_k(*CENTRE, k=-1, required=frozenset(), estimator=ESTIMATOR, urban=True)
    with pytest.raises(ValueError, match="unknown capability 'swimming'"):
        fleet.top_k(*CENTRE, k=5, required=frozenset({"swimming"}), estimator=ESTIMATOR, urban=True)
    with pytest.raises(ValueError, match="incident"):
        fleet.top_k(math.nan, 26.9, k=5, required=frozenset(), estimator=ESTIMATOR, urban=True)


def test_reason_reads_like_the_dispatch_desk_expects() -> None:
    # 1.2 km due north; the flat-rate stand-in takes 10 s + 120 s = 2 min 10 s.
    units = [
        UnitSnapshot(
            "car",
            CENTRE[0],
            CENTRE[1] + 1200 / M_PER_DEG_LAT,
            "patrol_car",
            frozenset({"patrol", "traffic"}),
            True,
        )
    ]
    (got,) = FleetIndex(units).top_k(
        *CENTRE, k=5, required=frozenset({"patrol"}), estimator=FlatRateEstimator(), urban=True
    )
    assert got.reason_zh == "巡逻车，距离1.2公里，预计2分10秒到达，具备所需能力(巡逻)"
    assert got.reason_en == "patrol car, 1.2 km, ETA 2 min 10 s, has required capability (patrol)"


@pytest.mark.parametrize(
    ("north_m", "start_s", "zh", "en"),
    [
        (0.0, 45.0, "距离0米，预计45秒到达", "0 m, ETA 45 s"),
        (433.0, 0.0, "距离430米，预计43秒到达", "430 m, ETA 43 s"),
        (1800.0, 0.0, "距离1.8公里，预计3分钟到达", "1.8 km, ETA 3 min"),
        (40_000.0, 200.0, "距离40.0公里，预计1小时10分到达", "40.0 km, ETA 1 h 10 min"),
    ],
)
def test_reason_formats_short_and_long_trips(
    north_m: float, start_s: float, zh: str, en: str
) -> None:
    units = [
        UnitSnapshot(
            "m", CENTRE[0], CENTRE[1] + north_m / M_PER_DEG_LAT, "motorcycle", frozenset(), True
        )
    ]
    (got,) = FleetIndex(units).top_k(
        *CENTRE, k=1, required=frozenset(), estimator=FlatRateEstimator(start_s), urban=False
    )
    assert got.reason_zh == f"铁骑摩托，{zh}，无能力要求"
    assert got.reason_en == f"police motorcycle, {en}, no capability required"


def test_any_estimator_with_the_interface_gives_the_brute_force_answer() -> None:
    rng = np.random.default_rng(13)
    fleet = FleetIndex(random_fleet(rng, 2000))
    for estimator in (FlatRateEstimator(), FlatRateEstimator(start_s=600.0, speed_ms=2.0)):
        for _ in range(50):
            lng, lat = rng.uniform(111.9, 113.4), rng.uniform(26.1, 27.5)
            assert_same_as_brute_force(
                fleet,
                lng,
                lat,
                k=5,
                required=random_required(rng),
                urban=True,
                estimator=estimator,
            )


def test_updates_keep_answers_exact() -> None:
    rng = np.random.default_rng(14)
    units = random_fleet(rng, 1500)
    fleet = FleetIndex(units)
    ids = [u.id for u in units]
    for step in range(300):
        uid = ids[int(rng.integers(0, len(ids)))]
        roll = rng.random()
        if roll < 0.4:
            fleet.update(uid, available=bool(rng.random() < 0.5))
        elif roll < 0.8:
            fleet.update(uid, lng=rng.uniform(111.9, 113.4), lat=rng.uniform(26.1, 27.5))
        else:
            fleet.update(uid, lat=rng.uniform(26.1, 27.5))
        if step % 3 == 0:
            lng, lat = rng.uniform(111.9, 113.4), rng.uniform(26.1, 27.5)
            assert_same_as_brute_force(
                fleet, lng, lat, k=5, required=random_required(rng), urban=bool(step % 2)
            )


def test_a_unit_moved_far_outside_the_fleet_is_still_found() -> None:
    rng = np.random.default_rng(15)
    fleet = FleetIndex(random_fleet(rng, 1000))
    changsha = (112.94, 28.23)
    fleet.update("U00042", lng=changsha[0], lat=changsha[1], available=True)
    got = assert_same_as_brute_force(
        fleet, changsha[0] + 0.001, changsha[1], k=1, required=frozenset(), urban=True
    )
    assert got[0].unit_id == "U00042"
    far_away = (120.0, 30.0)  # beyond everyone: the search must grow to the whole fleet
    assert_same_as_brute_force(fleet, *far_away, k=5, required=frozenset(), urban=False)


def test_update_changes_only_the_fields_given() -> None:
    fleet = FleetIndex([UnitSnapshot("u", 112.5, 26.9, "foot", frozenset({"patrol"}), False)])
    fleet.update("u", lat=27.0)
    assert (fleet.lng[0], fleet.lat[0], bool(fleet.available[0])) == (112.5, 27.0, False)
    fleet.update("u", available=True)
    assert (fleet.lng[0], fleet.lat[0], bool(fleet.available[0])) == (112.5, 27.0, True)


def test_update_refuses_unknown_units_and_impossible_positions() -> None:
    fleet = FleetIndex([UnitSnapshot("u", 112.5, 26.9, "foot", frozenset(), True)])
    with pytest.raises(KeyError):
        fleet.update("nobody", available=False)
    with pytest.raises(ValueError, match="not a WGS-84 point"):
        fleet.update("u", lng=math.inf)
    with pytest.raises(ValueError, match="not a WGS-84 point"):
        fleet.update("u", lat=91.0, available=False)
    assert (fleet.lng[0], fleet.lat[0], bool(fleet.available[0])) == (112.5, 26.9, True)


def test_index_holds_units_as_typed_read_only_arrays() -> None:
    units = [
        UnitSnapshot("a", 112.5, 26.9, "motorcycle", frozenset({"traffic", "armed"}), True),
        UnitSnapshot("b", 112.6, 27.0, "fixed_post", frozenset(), False),
    ]
    fleet = FleetIndex(units)
    assert fleet.ids == ["a", "b"] and "a" in fleet and "z" not in fleet
    assert fleet.lng.dtype == np.float64 and fleet.lat.dtype == np.float64
    assert fleet.kinds.dtype == np.int8
    assert fleet.kinds.tolist() == [UNIT_KIND_CODES["motorcycle"], UNIT_KIND_CODES["fixed_post"]]
    assert fleet.capabilities.dtype == np.int32
    assert fleet.capabilities.tolist() == [capability_mask({"traffic", "armed"}), 0]
    assert fleet.available.tolist() == [True, False]
    with pytest.raises(ValueError):
        fleet.lng[0] = 0.0


@pytest.mark.parametrize(
    ("unit", "message"),
    [
        (UnitSnapshot("x", 112.5, 26.9, "tank", frozenset(), True), "unknown kind 'tank'"),
        (UnitSnapshot("x", 112.5, 26.9, "foot", frozenset({"flying"}), True), "flying"),
        (UnitSnapshot("x", math.nan, 26.9, "foot", frozenset(), True), "WGS-84"),
    ],
)
def test_index_refuses_malformed_units(unit: UnitSnapshot, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        FleetIndex([unit])


def test_index_refuses_duplicate_ids() -> None:
    unit = UnitSnapshot("twin", 112.5, 26.9, "foot", frozenset(), True)
    with pytest.raises(ValueError, match="duplicate unit id 'twin'"):
        FleetIndex([unit, UnitSnapshot("other", 112.6, 26.9, "foot", frozenset(), True), unit])


@pytest.mark.parametrize(
    ("centre", "radius_m"),
    [
        (CENTRE, 3_000.0),
        (CENTRE, 80_000.0),
        ((10.0, 70.0), 200_000.0),  # far north: longitude degrees are short
        ((-60.0, -50.0), 500_000.0),
        ((179.5, 10.0), 100_000.0),  # box would cross the antimeridian
        ((0.0, 89.5), 100_000.0),  # box would reach the pole
    ],
)
def test_every_point_outside_the_enclosing_box_is_farther_than_the_radius(
    centre: tuple[float, float], radius_m: float
) -> None:
    rng = np.random.default_rng(16)
    box = enclosing_box(*centre, radius_m)
    assert box is not None
    span = 3.0 * math.degrees(radius_m / EARTH_RADIUS_M)
    lng = np.clip(centre[0] + rng.uniform(-4 * span, 4 * span, 50_000), -180, 180)
    lat = np.clip(centre[1] + rng.uniform(-span, span, 50_000), -90, 90)
    outside = (lng < box[0]) | (lng > box[2]) | (lat < box[1]) | (lat > box[3])
    d = distance_m_array(lng, lat, *centre)
    assert outside.sum() > 1000
    assert np.all(d[outside] > radius_m)
    # The box is not wastefully large: points near its edges are about radius_m away.
    assert np.min(d[~outside]) >= 0 and np.max(d[~outside]) > 0.9 * radius_m


def test_first_box_is_smaller_where_units_are_dense() -> None:
    rng = np.random.default_rng(18)
    fleet = FleetIndex(
        random_fleet(rng, 2000, bbox=(112.55, 26.85, 112.65, 26.95))
        + [
            UnitSnapshot(f"C{i}", u.lng, u.lat, u.kind, u.capabilities, u.available)
            for i, u in enumerate(random_fleet(rng, 200))
        ]
    )
    town = fleet.initial_radius_m(112.60, 26.90, k=5)
    country = fleet.initial_radius_m(113.30, 27.40, k=5)
    outside = fleet.initial_radius_m(100.0, 40.0, k=5)
    assert town < country / 5
    assert town <= outside <= country * 2


def test_moving_units_updates_the_density_that_sizes_the_first_box() -> None:
    corners = [
        UnitSnapshot("corner-sw", 111.9, 26.1, "foot", frozenset(), True),
        UnitSnapshot("corner-ne", 113.4, 27.5, "foot", frozenset(), True),
    ]
    west = [UnitSnapshot(f"U{i}", 112.0, 26.5, "foot", frozenset(), True) for i in range(300)]
    fleet = FleetIndex(corners + west)
    for u in west:
        fleet.update(u.id, lng=113.0, lat=27.0)
    moved = FleetIndex(
        corners + [UnitSnapshot(u.id, 113.0, 27.0, u.kind, u.capabilities, True) for u in west]
    )
    for point in [(112.0, 26.5), (113.0, 27.0), (112.5, 26.8)]:
        assert fleet.initial_radius_m(*point, k=5) == moved.initial_radius_m(*point, k=5)
    assert fleet.initial_radius_m(113.0, 27.0, k=5) < fleet.initial_radius_m(112.0, 26.5, k=5)
