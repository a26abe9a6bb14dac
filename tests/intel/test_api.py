"""Ingest and plate search over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from datetime import timedelta

import pyarrow as pa
import pyarrow.ipc as ipc
import pyarrow.parquet as pq
from sqlalchemy import select

from tests.conftest import START, login_as
from yanyun.core.audit import AuditEntry

T0 = START - timedelta(hours=3)


def _at(minutes: float) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat()


def _ingest(client, login, batch_id, rows):
    return client.post(
        "/api/v1/intel/sightings/batches",
        json={"batch_id": batch_id, "rows": rows},
        headers=login.headers,
    )


def _search(client, login, plate, **extra):
    body = {
        "plate": plate,
        "case_number": "A4304000000002026110001",
        "purpose": "肇事逃逸电动车轨迹研判",
        "start": (START - timedelta(days=1)).isoformat(),
        "end": START.isoformat(),
        **extra,
    }
    return client.post("/api/v1/intel/plate-search", json=body, headers=login.headers)


def test_bad_rows_are_refused_with_reasons_and_kept_in_quarantine(client, cameras):
    admin = login_as(client, "admin")
    cam = cameras.codes
    rows = [
        {"plate": "湘D12345", "camera": cam[0], "seen_at": _at(0)},  # 0 ok
        {"plate": "湘D1234", "camera": cam[1], "seen_at": _at(1)},  # 1 malformed plate
        {
            "plate": "湘D12345",
            "camera": cam[1],
            "seen_at": (START + timedelta(hours=2)).isoformat(),
        },
        {"plate": "湘D12345", "camera": "CAM999999", "seen_at": _at(3)},  # 3 unknown camera
        {"plate": "湘D12345", "camera": cam[2], "seen_at": "2000-01-01T00:00:00+08:00"},  # 4 before
        {"plate": "湘D12345", "camera": cam[0], "seen_at": _at(0)},  # 5 duplicate of 0
        {"plate": "湘D12345", "camera": cam[3], "seen_at": "yesterday"},  # 6 bad time
        {"plate": None, "camera": cam[3], "seen_at": _at(5)},  # 7 missing
        {"plate": "衡阳000123", "camera": cam[4], "seen_at": _at(6), "kind": "ebike"},  # 8 ok
    ]
    resp = _ingest(client, admin, "batch-bad-1", rows)
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
    again = _ingest(client, admin, "batch-bad-1", rows).json()
    assert again["duplicate_batch"] and again["accepted"] == 2 and again["rejected"] == 7
    catalog = client.get("/api/v1/intel/datasets", headers=admin.headers).json()
    sightings = next(d for d in catalog if d["name"] == "sightings")
    assert sightings["rows"] == 2 and sightings["personal"] is True
    assert {d["name"] for d in catalog} == {"sightings", "quarantine"}


def test_absurd_speed_is_flagged_not_dropped(client, cameras):
    admin = login_as(client, "admin")
    far = _far_pair(client, admin, cameras)
    rows = [
        {"plate": "湘D55555", "camera": far[0], "seen_at": _at(0)},
        {"plate": "湘D55555", "camera": far[1], "seen_at": _at(0.5)},
    ]
    body = _ingest(client, admin, "speed-1", rows).json()
    assert body["accepted"] == 2 and body["flagged"] == 1
    analyst = login_as(client, "analyst")
    found = _search(client, analyst, "湘D55555").json()["sightings"]
    assert [s["flags"] for s in found] == [[], ["absurd_speed"]]


def _far_pair(client, login, cameras):
    items = client.get("/api/v1/intel/cameras?limit=300", headers=login.headers).json()["items"]
    west = min(items, key=lambda c: c["lng"])
    east = max(items, key=lambda c: c["lng"])
    return west["code"], east["code"]


def test_plate_search_needs_case_and_purpose_and_is_audited(client, cameras, session):
    admin = login_as(client, "admin")
    cam = cameras.codes
    rows = [{"plate": "湘D8B012", "camera": cam[i], "seen_at": _at(10 * i)} for i in range(5)]
    rows.append({"plate": "湘D77777", "camera": cam[9], "seen_at": _at(3)})
    assert _ingest(client, admin, "trip-1", rows).json()["accepted"] == 6
    analyst = login_as(client, "analyst")

    refused = client.post(
        "/api/v1/intel/plate-search", json={"plate": "湘D8B012"}, headers=analyst.headers
    )
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "case_number"
    no_purpose = _search(client, analyst, "湘D8B012", purpose="")
    assert no_purpose.status_code == 422 and no_purpose.json()["error"]["field"] == "purpose"

    resp = _search(client, analyst, "湘D8B012")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert [s["camera"] for s in body["sightings"]] == cam[:5]
    assert [s["grid_code"] for s in body["sightings"]] == [cameras.grid_of[c] for c in cam[:5]]
    assert all(s["grid_name"] and s["camera_name"] for s in body["sightings"])
    line = body["trajectory"]["features"][0]
    assert line["geometry"]["type"] == "LineString" and len(line["geometry"]["coordinates"]) == 5
    assert len(line["properties"]["times"]) == 5
    assert body["plates"] == [{"plate": "湘D8B012", "match": "exact", "sightings": 5}]

    entries = session.scalars(
        select(AuditEntry).where(AuditEntry.resource_type == "intel_sighting")
    ).all()
    assert [(e.resource_id, e.case_number, e.action) for e in entries] == [
        ("湘D8B012", "A4304000000002026110001", "read_personal")
    ]
    # A dispatcher may search; an opinion officer may not.
    assert _search(client, login_as(client, "opinion"), "湘D8B012").status_code == 403


def test_fuzzy_search_uses_the_confusion_table(client, cameras):
    admin = login_as(client, "admin")
    cam = cameras.codes
    rows = [
        {"plate": "湘D8B012", "camera": cam[0], "seen_at": _at(1)},
        {"plate": "湘D88012", "camera": cam[1], "seen_at": _at(2)},
        {"plate": "湘D8B01", "camera": cam[2], "seen_at": _at(3)},
        {"plate": "湘D7B012", "camera": cam[3], "seen_at": _at(4)},  # 7 is not a confusion
    ]
    _ingest(client, admin, "fuzzy-1", rows)
    analyst = login_as(client, "analyst")
    body = _search(client, analyst, "湘D88QI2", fuzzy=True).json()  # B, 0 and 1 misread
    assert {p["plate"]: p["match"] for p in body["plates"]} == {
        "湘D8B012": "confusion",
        "湘D88012": "confusion",
    }
    body = _search(client, analyst, "湘D8BO12", fuzzy=True).json()  # O read for 0
    assert "湘D8B012" in {p["plate"] for p in body["plates"]}
    body = _search(client, analyst, "湘D8B012", fuzzy=True).json()
    assert [(p["plate"], p["match"]) for p in body["plates"]] == [
        ("湘D8B012", "exact"),
        ("湘D88012", "confusion"),
    ]
    for reading in ("湘D8B01", "湘D8B0127"):  # a character missing, a character extra
        body = _search(client, analyst, reading, fuzzy=True).json()
        assert {p["plate"]: p["match"] for p in body["plates"]} == {
            "湘D8B012": "edit",
            "湘D88012": "edit",
        }


def test_area_filter_keeps_sightings_inside_it(client, cameras):
    admin = login_as(client, "admin")
    cam = cameras.codes
    rows = [{"plate": "湘D66666", "camera": cam[i], "seen_at": _at(i)} for i in range(20)]
    _ingest(client, admin, "area-1", rows)
    district = cameras.district_of[cam[0]]
    body = _search(client, login_as(client, "analyst"), "湘D66666", area=district).json()
    inside = [c for c in cam[:20] if cameras.district_of[c] == district]
    assert [s["camera"] for s in body["sightings"]] == inside


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

    csv = f"plate,camera,seen_at\n湘D00003,{cam[3]},{_at(2)}\n湘D00004,NOPE,{_at(2)}\n"
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
    assert _ingest(client, analyst, "nope", [{"plate": "湘D00001"}]).status_code == 403


def test_registration_lookup_is_masked_and_audited(client, cameras, session):
    from yanyun.intel import service

    service.build_registrations(
        session=session,
        clock=session.info["clock"],
        plates=["衡阳000777"],
        kinds=["ebike"],
        seed=1,
    )
    session.commit()
    analyst = login_as(client, "analyst")
    url = "/api/v1/intel/registrations/lookup"
    refused = client.post(url, json={"plate": "衡阳000777"}, headers=analyst.headers)
    assert refused.status_code == 422
    body = client.post(
        url,
        json={"plate": "衡阳000777", "case_number": "A43040001", "purpose": "查找肇事车辆车主"},
        headers=analyst.headers,
    ).json()
    assert body["vehicle_kind"] == "ebike" and "*" in body["owner_id_number"]
    assert "*" in body["owner_phone"]
    audited = session.scalars(
        select(AuditEntry).where(AuditEntry.resource_type == "intel_registration")
    ).all()
    assert [e.case_number for e in audited] == ["A43040001"]


def test_cameras_follow_the_city_and_carry_their_grid(client, cameras):
    login = login_as(client, "opinion")
    page = client.get("/api/v1/intel/cameras?limit=300", headers=login.headers).json()
    assert len(page["items"]) == 300
    assert set(page["counts"]) == {"hd_video", "checkpoint", "ebike"}
    assert all(c["grid_code"] and c["station_code"] for c in page["items"])
