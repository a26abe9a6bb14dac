"""Taking batches: refused rows kept with reasons, flags, formats, the writer's memory."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.ipc as ipc
import pyarrow.parquet as pq
import pytest

from tests.conftest import START, login_as
from tests.intel.helpers import (
    DAY0_MS,
    HOUR,
    NOW,
    T0,
    at,
    camera_line,
    far_pair,
    ingest_rows,
    reasons_of,
    run_check,
    search,
    sighting_rows,
)
from yanyun.intel.service import open_pool, recent_sightings
from yanyun.intel.settings import IntelSettings


def test_bad_rows_are_refused_with_reasons_and_kept_in_quarantine(client, cameras):
    admin = login_as(client, "admin")
    cam = cameras.codes
    rows = [
        {"plate": "湘D12345", "camera": cam[0], "seen_at": at(0)},  # 0 ok
        {"plate": "湘D1234", "camera": cam[1], "seen_at": at(1)},  # 1 malformed plate
        {
            "plate": "湘D12345",
            "camera": cam[1],
            "seen_at": (START + timedelta(hours=2)).isoformat(),
        },
        {"plate": "湘D12345", "camera": "CAM999999", "seen_at": at(3)},  # 3 unknown camera
        {"plate": "湘D12345", "camera": cam[2], "seen_at": "2000-01-01T00:00:00+08:00"},  # 4 before
        {"plate": "湘D12345", "camera": cam[0], "seen_at": at(0)},  # 5 duplicate of 0
        {"plate": "湘D12345", "camera": cam[3], "seen_at": "yesterday"},  # 6 bad time
        {"plate": None, "camera": cam[3], "seen_at": at(5)},  # 7 missing
        {"plate": "衡阳000123", "camera": cam[4], "seen_at": at(6), "kind": "ebike"},  # 8 ok
    ]
    resp = ingest_rows(client, admin, "batch-bad-1", rows)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert (body["rows"], body["accepted"], body["rejected"]) == (9, 2, 7)
    assert body["durable"] and not body["duplicate_batch"]
    reasons = {r["row"]: r["reason"] for r in body["rejects"]}
    assert reasons == {
        1: "malformed_plate",
        2: "future_time",
        3: "unknown_camera",
        4: "before_camera",
        5: "duplicate",
        6: "bad_time",
        7: "missing_field",
    }
    assert all(r["message"]["zh-CN"] and r["message"]["en"] for r in body["rejects"])
    kept = client.get("/api/v1/intel/quarantine/batch-bad-1", headers=admin.headers).json()
    assert [r["row"] for r in kept] == [1, 2, 3, 4, 5, 6, 7]
    assert {r["batch_id"] for r in kept} == {"batch-bad-1"}
    # The sender sees which row and why, not the plates: that read is bound to no case.
    sent = {r.get("plate") for r in rows} - {None}
    shown = [r["plate"] for r in kept if r["plate"] is not None]
    assert shown and all("*" in p and p not in sent for p in shown), shown
    # Re-sending the same batch adds nothing and answers the same counts.
    again = ingest_rows(client, admin, "batch-bad-1", rows).json()
    assert again["duplicate_batch"] and again["accepted"] == 2 and again["rejected"] == 7
    catalog = client.get("/api/v1/intel/datasets", headers=admin.headers).json()
    sightings = next(d for d in catalog if d["name"] == "sightings")
    assert sightings["rows"] == 2 and sightings["personal"] is True
    assert {d["name"] for d in catalog} == {"sightings", "quarantine"}


def test_absurd_speed_is_flagged_not_dropped(client, cameras):
    admin = login_as(client, "admin")
    far = far_pair(client, admin, cameras)
    rows = [
        {"plate": "湘D55555", "camera": far[0], "seen_at": at(0)},
        {"plate": "湘D55555", "camera": far[1], "seen_at": at(0.5)},
    ]
    body = ingest_rows(client, admin, "speed-1", rows).json()
    assert body["accepted"] == 2 and body["flagged"] == 1
    analyst = login_as(client, "analyst")
    found = search(client, analyst, "湘D55555").json()["sightings"]
    assert [s["flags"] for s in found] == [[], ["absurd_speed"]]


def test_arrow_csv_and_parquet_batches(client, cameras):
    admin = login_as(client, "admin")
    cam = cameras.codes
    table = pa.table(
        {
            "plate": ["湘D00001", "湘D00002", "bad"],
            "camera": [cam[0], cam[1], cam[2]],
            "seen_at": pa.array([T0, T0 + timedelta(minutes=1), T0], pa.timestamp("ms", tz="UTC")),
        }
    )
    sink = io.BytesIO()
    with ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    resp = client.post(
        "/api/v1/intel/sightings/arrow",
        content=sink.getvalue(),
        headers={
            **admin.headers,
            "X-Batch-Id": "arrow-1",
            "Content-Type": "application/vnd.apache.arrow.stream",
        },
    )
    assert resp.status_code == 200, resp.text
    assert (resp.json()["accepted"], resp.json()["rejected"]) == (2, 1)

    csv = f"plate,camera,seen_at\n湘D00003,{cam[3]},{at(2)}\n湘D00004,NOPE,{at(2)}\n"
    resp = client.post(
        "/api/v1/intel/sightings/files?batch_id=csv-1&format=csv",
        content=csv.encode(),
        headers={**admin.headers, "Content-Type": "text/csv"},
    )
    assert (resp.json()["accepted"], resp.json()["rejected"]) == (1, 1)

    buf = io.BytesIO()
    others = table.slice(0, 2).set_column(0, "plate", pa.array(["湘D00005", "湘D00006"]))
    pq.write_table(others, buf)
    resp = client.post(
        "/api/v1/intel/sightings/files?batch_id=pq-1&format=parquet",
        content=buf.getvalue(),
        headers=admin.headers,
    )
    assert (resp.json()["accepted"], resp.json()["rejected"]) == (2, 0)
    # The Arrow batch's rows again under a new batch id: refused, they are in the pool.
    buf = io.BytesIO()
    pq.write_table(table.slice(0, 2), buf)
    resp = client.post(
        "/api/v1/intel/sightings/files?batch_id=pq-2&format=parquet",
        content=buf.getvalue(),
        headers=admin.headers,
    )
    assert (resp.json()["accepted"], resp.json()["rejected"]) == (0, 2)
    assert {r["reason"] for r in resp.json()["rejects"]} == {"resent"}

    broken = client.post(
        "/api/v1/intel/sightings/arrow",
        content=b"not arrow",
        headers={**admin.headers, "X-Batch-Id": "arrow-2"},
    )
    assert broken.status_code == 422 and broken.json()["error"]["field"] == "body"
    # Only the ingest role may write sightings.
    analyst = login_as(client, "analyst")
    assert ingest_rows(client, analyst, "nope", [{"plate": "湘D00001"}]).status_code == 403


@pytest.fixture
def lake(tmp_path: Path) -> Path:
    return tmp_path / "lake"


def test_the_memory_is_rebuilt_from_the_pool_when_it_is_opened_again(lake: Path) -> None:
    settings = IntelSettings(row_group_rows=64, recent_window_h=24)
    pool = open_pool(lake, settings)
    book = camera_line()
    t = DAY0_MS + 10 * HOUR
    recent = recent_sightings(pool=pool, cameras=book, settings=settings, now_ms=NOW)
    checked = run_check(
        sighting_rows([("湘D00001", "CAM000001", t), ("湘D00003", "CAM000005", t + 5)]), recent
    )
    pool.sightings.append(
        checked.accepted.append_column("batch_id", pa.repeat("a", 2)),
        batch_id="a",
        presorted=True,
    )
    reopened = open_pool(lake, settings)  # a restart: nothing in memory
    rebuilt = recent_sightings(pool=reopened, cameras=book, settings=settings, now_ms=NOW)
    assert len(rebuilt) == 2
    again = run_check(
        sighting_rows([("湘D00001", "CAM000001", t), ("湘D00003", "CAM000010", t + 60_000)]),
        rebuilt,
    )
    assert reasons_of(again) == {0: "resent"} and again.flagged == 1
    # A batch another process wrote makes the memory stale: rebuilt on the next ingest.
    other = open_pool(lake, settings)
    late = sighting_rows([("湘D00004", "CAM000001", t + 7)])
    late_checked = run_check(late)
    other.sightings.append(
        late_checked.accepted.append_column("batch_id", pa.repeat("b", 1)),
        batch_id="b",
        presorted=True,
    )
    refreshed = recent_sightings(pool=reopened, cameras=book, settings=settings, now_ms=NOW)
    assert refreshed is not rebuilt and len(refreshed) == 3
