"""Tables of the duty context: officers, leave, shifts and rosters, levels, posts, clock-ins."""

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
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from yanyun.core.tables import Base


class Officer(Base):
    """A 民警 (kind "police") or 辅警 (kind "auxiliary") serving at one station."""

    __tablename__ = "duty_officer"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    badge_no: Mapped[str] = mapped_column(String(16), unique=True)
    name_zh: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(12), index=True)
    station_code: Mapped[str] = mapped_column(String(24), index=True)
    org_path: Mapped[str] = mapped_column(String(255), index=True)
    rank: Mapped[str] = mapped_column(String(32))
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    certifications: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Personal data: masked in every listing, read in full only with a purpose.
    phone: Mapped[str | None] = mapped_column(String(32))
    team: Mapped[str] = mapped_column(String(4))
    # The unit this officer normally crews; rosters planned ahead start from it.
    default_unit_id: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The officer's own account, so a phone clocks in as the officer who holds it.
    user_id: Mapped[str | None] = mapped_column(ForeignKey("app_user.id"), unique=True)


class Leave(Base):
    """Approved time off; from level-2 duty up, leave in the window is to be cancelled."""

    __tablename__ = "duty_leave"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    officer_id: Mapped[str] = mapped_column(ForeignKey("duty_officer.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(16), default="approved")
    cancelled_reason: Mapped[str | None] = mapped_column(String(200))


class Shift(Base):
    """A station's duty window (day 08-20, night 20-08) worked by one team."""

    __tablename__ = "duty_shift"
    __table_args__ = (UniqueConstraint("station_code", "starts_at"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    station_code: Mapped[str] = mapped_column(String(24), index=True)
    org_path: Mapped[str] = mapped_column(String(255), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    name: Mapped[str] = mapped_column(String(8))
    team: Mapped[str] = mapped_column(String(4))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime] = mapped_column(index=True)


class RosterEntry(Base):
    """One officer on one shift, crewing a unit or not, with attendance."""

    __tablename__ = "duty_roster_entry"
    __table_args__ = (UniqueConstraint("shift_id", "officer_id"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    shift_id: Mapped[str] = mapped_column(ForeignKey("duty_shift.id"), index=True)
    officer_id: Mapped[str] = mapped_column(ForeignKey("duty_officer.id"), index=True)
    unit_id: Mapped[str | None] = mapped_column(String(32), index=True)
    attendance: Mapped[str] = mapped_column(String(12), default="scheduled")
    attendance_at: Mapped[datetime | None]


class Swap(Base):
    """A request to hand a roster entry to another officer; takes effect once approved."""

    __tablename__ = "duty_swap"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    entry_id: Mapped[str] = mapped_column(ForeignKey("duty_roster_entry.id"), index=True)
    from_officer_id: Mapped[str] = mapped_column(String(26))
    to_officer_id: Mapped[str] = mapped_column(ForeignKey("duty_officer.id"))
    reason: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12), default="pending")
    requested_at: Mapped[datetime]
    requested_by: Mapped[str | None] = mapped_column(String(26))
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(26))


class UnitCrew(Base):
    """The crew last announced for a unit: what command was told, to announce only changes."""

    __tablename__ = "duty_unit_crew"
    # Derived from rosters and rewritten at every shift change; the roster
    # edits behind it are audited themselves.
    __audited__ = False

    unit_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    station_code: Mapped[str] = mapped_column(String(24), index=True)
    org_path: Mapped[str] = mapped_column(String(255), index=True)
    crew: Mapped[list[str]] = mapped_column(JSON, default=list)
    shift_id: Mapped[str | None] = mapped_column(String(26))
    changed_at: Mapped[datetime]
    # False for a unit duty knows of but has not yet told command about.
    announced: Mapped[bool] = mapped_column(Boolean, default=True)


class DutyLevel(Base):
    """A 勤务等级 raised over a district or station for a time window."""

    __tablename__ = "duty_level"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    area_kind: Mapped[str] = mapped_column(String(12))
    area_code: Mapped[str] = mapped_column(String(24), index=True)
    org_path: Mapped[str] = mapped_column(String(255), index=True)
    level: Mapped[str] = mapped_column(String(12))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime] = mapped_column(index=True)
    reason: Mapped[str] = mapped_column(String(200))
    raised_by: Mapped[str | None] = mapped_column(String(26))
    raised_at: Mapped[datetime]
    # Officers needed on duty in every shift of the window over the whole area,
    # by skill, certification or post: [{"kind": "skill", "code": "firearms",
    # "count": 4}, ...]; beside the head count the level's share sets.
    requirements: Mapped[list[dict]] = mapped_column(
        JSON, default=list, server_default="[]"
    )


class Post(Base):
    """A place officers stand: fixed post, quick-response platform or school gate (护学岗)."""

    __tablename__ = "duty_post"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    name_zh: Mapped[str] = mapped_column(String(96))
    name_en: Mapped[str] = mapped_column(String(128))
    station_code: Mapped[str] = mapped_column(String(24), index=True)
    org_path: Mapped[str] = mapped_column(String(255), index=True)
    unit_id: Mapped[str | None] = mapped_column(String(32))
    lng: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    radius_m: Mapped[float] = mapped_column(Float)
    # Local (Asia/Shanghai) windows [["07:10", "08:00"], ...] and ISO weekdays
    # (1 = Monday) on which they apply: a school's own settings.
    windows: Mapped[list[list[str]]] = mapped_column(JSON)
    weekdays: Mapped[list[int]] = mapped_column(JSON)
    required_officers: Mapped[int] = mapped_column(Integer, default=1)


class ClockIn(Base):
    """A proof of presence sent from a device, kept whether it counted or not."""

    __tablename__ = "duty_clock_in"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    post_id: Mapped[str] = mapped_column(ForeignKey("duty_post.id"), index=True)
    officer_id: Mapped[str] = mapped_column(ForeignKey("duty_officer.id"), index=True)
    device_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    lng: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    accuracy_m: Mapped[float] = mapped_column(Float)
    distance_m: Mapped[float] = mapped_column(Float)
    accepted: Mapped[bool] = mapped_column(Boolean)
    window: Mapped[str | None] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(32))
