"""The pool's writer: day-partitioned, sorted, durable batches recognised when re-sent."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

from tests.intel.helpers import dataset, multiset, sightings


def test_append_is_day_partitioned_sorted_and_durable_on_return(tmp_path: Path) -> None:
    pool = dataset(tmp_path)
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
    pool = dataset(tmp_path)
    batch = sightings(500, seed=2, batch="same")
    pool.append(batch, batch_id="same")
    again = pool.append(batch, batch_id="same")
    assert again.duplicate and again.rows == 500
    assert pool.row_count() == 500 and pool.read_all().num_rows == 500
