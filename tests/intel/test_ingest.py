"""Ingest checks without a database: vectorised verdicts, and what earlier batches saw."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from tests.intel.helpers import DAY0_MS
from yanyun.intel import ingest as checks
from yanyun.intel.service import open_pool, recent_sightings
from yanyun.intel.settings import IntelSettings

HOUR = 3_600_000
NOW = DAY0_MS + 20 * HOUR


def _book() -> checks.CameraBook:
    # CAM000001 .. CAM000009 along a line, ~1.1 km apart; CAM000010 some 55 km east.
    lng = np.array([112.50 + 0.011 * i for i in range(9)] + [113.05])
    return checks.CameraBook(
        codes=pa.array([f"CAM{i:06d}" for i in range(1, 11)]),
        installed_ms=np.zeros(10, np.int64),
        lng=lng,
        lat=np.full(10, 26.9),
    )


def _table(rows: list[tuple[str, str, int]]) -> pa.Table:
    return pa.table(
        {
            "plate": pa.array([r[0] for r in rows], pa.string()),
            "camera": pa.array([r[1] for r in rows], pa.string()),
            "seen_at": pa.array([r[2] for r in rows], pa.timestamp("ms", tz="UTC")),
        }
    )


def _check(
    table: pa.Table,
    recent: checks.RecentSightings | None = None,
    book: checks.CameraBook | None = None,
) -> checks.Checked:
    return checks.check(
        table,
        cameras=book or _book(),
        now_ms=NOW,
        future_tolerance_ms=0,
        max_speed_kmh=250,
        recent=recent,
    )


def _reasons(checked: checks.Checked) -> dict[int, str]:
    return dict(
        zip(
            checked.rejects.column("row").to_pylist(),
            checked.rejects.column("reason").to_pylist(),
            strict=True,
        )
    )


def test_accepted_rows_come_out_in_the_pools_order_whatever_the_time_span() -> None:
    rng = np.random.default_rng(4)
    book = _book()
    ancient = checks.CameraBook(book.codes, np.full(10, -(2**62)), book.lng, book.lat)
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
        checked = _check(_table(rows), book=ancient)
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
        reasons = _reasons(checked)
        assert len(reasons) == len(rows) - len(set(rows))
        assert set(reasons.values()) == {"duplicate"}


def test_the_first_of_two_identical_rows_is_kept() -> None:
    t = DAY0_MS + HOUR
    checked = _check(_table([("湘D00001", "CAM000001", t), ("湘D00001", "CAM000001", t)]))
    assert checked.accepted.num_rows == 1 and _reasons(checked) == {1: "duplicate"}


def test_times_as_text_are_read_vectorised_and_odd_ones_row_by_row() -> None:
    texts = [
        "2026-10-31T08:00:00+08:00",
        "2026-10-31T00:00:00Z",
        "2026-10-31 00:00:00.250Z",
        "2026-10-31T08:00:00+0800",
        "20261031T080000+0800",  # basic format: not Arrow's, still ISO 8601
        "2026-10-31T08:00:00",  # no zone: refused
        "2026-02-30T00:00:00Z",  # no such day: refused
        "yesterday",
        None,
    ]
    ms, bad = checks._times_ms(pa.array(texts, pa.string()))
    midnight = int(datetime(2026, 10, 31, tzinfo=UTC).timestamp() * 1000)
    assert bad.tolist() == [False] * 5 + [True] * 4
    assert ms[:5].tolist() == [midnight, midnight, midnight + 250, midnight, midnight]


def test_a_row_resent_in_a_later_batch_is_refused_and_a_jump_from_it_is_flagged() -> None:
    recent = checks.RecentSightings(24 * HOUR)
    recent.advance(NOW)
    t = DAY0_MS + 10 * HOUR
    first = _check(
        _table([("湘D00001", "CAM000001", t), ("湘D00001", "CAM000002", t + 60_000)]), recent
    )
    assert first.accepted.num_rows == 2 and first.flagged == 0
    recent.add(first.seen)
    second = _check(
        _table(
            [
                ("湘D00001", "CAM000002", t + 60_000),  # sent before: refused
                ("湘D00001", "CAM000010", t + 120_000),  # 55 km in a minute after it: flagged
                ("湘D00002", "CAM000010", t + 120_000),  # another plate: fine
            ]
        ),
        recent,
    )
    assert _reasons(second) == {0: "resent"}
    assert second.accepted.num_rows == 2 and second.flagged == 1
    flagged = second.accepted.filter(pa.compute.not_equal(second.accepted.column("flags"), 0))
    assert flagged.column("plate").to_pylist() == ["湘D00001"]
    # Without the memory of the first batch neither would be seen.
    alone = _check(second_rows := _table([("湘D00001", "CAM000002", t + 60_000)]))
    assert alone.accepted.num_rows == 1 and second_rows.num_rows == 1


def test_rows_older_than_the_window_are_not_remembered() -> None:
    recent = checks.RecentSightings(2 * HOUR)
    recent.advance(NOW)
    old = NOW - 3 * HOUR
    first = _check(_table([("湘D00001", "CAM000001", old)]), recent)
    recent.add(first.seen)
    assert len(recent) == 0
    again = _check(_table([("湘D00001", "CAM000001", old)]), recent)
    assert again.accepted.num_rows == 1  # its batch id, not its row, is what protects it


@pytest.fixture
def lake(tmp_path: Path) -> Path:
    return tmp_path / "lake"


def test_the_memory_is_rebuilt_from_the_pool_when_it_is_opened_again(lake: Path) -> None:
    settings = IntelSettings(row_group_rows=64, recent_window_h=24)
    pool = open_pool(lake, settings)
    book = _book()
    t = DAY0_MS + 10 * HOUR
    recent = recent_sightings(pool=pool, cameras=book, settings=settings, now_ms=NOW)
    checked = _check(
        _table([("湘D00001", "CAM000001", t), ("湘D00003", "CAM000005", t + 5)]), recent
    )
    pool.sightings.append(
        checked.accepted.append_column("batch_id", pa.repeat("a", 2)),
        batch_id="a",
        presorted=True,
    )
    reopened = open_pool(lake, settings)  # a restart: nothing in memory
    rebuilt = recent_sightings(pool=reopened, cameras=book, settings=settings, now_ms=NOW)
    assert len(rebuilt) == 2
    again = _check(
        _table([("湘D00001", "CAM000001", t), ("湘D00003", "CAM000010", t + 60_000)]), rebuilt
    )
    assert _reasons(again) == {0: "resent"} and again.flagged == 1
    # A batch another process wrote makes the memory stale: rebuilt on the next ingest.
    other = open_pool(lake, settings)
    late = _table([("湘D00004", "CAM000001", t + 7)])
    late_checked = _check(late)
    other.sightings.append(
        late_checked.accepted.append_column("batch_id", pa.repeat("b", 1)),
        batch_id="b",
        presorted=True,
    )
    refreshed = recent_sightings(pool=reopened, cameras=book, settings=settings, now_ms=NOW)
    assert refreshed is not rebuilt and len(refreshed) == 3


def test_refused_times_are_kept_as_text_exactly_as_arrow_writes_them() -> None:
    for zone in ("UTC", "Asia/Shanghai"):
        for unit, value in (("s", 1_793_412_000), ("ms", 1_793_412_000_123)):
            times = pa.array([0, value, None], pa.timestamp(unit, tz=zone))
            assert checks._as_text(times).to_pylist() == times.cast(pa.string()).to_pylist()
