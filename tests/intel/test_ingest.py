"""Ingest checks without a database: vectorised verdicts in the pool's order."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from tests.intel.helpers import (
    DAY0_MS,
    HOUR,
    NOW,
    camera_line,
    reasons_of,
    run_check,
    sighting_rows,
)
from yanyun.intel.camera_book import CameraBook


def test_accepted_rows_come_out_in_the_pools_order_whatever_the_time_span() -> None:
    rng = np.random.default_rng(4)
    book = camera_line()
    ancient = CameraBook(book.codes, np.full(10, -(2**62)), book.lng, book.lat)
    # A day (one packed key), and three thousand years (too wide to pack: a lexsort).
    for span_ms in (86_400_000, 3000 * 365 * 86_400_000):
        n = 5000
        rows = [
            (f"湘D{p:05d}", f"CAM{c:06d}", int(NOW - t))
            for p, c, t in zip(
                rng.integers(0, 300, n),
                rng.integers(1, 10, n),
                rng.integers(0, span_ms, n),
                strict=True,
            )
        ]
        rows += rows[:50]  # the same sightings twice
        checked = run_check(sighting_rows(rows), book=ancient)
        acc = checked.accepted
        got = list(
            zip(
                acc.column("plate").to_pylist(),
                acc.column("seen_at").cast(pa.int64()).to_pylist(),
                acc.column("camera").to_pylist(),
                strict=True,
            )
        )
        assert got == sorted(got)
        assert len(got) == len(set(rows))
        reasons = reasons_of(checked)
        assert len(reasons) == len(rows) - len(set(rows))
        assert set(reasons.values()) == {"duplicate"}


def test_the_first_of_two_identical_rows_is_kept() -> None:
    t = DAY0_MS + HOUR
    checked = run_check(sighting_rows([("湘D00001", "CAM000001", t), ("湘D00001", "CAM000001", t)]))
    assert checked.accepted.num_rows == 1 and reasons_of(checked) == {1: "duplicate"}
