"""Maintenance of the pool: compaction that survives a kill, recovery."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.intel.helpers import dataset, multiset, sightings
from yanyun.intel.pool import SIGHTINGS, CrashPoint, Dataset


def test_compaction_rewrites_a_day_into_one_sorted_file(tmp_path: Path) -> None:
    pool = dataset(tmp_path)
    originals = [sightings(700, seed=s, days=1, batch=f"b{s}") for s in range(4)]
    for i, t in enumerate(originals):
        pool.append(t, batch_id=f"b{i}")
    assert len(pool.files()) == 4
    entry = pool.compact_day(date(2026, 10, 31))
    assert entry is not None and entry.tier == "day" and entry.rows == 2800
    assert [f.path for f in pool.files()] == [entry.path]
    table = pq.read_table(pool.root / entry.path)
    keys = list(
        zip(table.column("plate").to_pylist(), table.column("seen_at").to_pylist(), strict=True)
    )
    assert keys == sorted(keys)
    assert pq.read_metadata(pool.root / entry.path).num_row_groups == 11  # 2800 / 256
    assert multiset(pool.read_all()) == multiset(pa.concat_tables(originals))
    # The replaced files are gone from disk, not only from the manifest.
    assert len(list(pool.root.rglob("*.parquet"))) == 1
    assert pool.compact_day(date(2026, 10, 31)) is None  # nothing left to do


def test_an_injected_failure_mid_compaction_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    batches = [sightings(400, seed=s, days=1, batch=f"b{s}") for s in range(3)]
    expected = None
    for point in (
        "compact:output_written",
        "compact:manifest_swapped",
        "compact:inputs_half_deleted",
    ):
        root = tmp_path / point.replace(":", "_")

        def fail(name: str, point: str = point) -> None:
            if name == point:
                raise CrashPoint(name)

        pool = Dataset(root, SIGHTINGS, row_group_rows=256, failpoint=fail)
        for i, t in enumerate(batches):
            pool.append(t, batch_id=f"b{i}")
        expected = multiset(pool.read_all())
        with pytest.raises(CrashPoint):
            pool.compact_day(date(2026, 10, 31))
        reopened = Dataset(root, SIGHTINGS, row_group_rows=256)
        assert multiset(reopened.read_all()) == expected
        reopened.recover()
        on_disk = {
            p.relative_to(reopened.root).as_posix() for p in reopened.root.rglob("*.parquet")
        }
        assert on_disk == {f.path for f in reopened.files()}
        reopened.compact_day(date(2026, 10, 31))
        assert multiset(reopened.read_all()) == expected
    assert expected is not None


CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from datetime import date
    from pathlib import Path
    from yanyun.intel.pool import SIGHTINGS, Dataset

    point = sys.argv[2]

    def die(name):
        if name == point:
            os.kill(os.getpid(), signal.SIGKILL)

    pool = Dataset(Path(sys.argv[1]), SIGHTINGS, row_group_rows=256, failpoint=die)
    pool.compact_day(date(2026, 10, 31))
    print("finished")
    """
)


@pytest.mark.parametrize(
    "point",
    ["compact:output_written", "compact:manifest_swapped", "compact:inputs_half_deleted", "none"],
)
def test_a_compaction_killed_by_sigkill_loses_and_duplicates_nothing(
    tmp_path: Path, point: str
) -> None:
    """A real process, killed with SIGKILL at each step of a compaction, then reopened."""
    lake = tmp_path / "lake"
    pool = Dataset(lake, SIGHTINGS, row_group_rows=256)
    for s in range(3):
        pool.append(sightings(500, seed=10 + s, days=1, batch=f"k{s}"), batch_id=f"k{s}")
    expected = multiset(pool.read_all())
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    proc = subprocess.run(
        [sys.executable, str(script), str(lake), point],
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
    removed = reopened.recover()
    if point == "compact:output_written":
        assert removed and all(r.startswith("day=2026-10-31/day-") for r in removed)
    assert multiset(reopened.read_all()) == expected
    # The pool carries on: compaction completes and still holds every row once.
    reopened.compact_day(date(2026, 10, 31))
    assert multiset(reopened.read_all()) == expected
    assert len(reopened.files()) == 1


def test_recover_leaves_a_clean_pool_alone(tmp_path: Path) -> None:
    pool = dataset(tmp_path)
    pool.append(sightings(100, seed=5), batch_id="x")
    assert pool.recover() == []
