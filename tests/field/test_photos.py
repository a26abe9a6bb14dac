"""Scene photos: bytes decide what a file is; views are scoped and audited."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from tests.conftest import login_as
from tests.field.test_actions import _crew, _dispatched
from yanyun.command.models import Unit
from yanyun.core.audit import AuditEntry
from yanyun.core.ids import new_id
from yanyun.field.models import ScenePhoto

GPS_IFD = 0x8825


def jpeg_with_position(lng: float = 112.57, lat: float = 26.89) -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "yanyun-test-phone"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (26.0, 53.0, 24.0), 3: "E", 4: (112.0, 34.0, 12.0)})
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


@pytest.fixture
def photo_dir(settings, tmp_path, monkeypatch):
    monkeypatch.setattr(settings.field, "photo_path", tmp_path / "photos")
    return tmp_path / "photos"


def _upload(client, login, incident_id: str, data: bytes, key: str | None = None, **headers):
    return client.post(
        f"/api/v1/field/incidents/{incident_id}/photos", content=data,
        headers={**login.headers, "X-Yanyun-Key": key or new_id_text(), **headers},
    )


_counter = iter(range(10**9))


def new_id_text() -> str:
    return f"photo-key-{next(_counter):08d}"


def test_a_crew_photo_is_kept_once_and_shown_only_within_the_incidents_area(
    client, session, clock, photo_dir
):
    officer, unit = _crew(client, session)
    incident = _dispatched(client, session, unit)
    data = jpeg_with_position()
    key = new_id(clock)
    first = _upload(client, officer, incident["id"], data, key=key,
                    **{"Content-Type": "application/octet-stream"})
    assert first.status_code == 201, first.text
    again = _upload(client, officer, incident["id"], data, key=key)
    assert again.json()["id"] == first.json()["id"]
    assert session.scalar(select(func.count()).select_from(ScenePhoto).where(
        ScenePhoto.incident_id == incident["id"])) == 1
    photo = first.json()
    assert photo["content_type"] == "image/jpeg" and (photo["width"], photo["height"]) == (64, 48)
    assert (photo_dir / photo["digest"][:2] / f"{photo['digest']}.jpg").read_bytes() == data

    dispatcher = login_as(client, "dispatcher")
    listed = client.get(f"/api/v1/field/incidents/{incident['id']}/photos",
                        headers=dispatcher.headers).json()
    assert [p["id"] for p in listed] == [photo["id"]]
    shown = client.get(f"/api/v1/field/photos/{photo['id']}", headers=dispatcher.headers)
    assert shown.status_code == 200 and shown.content == data
    assert shown.headers["content-type"] == "image/jpeg"
    entry = session.scalars(select(AuditEntry).where(
        AuditEntry.action == "read_personal", AuditEntry.resource_id == photo["id"])).one()
    assert entry.case_number == incident["number"] and entry.username == "dispatcher"
    # Kept as evidence by default: the phone's position is still in the file.
    assert Image.open(io.BytesIO(shown.content)).getexif().get_ifd(GPS_IFD)


def test_another_station_neither_sees_nor_adds_photos(client, session, clock, photo_dir):
    officer, unit = _crew(client, session)
    foreign_unit = session.scalars(
        select(Unit).where(Unit.station_code != unit.station_code, Unit.status == "available")
        .order_by(Unit.id)
    ).first()
    foreign_incident = _dispatched(client, session, foreign_unit)
    # Not sent there: the officer cannot add to it, nor learn it exists.
    assert _upload(client, officer, foreign_incident["id"], jpeg_with_position()).status_code \
        == 404
    # The city-wide admin crews the foreign unit and adds a photo there.
    admin = login_as(client, "admin")
    assert client.post("/api/v1/field/shift", headers=admin.headers,
                       json={"unit_id": foreign_unit.id}).status_code == 201
    photo = _upload(client, admin, foreign_incident["id"], jpeg_with_position()).json()
    assert client.get(f"/api/v1/field/photos/{photo['id']}",
                      headers=officer.headers).status_code == 404
    assert client.get(f"/api/v1/field/incidents/{foreign_incident['id']}/photos",
                      headers=officer.headers).status_code == 404
    assert client.get(f"/api/v1/field/photos/{photo['id']}",
                      headers=admin.headers).status_code == 200


def test_what_is_not_a_photo_or_is_too_big_is_refused_with_the_reason(
    client, session, settings, photo_dir
):
    officer, unit = _crew(client, session)
    incident = _dispatched(client, session, unit)
    fake_png = b"\x7fELF\x02\x01\x01" + b"\x00" * 4000
    refused = _upload(client, officer, incident["id"], fake_png,
                      **{"Content-Type": "image/png"})
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "photo"
    assert "JPEG" in refused.json()["error"]["message"]["en"]
    huge = b"\xff\xd8\xff" + b"\x00" * (settings.field.max_photo_bytes + 1)
    big = _upload(client, officer, incident["id"], huge)
    assert big.status_code == 413 and "MB" in big.json()["error"]["message"]["zh-CN"]
    # A tiny PNG whose header claims 30,000 x 30,000 pixels: a decompression bomb.
    bomb = io.BytesIO()
    Image.new("1", (30_000, 30_000)).save(bomb, format="PNG")
    assert len(bomb.getvalue()) < settings.field.max_photo_bytes
    assert _upload(client, officer, incident["id"], bomb.getvalue()).status_code == 422
    truncated = jpeg_with_position()[:200]
    assert _upload(client, officer, incident["id"], truncated).status_code == 422
    assert not any(photo_dir.rglob("*.*"))


def test_the_bureau_may_strip_position_from_photos(client, session, settings, photo_dir,
                                                   monkeypatch):
    monkeypatch.setattr(settings.field, "keep_photo_position", False)
    officer, unit = _crew(client, session)
    incident = _dispatched(client, session, unit)
    photo = _upload(client, officer, incident["id"], jpeg_with_position()).json()
    stored = photo_dir / photo["digest"][:2] / f"{photo['digest']}.jpg"
    kept = Image.open(stored)
    assert kept.size == (64, 48)
    assert not kept.getexif().get_ifd(GPS_IFD)


def test_a_grid_report_photo_is_kept_once_and_seen_within_the_area(
    client, session, clock, photo_dir
):
    officer = login_as(client, "officer")
    data = jpeg_with_position()

    def post(body: bytes, key: str):
        return client.post("/api/v1/field/photos", content=body,
                           headers={**officer.headers, "X-Yanyun-Key": key})

    first = post(data, "grid-photo-0001")
    again = post(data, "grid-photo-0001")
    assert first.status_code == again.status_code == 201, first.text
    assert first.json()["id"] == again.json()["id"] and first.json()["incident_id"] is None
    assert session.scalar(select(func.count()).select_from(ScenePhoto)
                          .where(ScenePhoto.incident_id.is_(None))) == 1
    # An executable called a photo is refused with the reason.
    fake = post(b"MZ\x90\x00" + b"\x00" * 200, "grid-photo-0002")
    assert fake.status_code == 422 and fake.json()["error"]["field"] == "photo"
    photo_id = first.json()["id"]
    shown = client.get(f"/api/v1/field/photos/{photo_id}", headers=officer.headers)
    assert shown.status_code == 200 and shown.content[:2] == b"\xff\xd8"
    logged = session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.resource_type == "field_photo", AuditEntry.resource_id == photo_id,
        AuditEntry.action == "read"))
    assert logged == 1
    # The dispatcher sees the whole city, so the photo too.
    assert client.get(f"/api/v1/field/photos/{photo_id}",
                      headers=login_as(client, "dispatcher").headers).status_code == 200
    # A volunteer's account may not upload at all.
    volunteer = login_as(client, "volunteer")
    assert client.post("/api/v1/field/photos", content=data, headers={
        **volunteer.headers, "X-Yanyun-Key": "grid-photo-0003"}).status_code == 403
