"""A case, its members, the incidents it grew from, and its timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yanyun.core.tables import Base


class Case(Base):
    """案件/专案: one piece of work, whose number every personal-data search must name."""

    __tablename__ = "case_file"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), index=True)
    owner_id: Mapped[str] = mapped_column(ForeignKey("app_user.id"), index=True)
    # The owner's unit: supervisors of that area see the case.
    org_path: Mapped[str] = mapped_column(String(255), index=True)
    opened_at: Mapped[datetime] = mapped_column(index=True)
    closed_at: Mapped[datetime | None]
    occurred_at: Mapped[datetime | None]
    lng: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    # What the yardstick counts (破案数, 刑拘数, 追赃挽损).
    solved_at: Mapped[datetime | None]
    suspects_detained: Mapped[int] = mapped_column(Integer, default=0)
    amount_recovered_yuan: Mapped[float] = mapped_column(Float, default=0.0)
    # What another context asked this case for (e.g. ``antifraud:FZ...``): one case per ask.
    origin_ref: Mapped[str | None] = mapped_column(String(48), unique=True, index=True)


class CaseMember(Base):
    """A user working on a case, from any unit; removal keeps the row (who was on it, when)."""

    __tablename__ = "case_member"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("case_file.id"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("app_user.id"), index=True)
    role: Mapped[str] = mapped_column(String(12))
    added_by: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[datetime]
    removed_at: Mapped[datetime | None] = mapped_column(index=True)


class CaseIncident(Base):
    """An incident a case grew from or took in."""

    __tablename__ = "case_incident"
    __table_args__ = (UniqueConstraint("case_id", "incident_id"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("case_file.id"), index=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incident.id"), index=True)
    linked_at: Mapped[datetime]
    linked_by: Mapped[str] = mapped_column(String(64))


class CaseEntry(Base):
    """One thing done on a case (opened, member added, linked, note, status), in order."""

    __tablename__ = "case_entry"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("case_file.id"), index=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(24))
    text: Mapped[str] = mapped_column(String(1000), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class CaseParty(Base):
    """涉案人员/车辆: a plate, an e-bike, a phone or a named person on a case, with a role.

    The personal fields are kept whole (the case needs them) and shown masked;
    a full read names the case and is audited. Removal keeps the row (who was
    on the case, when, and why they were taken off).
    """

    __tablename__ = "case_party"
    __personal__ = True

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("case_file.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    role: Mapped[str] = mapped_column(String(12))
    plate: Mapped[str | None] = mapped_column(String(16), index=True)
    phone: Mapped[str | None] = mapped_column(String(16))
    name: Mapped[str | None] = mapped_column(String(64))
    id_number: Mapped[str | None] = mapped_column(String(18))
    note: Mapped[str] = mapped_column(String(500), default="")
    added_by: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[datetime]
    removed_at: Mapped[datetime | None]
    removed_by: Mapped[str | None] = mapped_column(String(64))
    removed_reason: Mapped[str | None] = mapped_column(String(200))


class CaseEvidence(Base):
    """证据: a reference to something kept elsewhere (a photo by its hash, a camera's clip,
    a document's number); the case holds the pointer, not the bytes."""

    __tablename__ = "case_evidence"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("case_file.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    title: Mapped[str] = mapped_column(String(200))
    photo_digest: Mapped[str | None] = mapped_column(String(64))
    camera_code: Mapped[str | None] = mapped_column(String(16))
    clip_start: Mapped[datetime | None]
    clip_end: Mapped[datetime | None]
    document_number: Mapped[str | None] = mapped_column(String(64))
    added_by: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[datetime]
