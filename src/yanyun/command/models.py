"""Tables of the command context: incidents, their calls and timeline, units, circles."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from yanyun.core.tables import Base


class Incident(Base):
    """A 警情: one event in the world, however many calls reported it."""

    __tablename__ = "incident"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    received_at: Mapped[datetime] = mapped_column(index=True)
    occurred_at: Mapped[datetime | None]
    source: Mapped[str] = mapped_column(String(24))
    # Personal data: masked everywhere but the incident detail, and audited there.
    caller_phone: Mapped[str | None] = mapped_column(String(32))
    narrative: Mapped[str] = mapped_column(Text)
    address_text: Mapped[str | None] = mapped_column(String(200))
    lng: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    district_code: Mapped[str] = mapped_column(String(12), index=True)
    station_code: Mapped[str] = mapped_column(String(24), index=True)
    grid_code: Mapped[str] = mapped_column(String(32), index=True)
    org_path: Mapped[str] = mapped_column(String(255), index=True)
    category_code: Mapped[str] = mapped_column(String(8), index=True)
    sub_code: Mapped[str | None] = mapped_column(String(8))
    priority: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), index=True)
    circle_id: Mapped[str | None] = mapped_column(String(32))
    dispatch_target_s: Mapped[int] = mapped_column(Integer)
    arrival_target_s: Mapped[int] = mapped_column(Integer)
    dispatched_at: Mapped[datetime | None]
    arrived_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    dispatch_breached: Mapped[bool] = mapped_column(Boolean, default=False)
    arrival_breached: Mapped[bool] = mapped_column(Boolean, default=False)
    merged_into_id: Mapped[str | None] = mapped_column(ForeignKey("incident.id"))
    # 处置结果 when resolved (a code of command.schemas.OUTCOMES).
    outcome: Mapped[str | None] = mapped_column(String(16))
    created_by: Mapped[str | None] = mapped_column(String(26))


class IncidentCall(Base):
    """One call about an incident; merging duplicates keeps every caller."""

    __tablename__ = "incident_call"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incident.id"), index=True)
    received_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(24))
    caller_phone: Mapped[str | None] = mapped_column(String(32))
    narrative: Mapped[str] = mapped_column(Text)


class IncidentTransition(Base):
    """A step of an incident's life: the timeline is the list of these."""

    __tablename__ = "incident_transition"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incident.id"), index=True)
    at: Mapped[datetime]
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[str | None] = mapped_column(String(26))
    actor_name: Mapped[str | None] = mapped_column(String(64))
    unit_id: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(String(500))


class DailySequence(Base):
    """The last incident number handed out on a bureau day (Asia/Shanghai)."""

    __tablename__ = "incident_daily_sequence"
    __audited__ = False

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class Unit(Base):
    """A unit that can be sent: patrol car, quick-response platform, motorcycle, post."""

    __tablename__ = "unit"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    call_sign: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16), index=True)
    station_code: Mapped[str] = mapped_column(String(24), index=True)
    org_path: Mapped[str] = mapped_column(String(255), index=True)
    capabilities: Mapped[list[str]] = mapped_column(JSON)
    crew: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), index=True)
    lng: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    position_at: Mapped[datetime | None]
    home_lng: Mapped[float] = mapped_column(Float)
    home_lat: Mapped[float] = mapped_column(Float)
    current_incident_id: Mapped[str | None] = mapped_column(String(26))


class Assignment(Base):
    """A unit sent to an incident, with the moments it acknowledged, arrived and cleared."""

    __tablename__ = "assignment"
    __table_args__ = (UniqueConstraint("incident_id", "unit_id", "assigned_at"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incident.id"), index=True)
    unit_id: Mapped[str] = mapped_column(ForeignKey("unit.id"), index=True)
    assigned_at: Mapped[datetime]
    assigned_by: Mapped[str | None] = mapped_column(String(26))
    eta_s: Mapped[float | None] = mapped_column(Float)
    acknowledged_at: Mapped[datetime | None]
    arrived_at: Mapped[datetime | None]
    cleared_at: Mapped[datetime | None]


class ResponseCircle(Base):
    """A 1-3-5 quick-response circle: inside it, units must arrive within target_min."""

    __tablename__ = "response_circle"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(96))
    name_en: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))
    lng: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    radius_m: Mapped[float] = mapped_column(Float)
    target_min: Mapped[int] = mapped_column(Integer)
    station_code: Mapped[str | None] = mapped_column(String(24))
