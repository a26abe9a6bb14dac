"""Who passed the scene: plates near a place within minutes of a time, ranked, bound to a case."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.cases.helpers import open_case
from tests.conftest import login_as
from tests.intel.helpers import T0, at, ingest_rows
from yanyun.core.audit import AuditEntry
from yanyun.geo.coords import distance_m
from yanyun.intel.models import Camera


def _scene_and_far_camera(session) -> tuple[Camera, Camera]:
    cams = session.scalars(select(Camera).order_by(Camera.code)).all()
    scene = cams[0]
    far = next(
        c for c in cams if 2_000 < distance_m((scene.lng, scene.lat), (c.lng, c.lat)) < 8_000
    )
    return scene, far


def _around(client, login, scene: Camera, **fields):
    body = {"lng": scene.lng, "lat": scene.lat, "at": at(0), "radius_m": 300, "minutes": 20,
            "purpose": "肇事逃逸现场过车研判", **fields}
    return client.post("/api/v1/intel/around", json=body, headers=login.headers)


def test_plates_at_the_scene_are_ranked_and_the_one_that_fled_shows_it(
    client, cameras, session
):
    scene, far = _scene_and_far_camera(session)
    rows = [
        {"plate": "湘D1A001", "camera": scene.code, "seen_at": at(1)},   # at the scene, then away
        {"plate": "湘D1A001", "camera": far.code, "seen_at": at(8)},
        {"plate": "湘D2B002", "camera": scene.code, "seen_at": at(14)},  # later, lingers
        {"plate": "湘D3C003", "camera": far.code, "seen_at": at(0)},     # elsewhere
        {"plate": "湘D4D004", "camera": scene.code, "seen_at": at(45)},  # outside the window
    ]
    admin = login_as(client, "admin")
    assert ingest_rows(client, admin, "scene-1", rows).json()["accepted"] == 5
    analyst = login_as(client, "analyst")
    case = open_case(client, analyst)
    resp = _around(client, analyst, scene, case_number=case["number"])
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert [c["plate"] for c in body["candidates"]] == ["湘D1A001", "湘D2B002"]
    fled, lingered = body["candidates"]
    assert fled["closest_camera"] == scene.code and fled["closest_gap_s"] == 60.0
    assert [s["camera"] for s in fled["sightings"]] == [scene.code, far.code]
    assert fled["away_m_per_min"] > 250 and lingered["away_m_per_min"] == 0.0
    assert fled["score"] < lingered["score"]
    entry = session.scalars(select(AuditEntry).where(
        AuditEntry.resource_type == "intel_around")).one()
    assert entry.case_number == case["number"]
    assert entry.detail["plates"] == ["湘D1A001", "湘D2B002"]
    timeline = client.get(f"/api/v1/cases/{case['id']}", headers=analyst.headers).json()
    assert any(e["kind"] == "search" and "intel_around" in e["text"]
               for e in timeline["timeline"])


def test_a_sweep_of_the_city_or_a_day_is_refused_and_so_is_no_case(client, cameras, session):
    scene, _ = _scene_and_far_camera(session)
    analyst = login_as(client, "analyst")
    case = open_case(client, analyst)["number"]
    wide = _around(client, analyst, scene, case_number=case, radius_m=15_000)
    assert wide.status_code == 422 and wide.json()["error"]["field"] == "radius_m"
    long = _around(client, analyst, scene, case_number=case, minutes=600)
    assert long.status_code == 422 and long.json()["error"]["field"] == "minutes"
    future = _around(client, analyst, scene, case_number=case,
                     at=(T0 + timedelta(days=30)).isoformat())
    assert future.status_code == 422 and future.json()["error"]["field"] == "at"
    made_up = _around(client, analyst, scene, case_number="A4304-2026-0001")
    assert made_up.status_code == 422 and made_up.json()["error"]["field"] == "case_number"
    assert _around(client, login_as(client, "opinion"), scene,
                   case_number=case).status_code == 403
