"""The engine is a setting: the same plate search on DuckDB and on Spark gives the same answer."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pytest

from tests.intel.helpers import DAY0_MS, sightings
from yanyun.intel.engines import (
    DuckDBEngine,
    PlateQuery,
    SparkEngine,
    finish_in_arrow,
    render_sql,
)
from yanyun.intel.plates import fuzzy_candidates
from yanyun.intel.pool import SIGHTINGS, Dataset


def _needs_spark() -> None:
    pytest.importorskip("pyspark")
    if shutil.which("java") is None:
        pytest.skip("Java is not installed (apt-get install default-jre-headless)")


def _rows(table: pa.Table) -> list[tuple]:
    return list(zip(*(table.column(c).to_pylist() for c in table.schema.names), strict=True))


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    lake = tmp_path_factory.mktemp("engines") / "lake"
    dataset = Dataset(lake, SIGHTINGS, row_group_rows=128)
    dataset.append(sightings(3000, seed=21, days=3, plates=150, batch="a"), batch_id="a")
    dataset.append(sightings(2000, seed=22, days=3, plates=150, batch="b"), batch_id="b")
    dataset.compact_day(__import__("datetime").date(2026, 10, 31))  # one day compacted, two not
    return dataset


QUERIES = [
    PlateQuery(start_ms=DAY0_MS, end_ms=DAY0_MS + 3 * 86_400_000, plates=("湘D00042",)),
    PlateQuery(start_ms=DAY0_MS + 36_000_000, end_ms=DAY0_MS + 100_000_000, plates=("湘D00007",)),
    PlateQuery(start_ms=DAY0_MS, end_ms=DAY0_MS + 3 * 86_400_000, plates=("湘D99999",)),
    PlateQuery(
        start_ms=DAY0_MS,
        end_ms=DAY0_MS + 3 * 86_400_000,
        canonical=tuple(fuzzy_candidates("湘DQ0I2")),  # 0/Q and 1/I, one character missing
    ),
]


def test_the_sql_differs_only_in_the_epoch_function() -> None:
    duck, spark = (render_sql(QUERIES[3], e) for e in ("duckdb", "spark"))
    assert duck.replace("epoch_ms(seen_at)", "X") == spark.replace("unix_millis(seen_at)", "X")


def test_duckdb_and_spark_answer_the_same(pool: Dataset) -> None:
    _needs_spark()
    duck = DuckDBEngine(pool)
    spark = SparkEngine(pool, "local[1]")
    try:
        for query in QUERIES:
            a, b = duck.search(query), spark.search(query)
            assert _rows(a) == _rows(b), query
        # The queries found something worth comparing.
        assert duck.search(QUERIES[0]).num_rows > 5
        assert len(set(duck.search(QUERIES[3]).column("plate").to_pylist())) > 3
    finally:
        SparkEngine.stop()


def test_duckdb_exact_search_matches_a_full_scan(pool: Dataset) -> None:
    everything = pool.read_all()
    engine = DuckDBEngine(pool)
    got = engine.search(QUERIES[0])
    want = sorted(
        (r["seen_at"], r["camera"]) for r in everything.to_pylist() if r["plate"] == "湘D00042"
    )
    assert [(r["camera"]) for r in got.to_pylist()] == [c for _, c in want]
    assert engine.last_row_groups < sum(1 for _ in Path(pool.root).rglob("*.parquet")) * 3


def test_the_arrow_finish_equals_the_sql_over_the_same_rows(pool: Dataset) -> None:
    """The exact path skips DuckDB's planning for small results; the answer is the SQL's."""
    import duckdb

    engine = DuckDBEngine(pool)
    con = duckdb.connect()
    for query in QUERIES[:3]:
        rows, _ = engine.index.lookup(list(query.plates), query.start_ms, query.end_ms)
        con.register("sightings", rows)
        want = con.sql(render_sql(query, "duckdb")).to_arrow_table()
        assert _rows(finish_in_arrow(rows, query)) == _rows(want)
        assert _rows(engine.search(query)) == _rows(want)


def test_fuzzy_through_the_vocabulary_equals_the_scan(pool: Dataset) -> None:
    engine = DuckDBEngine(pool)
    for reading in ("湘DQ0I2", "湘D0O0S5", "湘D1234"):
        query = PlateQuery(
            start_ms=DAY0_MS, end_ms=DAY0_MS + 3 * 86_400_000,
            canonical=tuple(fuzzy_candidates(reading)),
        )
        assert _rows(engine.search(query)) == _rows(engine.scan_fuzzy(query))
    assert len(engine.vocabulary) == 150


@pytest.mark.parametrize("plate", ["湘D1'OR'1", "湘D\\\\' OR 1=1 --", "湘D 12345", ""])
def test_nothing_but_a_plate_reaches_the_sql_text(plate: str) -> None:
    query = PlateQuery(start_ms=0, end_ms=1, plates=(plate,))
    with pytest.raises(ValueError, match="not a plate"):
        render_sql(query, "spark")
