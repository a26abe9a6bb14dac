"""Warnings (预警指令), their contacts, stop-payment requests and quarantined rows."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yanyun.core.tables import Base


class FraudWarning(Base):
    """One person about to be defrauded, to be reached in time.

    The victim's name, phone and ID number are stored whole and shown masked;
    a full read is audited and bound to the warning's number.
    """

    __tablename__ = "antifraud_warning"
    __table_args__ = (UniqueConstraint("source", "sender_ref"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    source: Mapped[str] = mapped_column(String(16), index=True)
    sender_ref: Mapped[str] = mapped_column(String(64))
    batch_id: Mapped[str] = mapped_column(String(26), index=True)
    received_at: Mapped[datetime] = mapped_column(index=True)
    contacted_at: Mapped[datetime | None]
    victim_name: Mapped[str] = mapped_column(String(64))
    victim_phone: Mapped[str] = mapped_column(String(16), index=True)
    victim_id_number: Mapped[str | None] = mapped_column(String(18), index=True)
    address: Mapped[str] = mapped_column(String(200), default="")
    lng: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    district_code: Mapped[str] = mapped_column(String(32), index=True)
    station_code: Mapped[str] = mapped_column(String(48), index=True)
    grid_code: Mapped[str] = mapped_column(String(64))
    org_path: Mapped[str] = mapped_column(String(255), index=True)
    fraud_type: Mapped[str] = mapped_column(String(24), index=True)
    suspect_account: Mapped[str] = mapped_column(String(64), default="", index=True)
    amount_yuan: Mapped[float] = mapped_column(Float, default=0.0)
    grade: Mapped[str] = mapped_column(String(8), index=True)
    score: Mapped[int] = mapped_column(Integer)
    rules_version: Mapped[str] = mapped_column(String(32))
    grade_reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    phone_due_at: Mapped[datetime] = mapped_column(index=True)
    visit_due_at: Mapped[datetime] = mapped_column(index=True)
    first_phone_at: Mapped[datetime | None]
    first_visit_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(12), index=True)
    outcome: Mapped[str | None] = mapped_column(String(16), index=True)
    closed_at: Mapped[datetime | None]
    overdue_at: Mapped[datetime | None] = mapped_column(index=True)
    repeat_victim: Mapped[bool] = mapped_column(Boolean, default=False)
    repeat_suspect: Mapped[bool] = mapped_column(Boolean, default=False)
    stopped_yuan: Mapped[float] = mapped_column(Float, default=0.0)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    # The case (案件) cases opened from this warning, once it said so (cases.fraud_case_opened).
    case_id: Mapped[str | None] = mapped_column(String(26))
    case_number: Mapped[str | None] = mapped_column(String(24))


class WarningContact(Base):
    """One attempt to reach the person: by phone or in person, when, by whom, reached or not."""

    __tablename__ = "antifraud_contact"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    warning_id: Mapped[str] = mapped_column(ForeignKey("antifraud_warning.id"), index=True)
    at: Mapped[datetime]
    channel: Mapped[str] = mapped_column(String(8))
    by: Mapped[str] = mapped_column(String(64))
    reached: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(500), default="")


class StopPayment(Base):
    """止付冻结: a stop-payment or freeze asked of a bank, and what it stopped.

    ``state``: ``recorded`` (no bank adapter: the officer states what was stopped),
    or ``requested`` -> ``sent`` -> ``acknowledged`` / ``failed`` through the webhook.
    """

    __tablename__ = "antifraud_stop_payment"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    warning_id: Mapped[str] = mapped_column(ForeignKey("antifraud_warning.id"), index=True)
    requested_at: Mapped[datetime]
    requested_by: Mapped[str] = mapped_column(String(64))
    bank: Mapped[str] = mapped_column(String(64))
    account: Mapped[str] = mapped_column(String(64))
    amount_lost_yuan: Mapped[float] = mapped_column(Float)
    amount_stopped_yuan: Mapped[float] = mapped_column(Float)
    state: Mapped[str] = mapped_column(String(12), index=True, default="recorded")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(index=True)
    sent_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    bank_ref: Mapped[str] = mapped_column(String(64), default="")
    last_error: Mapped[str] = mapped_column(String(200), default="")


class QuarantinedRow(Base):
    """A row refused at intake, kept with its reason (never dropped)."""

    __tablename__ = "antifraud_quarantine"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    batch_id: Mapped[str] = mapped_column(String(26), index=True)
    received_at: Mapped[datetime] = mapped_column(index=True)
    source: Mapped[str] = mapped_column(String(16))
    row_number: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(32))
    reason_zh: Mapped[str] = mapped_column(String(200))
    reason_en: Mapped[str] = mapped_column(String(200))
    raw: Mapped[dict[str, Any]] = mapped_column(default=dict)


class PublicityEvent(Base):
    """反诈宣传: one activity of a station (place, day, people reached, fraud types covered)."""

    __tablename__ = "antifraud_publicity"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    station_code: Mapped[str] = mapped_column(String(48), index=True)
    org_path: Mapped[str] = mapped_column(String(255), index=True)
    held_on: Mapped[date] = mapped_column(index=True)
    place: Mapped[str] = mapped_column(String(200))
    audience: Mapped[int] = mapped_column(Integer)
    fraud_types: Mapped[list[Any]] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(String(500), default="")
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime]
