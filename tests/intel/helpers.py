"""Small synthetic sightings for the pool tests (no database needed)."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pyarrow as pa

DAY0 = datetime(2026, 10, 30, 16, 0, tzinfo=UTC)  # 2026-10-31 00:00 in Shanghai
DAY0_MS = int(DAY0.timestamp() * 1000)


def sightings(n: int, *, seed: int, days: int = 3, plates: int = 200, batch: str = "t") -> pa.Table:
    rng = np.random.default_rng(seed)
    plate_ids = rng.integers(0, plates, n)
    ms = DAY0_MS + rng.integers(0, days * 86_400_000, n)
    return pa.table(
        {
            "plate": pa.array([f"湘D{p:05d}" for p in plate_ids], pa.string()),
            "kind": pa.array(["car"] * n, pa.string()),
            "camera": pa.array([f"CAM{c:06d}" for c in rng.integers(1, 50, n)], pa.string()),
            "seen_at": pa.array(ms, pa.timestamp("ms", tz="UTC")),
            "flags": pa.array(np.zeros(n, np.int8)),
            "batch_id": pa.array([batch] * n, pa.string()),
        }
    )


def multiset(table: pa.Table) -> list[tuple]:
    """Rows as a sorted list, so two tables compare as multisets (duplicates count)."""
    cols = [table.column(c).to_pylist() for c in ("plate", "camera", "seen_at", "batch_id")]
    return sorted(zip(*cols, strict=True))
