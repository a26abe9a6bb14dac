"""The pool: one writer, durable batches, sorted layout, compaction that survives a kill."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from tests.intel.helpers import multiset, sightings
from yanyun.intel.pool import SIGHTINGS, CrashPoint, Dataset, KeyIndex


def _pool(tmp_path: Path, **kwargs) -> Dataset:
    return Dataset(tmp_path / "lake", SIGHTINGS, row_group_rows=256, **kwargs)


def test_append_is_day_partitioned_sorted_and_durable_on_return(tmp_path: Path) -> None:
    pool = _pool(tmp_path)
    batch = sightings(3000, seed=1, days=3, batch="b1")
    result = pool.append(batch, batch_id="b1")
    assert not result.duplicate and result.rows == 3000
    assert sorted({f.split("/")[0] for f in result.files}) == [
        "day=2026-10-31",
        "day=2026-11-01",
        "day=2026-11-02",
    ]
    for rel in result.files:
        table = pq.read_table(pool.root / rel)
        plates = table.column("plate").to_pylist()
        assert plates == sorted(plates)
        meta = pq.read_metadata(pool.root / rel)
        assert meta.row_group(0).column(0).statistics.has_min_max
    # The manifest names exactly these files and records the batch.
    manifest = json.loads((pool.root / "_manifest.json").read_text())
    assert {f["path"] for f in manifest["files"]} == set(result.files)
    assert manifest["batches"]["b1"]["rows"] == 3000
    assert multiset(pool.read_all()) == multiset(batch)


def test_resending_a_batch_adds_nothing(tmp_path: Path) -> None:
    pool = _pool(tmp_path)
    batch = sightings(500, seed=2, batch="same")
    pool.append(batch, batch_id="same")
    again = pool.append(batch, batch_id="same")
    assert again.duplicate and again.rows == 500
    assert pool.row_count() == 500 and pool.read_all().num_rows == 500


def test_compaction_rewrites_a_day_into_one_sorted_file(tmp_path: Path) -> None:
    pool = _pool(tmp_path)
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


def test_a_plate_lookup_reads_one_row_group_per_file(tmp_path: Path) -> None:
    pool = _pool(tmp_path)
    pool.append(sightings(20_000, seed=3, days=2, plates=2000), batch_id="big")
    pool.compact_all()
    pool.seal_month(2026, 10)
    pool.seal_month(2026, 11)
    index = KeyIndex(pool)
    everything = pool.read_all()
    for plate in ("湘D00042", "湘D01999", "湘D00000"):
        rows, groups = index.lookup([plate], 0, 2**62)
        expected = everything.filter(pc.equal(everything.column("plate"), plate))
        assert multiset(rows) == multiset(expected)
        assert 1 <= groups <= 2 * len(pool.files())
        total_groups = sum(
            pq.read_metadata(pool.root / f.path).num_row_groups for f in pool.files()
        )
        assert groups < total_groups / 10
    rows, groups = index.lookup(["湘D99999"], 0, 2**62)
    assert rows.num_rows == 0


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
    pool = _pool(tmp_path)
    pool.append(sightings(100, seed=5), batch_id="x")
    assert pool.recover() == []


def test_decoded_row_groups_are_cached_within_a_bound_and_dropped_with_their_file(
    tmp_path: Path,
) -> None:
    pool = _pool(tmp_path)
    for n in range(3):
        pool.append(sightings(3000, seed=50 + n, days=2, batch=f"c{n}"), batch_id=f"c{n}")
    plain = KeyIndex(pool)
    cached = KeyIndex(pool, cache_bytes=200_000)
    plates = [f"湘D{p:05d}" for p in range(0, 200, 7)]
    for plate in plates * 2:
        expected, _ = plain.lookup([plate], 0, 2**62)
        got, _ = cached.lookup([plate], 0, 2**62)
        assert multiset(got) == multiset(expected)
    assert plain.cache_hits == 0 and cached.cache_hits > 0
    assert 0 < cached._cached_bytes <= 200_000
    hits = cached.cache_hits
    cached.lookup([plates[-1]], 0, 2**62)
    assert cached.cache_hits > hits  # the most recent plate is still there
    pool.compact_all()  # every file replaced: nothing cached may be served
    for plate in plates:
        got, _ = cached.lookup([plate], 0, 2**62)
        assert multiset(got) == multiset(plain.lookup([plate], 0, 2**62)[0])
    live = {f.path for f in pool.files()}
    assert all(key[0] in live for key in cached._cache)
