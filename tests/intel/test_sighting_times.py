"""Times of sightings: read vectorised, refused times kept as Arrow writes them."""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa

from yanyun.intel.sighting_times import times_as_text, times_ms


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
    ms, bad = times_ms(pa.array(texts, pa.string()))
    midnight = int(datetime(2026, 10, 31, tzinfo=UTC).timestamp() * 1000)
    assert bad.tolist() == [False] * 5 + [True] * 4
    assert ms[:5].tolist() == [midnight, midnight, midnight + 250, midnight, midnight]


def test_refused_times_are_kept_as_text_exactly_as_arrow_writes_them() -> None:
    for zone in ("UTC", "Asia/Shanghai"):
        for unit, value in (("s", 1_793_412_000), ("ms", 1_793_412_000_123)):
            times = pa.array([0, value, None], pa.timestamp(unit, tz=zone))
            assert times_as_text(times).to_pylist() == times.cast(pa.string()).to_pylist()
