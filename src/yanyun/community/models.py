"""Tables of community policing: grids 1+1+N, volunteers and their calls, disputes,
villages, project officers and enterprises.

Places are referenced by their codes (grid, station) and an org path, never by
foreign keys into geo's tables: the community context reads the city, it does
not own it.
"""

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


class VolunteerUnit(Base):
    """A level of 衡阳义警: 总队 (city), 支队 (county), 大队 (township) or a squad (中队)."""

    __tablename__ = "volunteer_unit"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    level: Mapped[str] = mapped_column(String(12), index=True)
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("volunteer_unit.id"), index=True)
    name_zh: Mapped[str] = mapped_column(String(96))
    name_en: Mapped[str] = mapped_column(String(128))
    district_code: Mapped[str | None] = mapped_column(String(12))
    station_code: Mapped[str | None] = mapped_column(String(24), index=True)
    org_path: Mapped[str] = mapped_column(String(255), index=True)


class RallyPoint(Base):
    """A 集结点 where a squad gathers before it goes out."""

    __tablename__ = "volunteer_rally_point"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    unit_id: Mapped[str] = mapped_column(ForeignKey("volunteer_unit.id"), index=True)
    name_zh: Mapped[str] = mapped_column(String(96))
    grid_code: Mapped[str] = mapped_column(String(32))
    org_path: Mapped[str] = mapped_column(String(255), index=True)
    lng: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)


class Volunteer(Base):
    """A registered volunteer (义警): skills as a bit mask, where they live, if they can go."""

    __tablename__ = "volunteer"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    # A display name only; volunteers' phone numbers stay in the volunteer app.
    name_zh: Mapped[str] = mapped_column(String(32))
    squad_id: Mapped[str | None] = mapped_column(ForeignKey("volunteer_unit.id"), index=True)
    home_grid_code: Mapped[str] = mapped_column(String(32), index=True)
    station_code: Mapped[str] = mapped_column(String(24))
    org_path: Mapped[str] = mapped_column(String(255), index=True)
    skills_mask: Mapped[int] = mapped_column(Integer, default=0)
    available: Mapped[bool] = mapped_column(Boolean, default=True)
    grid_patroller: Mapped[bool] = mapped_column(Boolean, default=False)
    lng: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    hours_total: Mapped[float] = mapped_column(Float, default=0.0)
    registered_at: Mapped[datetime]
    # The volunteer's own account for the phone app, when they have one.
    user_id: Mapped[str | None] = mapped_column(ForeignKey("app_user.id"), unique=True)


class VolunteerActivity(Base):
    """Hours a volunteer gave: patrol, mediation, civility guidance, school gate, publicity."""

    __tablename__ = "volunteer_activity"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    volunteer_id: Mapped[str] = mapped_column(ForeignKey("volunteer.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime]
    hours: Mapped[float] = mapped_column(Float)
    grid_code: Mapped[str] = mapped_column(String(32))
    org_path: Mapped[str] = mapped_column(String(255), index=True)


class Mobilisation(Base):
    """A 一呼百应 call: where, for what, how many, and whether it has been stood down."""

    __tablename__ = "mobilisation"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    source_type: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[str | None] = mapped_column(String(26), index=True)
    title: Mapped[str] = mapped_column(String(200))
    category_code: Mapped[str | None] = mapped_column(String(8))
    sub_code: Mapped[str | None] = mapped_column(String(8))
    lng: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    grid_code: Mapped[str] = mapped_column(String(32))
    station_code: Mapped[str] = mapped_column(String(24), index=True)
    org_path: Mapped[str] = mapped_column(String(255), index=True)
    skills_mask: Mapped[int] = mapped_column(Integer, default=0)
    headcount: Mapped[int] = mapped_column(Integer)
    radius_m: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime]
    created_by: Mapped[str | None] = mapped_column(String(26))
    stood_down_at: Mapped[datetime | None]
    stand_down_reason: Mapped[str | None] = mapped_column(String(200))


class MobilisationResponse(Base):
    """One volunteer called: their estimated arrival and what they did."""

    __tablename__ = "mobilisation_response"
    __table_args__ = (UniqueConstraint("mobilisation_id", "volunteer_id"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    mobilisation_id: Mapped[str] = mapped_column(ForeignKey("mobilisation.id"), index=True)
    volunteer_id: Mapped[str] = mapped_column(ForeignKey("volunteer.id"), index=True)
    distance_m: Mapped[float] = mapped_column(Float)
    eta_s: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16), index=True)
    called_at: Mapped[datetime]
    responded_at: Mapped[datetime | None]
    arrived_at: Mapped[datetime | None]
    stood_down_at: Mapped[datetime | None]


class IncidentRef(Base):
    """What community knows of an incident, read from command's events."""

    __tablename__ = "community_incident_ref"
    __audited__ = False

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    number: Mapped[str] = mapped_column(String(20))
    category_code: Mapped[str] = mapped_column(String(8))
    sub_code: Mapped[str | None] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), index=True)
    lng: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    station_code: Mapped[str] = mapped_column(String(24))
    org_path: Mapped[str] = mapped_column(String(255), index=True)
    received_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class GridTeam(Base):
    """A grid's 1 + 1 + N: its officer and auxiliary officer (patrollers are volunteers)."""

    __tablename__ = "grid_team"

    grid_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    station_code: Mapped[str] = mapped_column(String(24), index=True)
    org_path: Mapped[str] = mapped_column(String(255), index=True)
    officer_name: Mapped[str] = mapped_column(String(32))
    auxiliary_name: Mapped[str] = mapped_column(String(32))


