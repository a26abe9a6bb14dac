"""Settings of the data pool and plate search (``YANYUN_INTEL__...``)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class IntelSettings(BaseModel):
    """The data pool (数据池), cameras and plate search."""

    engine: Literal["duckdb", "spark"] = Field(
        "duckdb", description="Query engine of the pool: DuckDB in-process or Apache Spark."
    )
    spark_master: str = Field(
        "local[1]", description="Spark master URL when engine is spark (local[n] or a cluster)."
    )
    row_group_rows: int = Field(
        4096, ge=64, description="Rows per Parquet row group (a plate lookup reads one or few)."
    )
    row_group_cache_mb: int = Field(
        256, ge=0, description="Memory for decoded row groups of the pool, MB (0: none)."
    )
    max_speed_kmh: float = Field(
        250.0, gt=0, description="Speed between two sightings of a plate above which it is flagged."
    )
    future_tolerance_s: int = Field(
        300, ge=0, description="Sightings stamped further in the future than this are refused (s)."
    )
    recent_window_h: int = Field(
        24,
        ge=1,
        description="Hours of accepted sightings the writer remembers, to refuse a row re-sent "
        "in a later batch and flag a jump from a plate's sighting in an earlier batch.",
    )
    maintenance_interval_s: int = Field(
        600, ge=1, description="How often the server's pool job looks for work (s)."
    )
    compact_after_h: float = Field(
        1.0, ge=0, description="Hours after a bureau day ends before its batch files are compacted."
    )
    seal_after_days: int = Field(
        2, ge=0, description="Days after a month ends before it is sealed into a plate-sorted file."
    )
    ledger_retention_days: int = Field(
        7, ge=1, description="Days a batch id is remembered, to answer a re-sent batch."
    )
    max_batch_rows: int = Field(
        2_000_000, ge=1, description="Largest ingest batch accepted in one request (rows)."
    )
    max_window_days: int = Field(
        400, ge=1, description="Longest time window of one plate search (days)."
    )
    around_max_radius_m: float = Field(
        2000, ge=50, le=20_000,
        description="Largest radius of a search around a place and time (metres).",
    )
    around_max_minutes: float = Field(
        120, ge=1, le=1440,
        description="Widest half-window of a search around a place and time (minutes).",
    )
    cameras: int = Field(20_000, ge=1, description="Cameras in the demo city's registry.")
    demo_plates: int = Field(8_000, ge=10, description="Plates in the demo pool.")
    demo_days: int = Field(14, ge=0, description="Days of sightings in the demo pool.")
    demo_rows_per_day: int = Field(
        40_000, ge=0, description="Sightings per day in the demo pool."
    )
