"""The field's one table: who is signed on to which unit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from yanyun.core.tables import Base


class FieldShift(Base):
    """A crew member signed on to a unit (上岗) from their phone, until they sign off.

    The phone acts for this unit: its positions move the unit, its 签收, 到场
    and 处置完毕 are the unit's. Crews change at every shift, so the binding is
    made by the officer at the car, not planned from the roster.
    """

    __tablename__ = "field_shift"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("app_user.id"), index=True)
    unit_id: Mapped[str] = mapped_column(ForeignKey("unit.id"), index=True)
    org_path: Mapped[str] = mapped_column(String(255), index=True)
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None] = mapped_column(index=True)
    # The PIN that cancels a 一键求助 (argon2): whoever grabs the phone cannot call help off.
    pin_hash: Mapped[str | None] = mapped_column(String(255))
    pin_failures: Mapped[int] = mapped_column(Integer, default=0)
    # When the app last sent its heartbeat or an action: a phone quiet for long has its app closed,
    # and a dispatch it does not acknowledge is sent again as a text message.
    last_seen_at: Mapped[datetime | None]


class DispatchText(Base):
    """A text message (SMS link) sent for one dispatch to one crew's phone: never twice."""

    __tablename__ = "field_dispatch_text"
    __audited__ = False

    assignment_id: Mapped[str] = mapped_column(ForeignKey("assignment.id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(index=True)
    notification_id: Mapped[str | None] = mapped_column(String(26))


class Tip(Base):
    """A tip from the public (线索举报): what they saw, where, and how it was handled.

    The tipster gets a number and a receipt code to follow it; only the
    code's digest is kept. A contact phone is optional and personal data.
    """

    __tablename__ = "field_tip"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    receipt_digest: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(index=True)
    text: Mapped[str] = mapped_column(Text)
    place_text: Mapped[str | None] = mapped_column(String(200))
    lng: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    # Where it lies (the city, when it was not placed): who sees it in their queue.
    org_path: Mapped[str] = mapped_column(String(255), index=True)
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    client: Mapped[str | None] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    outcome: Mapped[str | None] = mapped_column(String(16))
    public_reply: Mapped[str | None] = mapped_column(String(500))
    # The officer's own note (an intelligence note lives here): never shown to the tipster.
    note: Mapped[str | None] = mapped_column(String(500))
    handled_by: Mapped[str | None] = mapped_column(String(64))
    handled_at: Mapped[datetime | None]
    incident_id: Mapped[str | None] = mapped_column(String(26))
    report_id: Mapped[str | None] = mapped_column(String(26))


class SpentChallenge(Base):
    """A proof-of-work challenge already used for a tip: one tip per challenge."""

    __tablename__ = "field_spent_challenge"
    __audited__ = False

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    spent_at: Mapped[datetime] = mapped_column(index=True)


class ScenePhoto(Base):
    """A photo a crew took at an incident, stored once by its content's SHA-256."""

    __tablename__ = "field_photo"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), index=True)
    content_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    # None for a photo of a grid report (a hazard, a visit): it is then the uploader's area's.
    incident_id: Mapped[str | None] = mapped_column(ForeignKey("incident.id"), index=True)
    # The incident's area (or the grid staff's): who may see the photo.
    org_path: Mapped[str] = mapped_column(String(255), index=True)
    unit_id: Mapped[str | None] = mapped_column(String(32))
    taken_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime]
