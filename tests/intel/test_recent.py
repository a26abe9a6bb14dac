"""What earlier batches saw: re-sent rows refused, jumps flagged, the window."""

from __future__ import annotations

import pyarrow as pa

from tests.intel.helpers import DAY0_MS, HOUR, NOW, reasons_of, run_check, sighting_rows
from yanyun.intel import ingest as checks


def test_a_row_resent_in_a_later_batch_is_refused_and_a_jump_from_it_is_flagged() -> None:
    recent = checks.RecentSightings(24 * HOUR)
    recent.advance(NOW)
    t = DAY0_MS + 10 * HOUR
    first = run_check(
        sighting_rows([("湘D00001", "CAM000001", t), ("湘D00001", "CAM000002", t + 60_000)]), recent
    )
    assert first.accepted.num_rows == 2 and first.flagged == 0
    recent.add(first.seen)
    second = run_check(
        sighting_rows(
            [
                ("湘D00001", "CAM000002", t + 60_000),  # sent before: refused
                ("湘D00001", "CAM000010", t + 120_000),  # 55 km in a minute after it: flagged
                ("湘D00002", "CAM000010", t + 120_000),  # another plate: fine
            ]
        ),
        recent,
    )
    assert reasons_of(second) == {0: "resent"}
    assert second.accepted.num_rows == 2 and second.flagged == 1
    flagged = second.accepted.filter(pa.compute.not_equal(second.accepted.column("flags"), 0))
    assert flagged.column("plate").to_pylist() == ["湘D00001"]
    # Without the memory of the first batch neither would be seen.
    alone = run_check(second_rows := sighting_rows([("湘D00001", "CAM000002", t + 60_000)]))
    assert alone.accepted.num_rows == 1 and second_rows.num_rows == 1


def test_rows_older_than_the_window_are_not_remembered() -> None:
    recent = checks.RecentSightings(2 * HOUR)
    recent.advance(NOW)
    old = NOW - 3 * HOUR
    first = run_check(sighting_rows([("湘D00001", "CAM000001", old)]), recent)
    recent.add(first.seen)
    assert len(recent) == 0
    again = run_check(sighting_rows([("湘D00001", "CAM000001", old)]), recent)
    assert again.accepted.num_rows == 1  # its batch id, not its row, is what protects it
