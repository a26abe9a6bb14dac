"""The synthetic city: commuters repeat their route and the day has a rhythm."""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow.compute as pc

from yanyun.intel.generator import SightingGenerator, generate_plates
from yanyun.intel.plates import is_valid


def _generator() -> SightingGenerator:
    rng = np.random.default_rng(3)
    n = 2000
    return SightingGenerator(
        camera_codes=np.array([f"CAM{i:06d}" for i in range(n)]),
        lng=rng.uniform(112.5, 112.7, n),
        lat=rng.uniform(26.8, 27.0, n),
        plates=3000,
        seed=11,
        commuter_share=0.1,
    )


def test_plates_are_distinct_and_valid() -> None:
    plates, kinds = generate_plates(5000, seed=1)
    assert len(set(plates)) == 5000
    assert all(is_valid(p) for p in plates)
    assert {"car", "ebike"} == set(kinds)


def test_a_commuter_takes_the_same_cameras_on_two_working_days() -> None:
    gen = _generator()
    plate = gen.commuter_plate()
    seen = []
    for day in (date(2026, 11, 17), date(2026, 11, 18)):  # Tuesday, Wednesday
        table = gen.day(day, rows=20_000)
        mine = table.filter(pc.equal(table.column("plate"), plate))
        seen.append(set(mine.column("camera").to_pylist()))
    assert len(seen[0] & seen[1]) >= 4


def test_the_day_has_a_rhythm_and_the_generator_is_deterministic() -> None:
    gen = _generator()
    table = gen.day(date(2026, 11, 18), rows=30_000)
    assert 25_000 <= table.num_rows <= 30_000
    ms = table.column("seen_at").cast("int64").to_numpy()
    hour = ((ms // 1000 + 8 * 3600) // 3600) % 24
    counts = np.bincount(hour, minlength=24)
    assert counts[8] > 4 * counts[3] and counts[18] > 4 * counts[3]
    again = _generator().day(date(2026, 11, 18), rows=30_000)
    assert again.equals(table)