class GridReport(Base):
    """A grid report: social dynamics or a visit (recorded), or a hazard (found -> ... ->
    verified)."""

    __tablename__ = "grid_report"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    kind: Mapped[str] = mapped_column(String(12), index=True)
    hazard_type: Mapped[str | None] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str | None] = mapped_column(Text)
    grid_code: Mapped[str] = mapped_column(String(32), index=True)
    station_code: Mapped[str] = mapped_column(String(24), index=True)
    org_path: Mapped[str] = mapped_column(String(255), index=True)
    lng: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(12), index=True)
    photos: Mapped[list[str]] = mapped_column(JSON, default=list)
    reported_by: Mapped[str | None] = mapped_column(String(64))
    found_at: Mapped[datetime] = mapped_column(index=True)
    deadline: Mapped[datetime | None] = mapped_column(index=True)
    assignee: Mapped[str | None] = mapped_column(String(64))
    assigned_at: Mapped[datetime | None]
    removed_at: Mapped[datetime | None]
    verified_at: Mapped[datetime | None]
    overdue_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(String(500))


class Dispute(Base):
    """A 矛盾纠纷 registered for mediation, with who mediates it and how it ended."""

    __tablename__ = "dispute"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    summary: Mapped[str] = mapped_column(String(500))
    parties: Mapped[int] = mapped_column(Integer)
    grid_code: Mapped[str] = mapped_column(String(32), index=True)
    station_code: Mapped[str] = mapped_column(String(24), index=True)
    org_path: Mapped[str] = mapped_column(String(255), index=True)
    status: Mapped[str] = mapped_column(String(12), index=True)
    registered_at: Mapped[datetime] = mapped_column(index=True)
    mediator_name: Mapped[str | None] = mapped_column(String(32))
    room_station_code: Mapped[str | None] = mapped_column(String(24))
    outcome: Mapped[str | None] = mapped_column(String(16))
    outcome_note: Mapped[str | None] = mapped_column(String(500))
    closed_at: Mapped[datetime | None]


class MediationSession(Base):
    """One sitting of a mediation."""

    __tablename__ = "mediation_session"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    dispute_id: Mapped[str] = mapped_column(ForeignKey("dispute.id"), index=True)
    held_at: Mapped[datetime]
    note: Mapped[str] = mapped_column(String(500))


class Village(Base):
    """A village (一村一辅警) with its auxiliary officer, patrol team and mediators."""

    __tablename__ = "village"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    grid_code: Mapped[str] = mapped_column(String(32), index=True)
    station_code: Mapped[str] = mapped_column(String(24), index=True)
    org_path: Mapped[str] = mapped_column(String(255), index=True)
    auxiliary_name: Mapped[str] = mapped_column(String(32))
    patrol_team_size: Mapped[int] = mapped_column(Integer, default=0)
    mediators: Mapped[list[str]] = mapped_column(JSON, default=list)


class CourtyardMeeting(Base):
    """A 屋场警务恳谈会: who came and what they raised."""

    __tablename__ = "courtyard_meeting"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    village_code: Mapped[str] = mapped_column(ForeignKey("village.code"), index=True)
    org_path: Mapped[str] = mapped_column(String(255), index=True)
    held_at: Mapped[datetime]
    attendance: Mapped[int] = mapped_column(Integer)
    issues: Mapped[list[str]] = mapped_column(JSON, default=list)


class Enterprise(Base):
    """An enterprise or construction project served by a project officer (项目警官)."""

    __tablename__ = "enterprise"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(96))
    kind: Mapped[str] = mapped_column(String(12))
    park: Mapped[str | None] = mapped_column(String(64))
    station_code: Mapped[str] = mapped_column(String(24), index=True)
    org_path: Mapped[str] = mapped_column(String(255), index=True)
    officer_name: Mapped[str] = mapped_column(String(32), index=True)
    lng: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    # 一企一策: the plan's items, each {"text": ..., "done": bool}.
    plan_items: Mapped[list[dict]] = mapped_column(JSON, default=list)


class EnterpriseVisit(Base):
    """A visit to an enterprise; the issues raised and how each was handled."""

    __tablename__ = "enterprise_visit"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprise.id"), index=True)
    service_day_id: Mapped[str | None] = mapped_column(
        ForeignKey("enterprise_service_day.id"), index=True
    )
    visited_at: Mapped[datetime]
    issues: Mapped[list[dict]] = mapped_column(JSON, default=list)


class ServiceDay(Base):
    """The enterprise service day (20th of the month) of one station: planned, then reported."""

    __tablename__ = "enterprise_service_day"
    __table_args__ = (UniqueConstraint("station_code", "day"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    station_code: Mapped[str] = mapped_column(String(24), index=True)
    org_path: Mapped[str] = mapped_column(String(255), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(12))
    planned_enterprises: Mapped[list[str]] = mapped_column(JSON, default=list)
    report: Mapped[str | None] = mapped_column(Text)
    reported_at: Mapped[datetime | None]


class EnterpriseCase(Base):
    """An enterprise-related case, with the amount recovered for the enterprise."""

    __tablename__ = "enterprise_case"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprise.id"), index=True)
    org_path: Mapped[str] = mapped_column(String(255), index=True)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    amount_recovered_yuan: Mapped[float] = mapped_column(Float, default=0.0)
    opened_at: Mapped[datetime]
