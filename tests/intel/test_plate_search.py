"""Plate search over HTTP: case and purpose required and audited, fuzzy, area."""

from __future__ import annotations

from sqlalchemy import select

from tests.cases.helpers import open_case
from tests.conftest import login_as
from tests.intel.helpers import at, ingest_rows, search
from yanyun.core.audit import AuditEntry


def test_plate_search_needs_case_and_purpose_and_is_audited(client, cameras, session):
    admin = login_as(client, "admin")
    cam = cameras.codes
    rows = [{"plate": "湘D8B012", "camera": cam[i], "seen_at": at(10 * i)} for i in range(5)]
    rows.append({"plate": "湘D77777", "camera": cam[9], "seen_at": at(3)})
    assert ingest_rows(client, admin, "trip-1", rows).json()["accepted"] == 6
    analyst = login_as(client, "analyst")

    refused = client.post(
        "/api/v1/intel/plate-search", json={"plate": "湘D8B012"}, headers=analyst.headers
    )
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "case_number"
    no_purpose = search(client, analyst, "湘D8B012", purpose="")
    assert no_purpose.status_code == 422 and no_purpose.json()["error"]["field"] == "purpose"

    # Free text that looks like a case number is no case: it names no work of the analyst's.
    made_up = search(client, analyst, "湘D8B012", case_number="A4304000000002026110001")
    assert made_up.status_code == 422 and made_up.json()["error"]["field"] == "case_number"
    case = open_case(client, analyst)
    resp = search(client, analyst, "湘D8B012", case_number=case["number"])
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
        ("湘D8B012", case["number"], "read_personal")
    ]
    # A dispatcher may search; an opinion officer may not.
    opinion = login_as(client, "opinion")
    assert search(client, opinion, "湘D8B012", case_number=case["number"]).status_code == 403


def test_fuzzy_search_uses_the_confusion_table(client, cameras):
    admin = login_as(client, "admin")
    cam = cameras.codes
    rows = [
        {"plate": "湘D8B012", "camera": cam[0], "seen_at": at(1)},
        {"plate": "湘D88012", "camera": cam[1], "seen_at": at(2)},
        {"plate": "湘D8B01", "camera": cam[2], "seen_at": at(3)},
        {"plate": "湘D7B012", "camera": cam[3], "seen_at": at(4)},  # 7 is not a confusion
    ]
    ingest_rows(client, admin, "fuzzy-1", rows)
    analyst = login_as(client, "analyst")
    body = search(client, analyst, "湘D88QI2", fuzzy=True).json()  # B, 0 and 1 misread
    assert {p["plate"]: p["match"] for p in body["plates"]} == {
        "湘D8B012": "confusion",
        "湘D88012": "confusion",
    }
    body = search(client, analyst, "湘D8BO12", fuzzy=True).json()  # O read for 0
    assert "湘D8B012" in {p["plate"] for p in body["plates"]}
    body = search(client, analyst, "湘D8B012", fuzzy=True).json()
    assert [(p["plate"], p["match"]) for p in body["plates"]] == [
        ("湘D8B012", "exact"),
        ("湘D88012", "confusion"),
    ]
    for reading in ("湘D8B01", "湘D8B0127"):  # a character missing, a character extra
        body = search(client, analyst, reading, fuzzy=True).json()
        assert {p["plate"]: p["match"] for p in body["plates"]} == {
            "湘D8B012": "edit",
            "湘D88012": "edit",
        }


def test_area_filter_keeps_sightings_inside_it(client, cameras):
    admin = login_as(client, "admin")
    cam = cameras.codes
    rows = [{"plate": "湘D66666", "camera": cam[i], "seen_at": at(i)} for i in range(20)]
    ingest_rows(client, admin, "area-1", rows)
    district = cameras.district_of[cam[0]]
    body = search(client, login_as(client, "analyst"), "湘D66666", area=district).json()
    inside = [c for c in cam[:20] if cameras.district_of[c] == district]
    assert [s["camera"] for s in body["sightings"]] == inside
