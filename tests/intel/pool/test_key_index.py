"""Plate lookups: one row group per file, a bounded cache of decoded row groups."""

from __future__ import annotations

from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq

from tests.intel.helpers import dataset, multiset, sightings
from yanyun.intel.pool import KeyIndex


def test_a_plate_lookup_reads_one_row_group_per_file(tmp_path: Path) -> None:
    pool = dataset(tmp_path)
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


def test_decoded_row_groups_are_cached_within_a_bound_and_dropped_with_their_file(
    tmp_path: Path,
) -> None:
    pool = dataset(tmp_path)
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
