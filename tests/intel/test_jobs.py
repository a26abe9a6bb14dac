"""The pool's periodic job: compaction and sealing when due, a bounded ledger, crash safety."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tests.intel.helpers import DAY0, DAY0_MS, multiset, sightings
from yanyun.core.clock import FrozenClock
from yanyun.intel.jobs import maintain_pool
from yanyun.intel.pool import QUARANTINE, SIGHTINGS, Dataset
from yanyun.intel.settings import IntelSettings

SETTINGS = IntelSettings(compact_after_h=1, seal_after_days=3, ledger_retention_days=7)


def _pools(lake: Path, **kwargs) -> tuple[Dataset, Dataset]:
    return (
        Dataset(lake, SIGHTINGS, row_group_rows=256, **kwargs),
        Dataset(lake, QUARANTINE, row_group_rows=256),
    )


def _run(sightings_ds: Dataset, quarantine: Dataset, clock: FrozenClock):
    return maintain_pool(
        sightings=sightings_ds, quarantine=quarantine, settings=SETTINGS, clock=clock
    )


def test_days_are_compacted_and_months_sealed_only_when_due(tmp_path: Path) -> None:
    pool, quarantine = _pools(tmp_path / "lake")
    # Three days: 2026-10-31, 11-01 and 11-02 (Asia/Shanghai), two batches each.
    for n in range(2):
        pool.append(
            sightings(900, seed=n, days=3, batch=f"b{n}"),
            batch_id=f"b{n}",
            received_ms=DAY0_MS + 3 * 86_400_000,
        )
    expected = multiset(pool.read_all())
    clock = FrozenClock(DAY0 + timedelta(days=3, minutes=30))  # 11-02 ended 30 min ago
    report = _run(pool, quarantine, clock)
    assert report.days_compacted == ["2026-10-31", "2026-11-01"] and not report.months_sealed
    tiers = sorted((f.first_day, f.tier) for f in pool.files())
    assert tiers == [
        ("2026-10-31", "day"),
        ("2026-11-01", "day"),
        ("2026-11-02", "part"),
        ("2026-11-02", "part"),
    ]
    clock.advance(timedelta(hours=1))
    assert _run(pool, quarantine, clock).days_compacted == ["2026-11-02"]
    # October ended on 10-31 16:00 UTC; sealed three days later, November not yet.
    clock.set(datetime(2026, 11, 3, 15, 59, tzinfo=UTC))
    assert _run(pool, quarantine, clock).months_sealed == []
    clock.set(datetime(2026, 11, 3, 16, 1, tzinfo=UTC))
    report = _run(pool, quarantine, clock)
    assert report.months_sealed == ["2026-10"]
    assert sorted(f.tier for f in pool.files()) == ["day", "day", "month"]
    sealed_rows = next(f.rows for f in pool.files() if f.tier == "month")
    assert _run(pool, quarantine, clock).months_sealed == []  # nothing new: left alone
    # A late batch for October lands in a part file and is merged in by a reseal.
    late = sightings(50, seed=9, days=1, batch="late")
    pool.append(late, batch_id="late", received_ms=DAY0_MS + 4 * 86_400_000)
    clock.advance(timedelta(hours=2))
    report = _run(pool, quarantine, clock)
    assert report.days_compacted == ["2026-10-31"] and report.months_sealed == ["2026-10"]
    october = [f for f in pool.files() if f.first_day.startswith("2026-10")]
    assert [f.tier for f in october] == ["month"] and october[0].rows == sealed_rows + 50
    assert multiset(pool.read_all()) == sorted(expected + multiset(late))


def test_the_ledger_forgets_old_batches_and_a_batch_resent_after_is_new(tmp_path: Path) -> None:
    pool, quarantine = _pools(tmp_path / "lake")
    batch = sightings(100, seed=3, days=1, batch="x")
    pool.append(batch, batch_id="x", received_ms=DAY0_MS)
    pool.append(sightings(10, seed=4, days=1, batch="y"), batch_id="y", received_ms=DAY0_MS + 1)
    assert _run(pool, quarantine, FrozenClock(DAY0 + timedelta(days=6))).batches_forgotten == 0
    assert pool.append(batch, batch_id="x").duplicate  # within retention: answered, nothing added
    clock = FrozenClock(DAY0 + timedelta(days=7, milliseconds=1))
    assert _run(pool, quarantine, clock).batches_forgotten == 1
    assert set(pool.manifest().batches) == {"y"}
    # Documented: after retention the id is unknown, so the pool takes the rows again
    # (the API's ingest still refuses those within YANYUN_INTEL__RECENT_WINDOW_H).
    again = pool.append(batch, batch_id="x", received_ms=DAY0_MS + 8 * 86_400_000)
    assert not again.duplicate and pool.row_count() == 210


def test_an_append_during_a_compaction_is_kept(tmp_path: Path) -> None:
    """The rewrite runs outside the writer lock; a batch arriving meanwhile stays live."""
    lake = tmp_path / "lake"
    arrived = sightings(40, seed=8, days=1, batch="during")

    def append_meanwhile(name: str) -> None:
        if name == "compact:output_written":
            Dataset(lake, SIGHTINGS, row_group_rows=256).append(arrived, batch_id="during")

    pool = Dataset(lake, SIGHTINGS, row_group_rows=256, failpoint=append_meanwhile)
    for n in range(2):
        pool.append(sightings(300, seed=20 + n, days=1, batch=f"c{n}"), batch_id=f"c{n}")
    before = multiset(pool.read_all())
    entry = pool.compact_day(date(2026, 10, 31))
    assert entry is not None and entry.rows == 600
    assert sorted(f.tier for f in pool.files()) == ["day", "part"]
    assert multiset(pool.read_all()) == sorted(before + multiset(arrived))


def test_a_compaction_whose_inputs_changed_gives_way(tmp_path: Path) -> None:
    lake = tmp_path / "lake"

    def compact_meanwhile(name: str) -> None:
        if name == "compact:output_written":
            Dataset(lake, SIGHTINGS, row_group_rows=256).compact_day(date(2026, 10, 31))

    plain = Dataset(lake, SIGHTINGS, row_group_rows=256)
    for n in range(2):
        plain.append(sightings(300, seed=30 + n, days=1, batch=f"d{n}"), batch_id=f"d{n}")
    before = multiset(plain.read_all())
    # Another process (a fresh lock) compacts the same day while this one is writing.
    racing = Dataset(lake, SIGHTINGS, row_group_rows=256, failpoint=compact_meanwhile)
    assert racing.compact_day(date(2026, 10, 31)) is None
    assert multiset(plain.read_all()) == before
    assert len(list(plain.root.rglob("*.parquet"))) == 1


CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from datetime import datetime, timezone
    from pathlib import Path
    from yanyun.core.clock import FrozenClock
    from yanyun.intel.settings import IntelSettings
    from yanyun.intel.jobs import maintain_pool
    from yanyun.intel.pool import QUARANTINE, SIGHTINGS, Dataset

    point, nth = sys.argv[2], int(sys.argv[3])
    seen = []

    def die(name):
        if name == point:
            seen.append(name)
            if len(seen) == nth:
                os.kill(os.getpid(), signal.SIGKILL)

    lake = Path(sys.argv[1])
    maintain_pool(
        sightings=Dataset(lake, SIGHTINGS, row_group_rows=256, failpoint=die),
        quarantine=Dataset(lake, QUARANTINE),
        settings=IntelSettings(compact_after_h=1, seal_after_days=2),
        clock=FrozenClock(datetime(2026, 12, 5, tzinfo=timezone.utc)),
    )
    print("finished")
    """
)


