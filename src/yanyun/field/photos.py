"""Scene photos from crews' phones: proved to be images, stored by content, shown with care.

A file's name and declared type say nothing: Pillow reads the bytes, and a
file it cannot decode as a JPEG, PNG or WebP photo (an executable renamed
``.png``) is refused, as is one whose header promises more pixels than a
phone takes (a decompression bomb). Photos are stored once per content hash
under the data folder, written to a temporary name, flushed to disk and
renamed, so an acknowledged photo survives a crash. Position metadata is
evidence and kept, or stripped by re-encoding where the bureau decides so.
A photo is seen only by those who see its incident, and every view is on
the audit log with the incident's number as its case.
"""

from __future__ import annotations

import io
import os
import tempfile
import warnings
from hashlib import sha256
from pathlib import Path

from PIL import Image, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.auth.permissions import Perm
from yanyun.auth.scope import visible
from yanyun.auth.service import Actor
from yanyun.command.models import Assignment, Incident
from yanyun.core import audit, once
from yanyun.core.clock import Clock
from yanyun.core.errors import Invalid, NotFound, TooLarge
from yanyun.core.ids import new_id
from yanyun.field.models import ScenePhoto
from yanyun.field.schemas import PhotoRead
from yanyun.field.service import open_shift
from yanyun.field.settings import FieldSettings

#: What a scene photo may be, by what Pillow finds in the bytes.
FORMATS = {"JPEG": ("image/jpeg", ".jpg"), "PNG": ("image/png", ".png"),
           "WEBP": ("image/webp", ".webp")}
VIEW_PURPOSE = "查看警情现场照片 viewing the scene photos of the incident"


def too_large(settings: FieldSettings) -> TooLarge:
    mb = settings.max_photo_bytes / 1_000_000
    return TooLarge("photo", f"照片超过{mb:g}MB上限", f"the photo is over the {mb:g} MB limit")


def _not_an_image() -> Invalid:
    return Invalid("photo", "文件不是可识别的照片（仅支持JPEG、PNG、WebP）",
                   "the file is not a photo (JPEG, PNG or WebP only)")


def inspect(data: bytes, settings: FieldSettings) -> tuple[str, int, int, bytes]:
    """Prove ``data`` is a photo within the limits; return format, size and the bytes to keep."""
    if len(data) > settings.max_photo_bytes:
        raise too_large(settings)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > settings.max_photo_pixels:
                raise Invalid("photo", "照片像素过大", "the photo has too many pixels")
            if image.format not in FORMATS:
                raise _not_an_image()
            image.load()  # a truncated or forged body fails here, not when someone views it
            kind = image.format
            if settings.keep_photo_position:
                return kind, width, height, data
            clean = io.BytesIO()
            image.save(clean, format=kind, **({"quality": 92} if kind == "JPEG" else {}))
            return kind, width, height, clean.getvalue()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _not_an_image() from None


def _path(settings: FieldSettings, digest: str, ext: str) -> Path:
    return settings.photo_path / digest[:2] / f"{digest}{ext}"


def _keep(path: Path, data: bytes) -> None:
    """Write once, durably: a temporary file flushed to disk, then renamed into place."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _may_add(session: Session, actor: Actor, incident: Incident) -> str | None:
    """The unit the photo is taken for; NotFound unless the user may add to this incident."""
    shift = open_shift(session, actor)
    if shift is not None and session.scalar(
        select(Assignment.id).where(Assignment.unit_id == shift.unit_id,
                                    Assignment.incident_id == incident.id)
    ):
        return shift.unit_id
    if actor.can(Perm.incidents_write) and actor.sees(incident.org_path):
        return None
    raise NotFound("incident", incident.id)


def photo_read(photo: ScenePhoto) -> PhotoRead:
    return PhotoRead.model_validate(photo, from_attributes=True)


def _keep_once(
    session: Session, clock: Clock, actor: Actor, settings: FieldSettings, *, key: str,
    data: bytes, incident_id: str | None, org_path: str, unit_id: str | None,
) -> PhotoRead:
    """Prove the bytes a photo, store them by hash and record the photo, once per key."""
    kind, width, height, kept = inspect(data, settings)
    digest = sha256(kept).hexdigest()

    def act() -> dict:
        content_type, ext = FORMATS[kind]
        _keep(_path(settings, digest, ext), kept)
        photo = ScenePhoto(
            id=new_id(clock), digest=digest, content_type=content_type, size=len(kept),
            width=width, height=height, incident_id=incident_id, org_path=org_path,
            unit_id=unit_id, taken_by=actor.username, uploaded_at=clock.now(),
        )
        session.add(photo)
        session.flush()
        return {"photo_id": photo.id}

    request = {"incident_id": incident_id, "digest": digest} if incident_id else {
        "report_photo": digest}
    delivery = once.apply_once(session, clock=clock, key=key, actor_id=actor.user_id,
                               request=request, act=act)
    return photo_read(session.get(ScenePhoto, delivery.answer["photo_id"]))


def add_photo(
    *, session: Session, clock: Clock, actor: Actor, settings: FieldSettings, incident_id: str,
    key: str, data: bytes,
) -> PhotoRead:
    """Keep a scene photo of an incident, once per key (the phone resends after a drop)."""
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound("incident", incident_id)
    unit_id = _may_add(session, actor, incident)
    return _keep_once(session, clock, actor, settings, key=key, data=data,
                      incident_id=incident.id, org_path=incident.org_path, unit_id=unit_id)


def add_report_photo(
    *, session: Session, clock: Clock, actor: Actor, settings: FieldSettings, key: str,
    data: bytes,
) -> PhotoRead:
    """Keep a photo grid staff took for a report (a hazard, a visit), once per key; it is
    seen by those who see the uploader's area, and named in the report as ``photo:<id>``."""
    return _keep_once(session, clock, actor, settings, key=key, data=data,
                      incident_id=None, org_path=actor.org_path, unit_id=None)


def photos_of(*, session: Session, actor: Actor, incident_id: str) -> list[PhotoRead]:
    incident = visible(session, Incident, incident_id, actor, what="incident")
    rows = session.scalars(
        select(ScenePhoto).where(ScenePhoto.incident_id == incident.id)
        .order_by(ScenePhoto.uploaded_at)
    )
    return [photo_read(p) for p in rows]


def open_photo(
    *, session: Session, clock: Clock, actor: Actor, settings: FieldSettings, photo_id: str
) -> tuple[bytes, str]:
    """A photo's bytes for someone who sees its incident; the view goes on the audit log."""
    photo = visible(session, ScenePhoto, photo_id, actor, what="photo")
    if photo.incident_id is None:
        # A grid report's photo (a corridor, a shop front): its view is logged too.
        audit.record(session, clock=clock, action="read", resource_type="field_photo",
                     resource_id=photo.id, detail={"grid_report_photo": True})
    else:
        incident = session.get(Incident, photo.incident_id)
        audit.record_personal_read(
            session, clock=clock, resource_type="field_photo", resource_id=photo.id,
            purpose=VIEW_PURPOSE, case_number=incident.number if incident else photo.incident_id,
            detail={"incident_id": photo.incident_id},
        )
    ext = next(e for t, e in FORMATS.values() if t == photo.content_type)
    return _path(settings, photo.digest, ext).read_bytes(), photo.content_type
