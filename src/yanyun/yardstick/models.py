"""Daily figures per station and sub-category, and the callbacks (警情回访) to the public."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from yanyun.core.tables import Base


class DailyFigure(Base):
    """One station's incidents of one sub-category received on one bureau day.

    Kept current from command's events (each event recounts its station-day
    from the incident rows), so a yardstick over two years reads thousands
    of these instead of hundreds of thousands of incidents.
    """

    __tablename__ = "kpi_daily"
    __audited__ = False  # derived from audited rows; recounted, never edited by hand

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    station_code: Mapped[str] = mapped_column(String(24), primary_key=True)
    sub_code: Mapped[str] = mapped_column(String(8), primary_key=True)
    category_code: Mapped[str] = mapped_column(String(8), index=True)
    district_code: Mapped[str] = mapped_column(String(12), index=True)
    org_path: Mapped[str] = mapped_column(String(255), index=True)
    received: Mapped[int] = mapped_column(Integer, default=0)
    arrived: Mapped[int] = mapped_column(Integer, default=0)
    arrived_within: Mapped[int] = mapped_column(Integer, default=0)
    arrival_s_sum: Mapped[float] = mapped_column(Float, default=0.0)
    dispatch_breached: Mapped[int] = mapped_column(Integer, default=0)


class Callback(Base):
    """A closed incident's caller asked how it went (回访), by phone or by a link in an SMS."""

    __tablename__ = "kpi_callback"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    incident_id: Mapped[str] = mapped_column(String(26), unique=True)
    incident_number: Mapped[str] = mapped_column(String(24))
    station_code: Mapped[str] = mapped_column(String(24), index=True)
    org_path: Mapped[str] = mapped_column(String(255), index=True)
    closed_at: Mapped[datetime] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(12), index=True)  # queued, sent, answered
    channel: Mapped[str | None] = mapped_column(String(8))  # phone or sms
    result: Mapped[str | None] = mapped_column(String(16))  # satisfied, fair, unsatisfied
    reason: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(index=True)
    answered_by: Mapped[str | None] = mapped_column(String(26))
    link_sent_at: Mapped[datetime | None]
    # The SMS link's nonce: a second answer or a forged link is refused by it.
    link_nonce: Mapped[str | None] = mapped_column(String(32))


class SafetySurvey(Base):
    """A district's sense-of-safety survey (公众安全感) for one quarter, as imported."""

    __tablename__ = "kpi_safety_survey"

    district_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    quarter: Mapped[str] = mapped_column(String(7), primary_key=True)  # 2026Q3
    org_path: Mapped[str] = mapped_column(String(255), index=True)
    respondents: Mapped[int] = mapped_column(Integer)
    safe_share: Mapped[float] = mapped_column(Float)
    imported_at: Mapped[datetime]
    imported_by: Mapped[str] = mapped_column(String(64))


class MonthlyReport(Base):
    """A month's yardstick report handed to supervision's notifications (once per month)."""

    __tablename__ = "kpi_monthly_report"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # 2026-10
    sent_at: Mapped[datetime]
    notifications: Mapped[int] = mapped_column(Integer)
