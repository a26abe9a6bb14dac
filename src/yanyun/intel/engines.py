"""Query engines over the pool: DuckDB in-process, or Apache Spark when one machine is outgrown.

The engine is a setting, not a code fork: both run the same SQL text over the
same files the manifest names; only the name of the epoch-milliseconds
function differs. DuckDB's exact-plate search first narrows the files to the
row groups the in-memory plate index points at, which is what makes a year of
one plate come back in milliseconds; Spark reads the files and relies on
Parquet's own row-group statistics.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.compute as pc

from yanyun.intel.plates import CANON_FROM, CANON_TO
from yanyun.intel.pool import Dataset, KeyIndex, KeyVocabulary

RESULT_COLUMNS = ("plate", "kind", "camera", "seen_ms", "flags")
SOURCE_COLUMNS = ("plate", "kind", "camera", "seen_at", "flags")
ARROW_FINISH_ROWS = 200_000

SEARCH_SQL = """
SELECT plate, kind, camera, {epoch_ms} AS seen_ms, flags
FROM sightings
WHERE {plate_predicate}
  AND {epoch_ms} >= {start_ms} AND {epoch_ms} < {end_ms}
ORDER BY seen_ms, camera, plate
LIMIT {limit}
"""

EPOCH_MS = {"duckdb": "epoch_ms(seen_at)", "spark": "unix_millis(seen_at)"}


@dataclass(frozen=True)
class PlateQuery:
    """Exact plates, or canonical forms for a fuzzy search, in [start_ms, end_ms)."""

    start_ms: int
    end_ms: int
    plates: tuple[str, ...] = ()
    canonical: tuple[str, ...] = ()
    limit: int = 20_000

    @property
    def fuzzy(self) -> bool:
        return bool(self.canonical)


def _quote(value: str) -> str:
    """A plate as an SQL literal; only letters and digits may reach the text.

    Quote doubling alone is not enough for Spark, which also reads backslash
    escapes; a plate is letters and digits (a province character included), so
    anything else is refused before it can become SQL.
    """
    if not value or not all(c.isalnum() for c in value):
        raise ValueError(f"not a plate: {value!r}")
    return "'" + value + "'"


def render_sql(query: PlateQuery, engine: str) -> str:
    """The search as SQL text for an engine (values are validated plates, quoted)."""
    if query.fuzzy:
        listed = ", ".join(_quote(c) for c in query.canonical)
        predicate = f"translate(plate, {_quote(CANON_FROM)}, {_quote(CANON_TO)}) IN ({listed})"
    else:
        predicate = f"plate IN ({', '.join(_quote(p) for p in query.plates)})"
    return SEARCH_SQL.format(
        epoch_ms=EPOCH_MS[engine],
        plate_predicate=predicate,
        start_ms=int(query.start_ms),
        end_ms=int(query.end_ms),
        limit=int(query.limit),
    )


class Engine(Protocol):
    name: str

    def search(self, query: PlateQuery) -> pa.Table: ...


class DuckDBEngine:
    """DuckDB in-process; exact plates go through the plate -> row-group index first."""

    name = "duckdb"

    def __init__(self, dataset: Dataset, index: KeyIndex | None = None) -> None:
        import duckdb

        self.dataset = dataset
        self.index = index or KeyIndex(dataset)
        self.vocabulary = KeyVocabulary(self.index, canonical_forms)
        self._connection = duckdb.connect(":memory:")
        self._lock = threading.Lock()
        self.last_row_groups = 0

    def search(self, query: PlateQuery) -> pa.Table:
        if query.fuzzy:
            # The plates that can match, from the in-memory vocabulary; then exact lookups.
            plates = self.vocabulary.keys_for(list(query.canonical))
            if not plates:
                return _empty()
            query = PlateQuery(
                start_ms=query.start_ms,
                end_ms=query.end_ms,
                plates=tuple(plates),
                limit=query.limit,
            )
        return self._exact(query)

    def scan_fuzzy(self, query: PlateQuery) -> pa.Table:
        """The fuzzy search as SQL over every file of the window (what Spark runs)."""
        paths = self.dataset.paths(self.dataset.files(start_ms=query.start_ms, end_ms=query.end_ms))
        if not paths:
            return _empty()
        cursor = self._connection.cursor()
        try:
            cursor.read_parquet(paths).create_view("sightings")
            return cursor.sql(render_sql(query, self.name)).to_arrow_table()
        finally:
            cursor.close()

    def _exact(self, query: PlateQuery) -> pa.Table:
        rows, groups = self.index.lookup(
            list(query.plates), query.start_ms, query.end_ms, columns=list(SOURCE_COLUMNS)
        )
        self.last_row_groups = groups
        if rows.num_rows <= ARROW_FINISH_ROWS:
            return finish_in_arrow(rows, query)
        with self._lock:  # one connection: a cursor per query costs more than the query
            self._connection.register("sightings", rows)
            try:
                return self._connection.sql(render_sql(query, self.name)).to_arrow_table()
            finally:
                self._connection.unregister("sightings")


def canonical_forms(plates: pa.Array) -> pa.Array:
    """The confusion table's normal form of each plate, vectorised (as SQL's translate)."""
    out = plates
    for src, dst in zip(CANON_FROM, CANON_TO, strict=True):
        out = pc.replace_substring(out, src, dst)
    return out


def finish_in_arrow(rows: pa.Table, query: PlateQuery) -> pa.Table:
    """SEARCH_SQL's projection, order and limit over rows the index already filtered.

    Planning a DuckDB query over a registered table costs a few milliseconds,
    more than the query over the few thousand rows one plate has in a year.
    """
    ms = pc.cast(rows.column("seen_at"), pa.int64())
    table = pa.table(
        {
            "plate": rows.column("plate"),
            "kind": rows.column("kind"),
            "camera": rows.column("camera"),
            "seen_ms": ms,
            "flags": rows.column("flags"),
        }
    )
    table = table.sort_by(
        [("seen_ms", "ascending"), ("camera", "ascending"), ("plate", "ascending")]
    )
    return table.slice(0, query.limit)


class SparkEngine:
    """PySpark over the manifest's files; local mode here, a cluster's master URL in production."""

    name = "spark"
    _session: Any = None
    _guard = threading.Lock()

    def __init__(self, dataset: Dataset, master: str = "local[1]") -> None:
        self.dataset = dataset
        self.master = master

    @classmethod
    def session(cls, master: str) -> Any:
        with cls._guard:
            if cls._session is None:
                from pyspark.sql import SparkSession

                cls._session = (
                    SparkSession.builder.master(master)
                    .appName("yanyun-intel")
                    .config("spark.ui.enabled", "false")
                    .config("spark.sql.session.timeZone", "UTC")
                    .config("spark.sql.shuffle.partitions", "2")
                    .config("spark.driver.memory", "768m")
                    .getOrCreate()
                )
            return cls._session

    def search(self, query: PlateQuery) -> pa.Table:
        paths = self.dataset.paths(self.dataset.files(start_ms=query.start_ms, end_ms=query.end_ms))
        if not paths:
            return _empty()
        spark = self.session(self.master)
        with self._guard:
            spark.read.parquet(*paths).createOrReplaceTempView("sightings")
            rows = spark.sql(render_sql(query, self.name)).collect()
        return pa.table(
            {
                "plate": pa.array([r["plate"] for r in rows], pa.string()),
                "kind": pa.array([r["kind"] for r in rows], pa.string()),
                "camera": pa.array([r["camera"] for r in rows], pa.string()),
                "seen_ms": pa.array([r["seen_ms"] for r in rows], pa.int64()),
                "flags": pa.array([r["flags"] for r in rows], pa.int8()),
            }
        )

    @classmethod
    def stop(cls) -> None:
        with cls._guard:
            if cls._session is not None:
                cls._session.stop()
                cls._session = None


def _empty() -> pa.Table:
    return pa.table(
        {
            "plate": pa.array([], pa.string()),
            "kind": pa.array([], pa.string()),
            "camera": pa.array([], pa.string()),
            "seen_ms": pa.array([], pa.int64()),
            "flags": pa.array([], pa.int8()),
        }
    )


def build_engine(name: str, dataset: Dataset, *, spark_master: str = "local[1]") -> Engine:
    if name == "spark":
        return SparkEngine(dataset, spark_master)
    return DuckDBEngine(dataset)
