"""Helpers of the intel tests: small synthetic sightings and pools, checks, HTTP calls."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa

from tests.cases.helpers import open_case
from tests.conftest import START
from yanyun.intel import ingest as checks
from yanyun.intel.camera_book import CameraBook
from yanyun.intel.pool import SIGHTINGS, Dataset

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


def dataset(tmp_path: Path, **kwargs) -> Dataset:
    """The sightings dataset in a lake of the test's own, in small row groups."""
    return Dataset(tmp_path / "lake", SIGHTINGS, row_group_rows=256, **kwargs)


HOUR = 3_600_000
NOW = DAY0_MS + 20 * HOUR  # the checks' "now": 20 hours into DAY0


def camera_line() -> CameraBook:
    """Ten cameras, installed since forever, for checks without a database."""
    # CAM000001 .. CAM000009 along a line, ~1.1 km apart; CAM000010 some 55 km east.
    lng = np.array([112.50 + 0.011 * i for i in range(9)] + [113.05])
    return CameraBook(
        codes=pa.array([f"CAM{i:06d}" for i in range(1, 11)]),
        installed_ms=np.zeros(10, np.int64),
        lng=lng,
        lat=np.full(10, 26.9),
    )


def sighting_rows(rows: list[tuple[str, str, int]]) -> pa.Table:
    return pa.table(
        {
            "plate": pa.array([r[0] for r in rows], pa.string()),
            "camera": pa.array([r[1] for r in rows], pa.string()),
            "seen_at": pa.array([r[2] for r in rows], pa.timestamp("ms", tz="UTC")),
        }
    )


def run_check(
    table: pa.Table,
    recent: checks.RecentSightings | None = None,
    book: CameraBook | None = None,
) -> checks.Checked:
    """Check a batch at NOW, no tolerance for the future, 250 km/h at most."""
    return checks.check(
        table,
        cameras=book or camera_line(),
        now_ms=NOW,
        future_tolerance_ms=0,
        max_speed_kmh=250,
        recent=recent,
    )


def reasons_of(checked: checks.Checked) -> dict[int, str]:
    return dict(
        zip(
            checked.rejects.column("row").to_pylist(),
            checked.rejects.column("reason").to_pylist(),
            strict=True,
        )
    )


T0 = START - timedelta(hours=3)


def at(minutes: float) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat()


def ingest_rows(client, login, batch_id, rows):
    """Send rows as a JSON batch."""
    return client.post(
        "/api/v1/intel/sightings/batches",
        json={"batch_id": batch_id, "rows": rows},
        headers=login.headers,
    )


def search(client, login, plate, **extra):
    """Search a plate over the day before START, under a case the searcher opened."""
    if "case_number" not in extra:
        extra["case_number"] = open_case(client, login)["number"]
    body = {
        "plate": plate,
        "purpose": "肇事逃逸电动车轨迹研判",
        "start": (START - timedelta(days=1)).isoformat(),
        "end": START.isoformat(),
        **extra,
    }
    return client.post("/api/v1/intel/plate-search", json=body, headers=login.headers)


def far_pair(client, login, cameras):
    """The westernmost and easternmost cameras of the registry."""
    items = client.get("/api/v1/intel/cameras?limit=300", headers=login.headers).json()["items"]
    west = min(items, key=lambda c: c["lng"])
    east = max(items, key=lambda c: c["lng"])
    return west["code"], east["code"]