@pytest.mark.parametrize(
    ("point", "nth"),
    [
        ("compact:output_written", 1),  # compacting the first of three days
        ("compact:manifest_swapped", 2),  # the second day
        ("compact:inputs_half_deleted", 4),  # sealing October
        ("compact:output_written", 5),  # sealing November
        ("none", 0),
    ],
)
def test_the_job_killed_by_sigkill_loses_and_duplicates_nothing(
    tmp_path: Path, point: str, nth: int
) -> None:
    lake = tmp_path / "lake"
    pool = Dataset(lake, SIGHTINGS, row_group_rows=256)
    for s in range(2):
        pool.append(sightings(500, seed=40 + s, days=3, batch=f"k{s}"), batch_id=f"k{s}")
    expected = multiset(pool.read_all())
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    proc = subprocess.run(
        [sys.executable, str(script), str(lake), point, str(nth)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    if point == "none":
        assert proc.returncode == 0 and "finished" in proc.stdout, proc.stderr
    else:
        assert proc.returncode == -signal.SIGKILL, proc.stderr
    reopened = Dataset(lake, SIGHTINGS, row_group_rows=256)
    assert multiset(reopened.read_all()) == expected
    reopened.recover()
    assert multiset(reopened.read_all()) == expected
    # The next run finishes the work: two sealed months, every row once.
    maintain_pool(
        sightings=reopened,
        quarantine=Dataset(lake, QUARANTINE),
        settings=SETTINGS,
        clock=FrozenClock(datetime(2026, 12, 5, tzinfo=UTC)),
    )
    assert sorted(f.tier for f in reopened.files()) == ["month", "month"]
    assert multiset(reopened.read_all()) == expected
