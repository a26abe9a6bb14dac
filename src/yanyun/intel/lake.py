"""The process's open pool: its datasets, plate index, query engine and the writer's memory."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from yanyun.core.db import Provider
from yanyun.intel.engines import Engine, build_engine
from yanyun.intel.pool import QUARANTINE, SIGHTINGS, Dataset, KeyIndex
from yanyun.intel.recent import RecentSightings
from yanyun.intel.settings import IntelSettings


@dataclass
class Pool:
    """The open datasets of the lake and the engine that queries them (one per app)."""

    sightings: Dataset
    quarantine: Dataset
    index: KeyIndex
    engine: Engine
    cameras: dict[str, Any] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Check, append and remember one batch at a time: two batches checked
    # side by side could both accept the same re-sent row.
    ingest_lock: threading.Lock = field(default_factory=threading.Lock)
    recent: RecentSightings | None = None
    recent_batches: set[str] = field(default_factory=set)


def open_pool(lake: Path, settings: IntelSettings, *, engine: str | None = None) -> Pool:
    """Open the lake's datasets (removing a crash's leftovers) and the engine that reads them."""
    sightings = Dataset(lake, SIGHTINGS, row_group_rows=settings.row_group_rows)
    quarantine = Dataset(lake, QUARANTINE, row_group_rows=settings.row_group_rows)
    sightings.recover()
    quarantine.recover()
    index = KeyIndex(sightings, cache_bytes=settings.row_group_cache_mb * 1_000_000)
    chosen = build_engine(engine or settings.engine, sightings, spark_master=settings.spark_master)
    if chosen.name == "duckdb":
        chosen.index = index  # type: ignore[attr-defined]
    return Pool(sightings=sightings, quarantine=quarantine, index=index, engine=chosen)


#: The process's one pool (one writer), shared by requests and the maintenance job.
POOL: Provider[Pool] = Provider(
    "intel.pool", lambda runtime: open_pool(runtime.settings.lake_path, runtime.settings.intel)
)
