"""Relational tables of intelligence (情): cameras, registrations, the pool's catalog and ledger.

The sightings themselves live in the Parquet pool (see pool.py); these tables
hold what is small, edited, or joined against them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from yanyun.core.tables import Base


class Camera(Base):
    """A camera of the 雪亮工程 network: HD video, checkpoint (卡口) or e-bike camera."""

    __tablename__ = "intel_camera"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    name_zh: Mapped[str] = mapped_column(String(96))
    lng: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    grid_code: Mapped[str] = mapped_column(String(32), index=True)
    station_code: Mapped[str] = mapped_column(String(24), index=True)
    district_code: Mapped[str] = mapped_column(String(12), index=True)
    installed_at: Mapped[datetime]
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Registration(Base):
    """A vehicle or e-bike registration (电动车登记): plate -> owner. Personal data."""

    __tablename__ = "intel_registration"
    __personal__ = True

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    plate: Mapped[str] = mapped_column(String(16), unique=True)
    vehicle_kind: Mapped[str] = mapped_column(String(16), index=True)
    owner_name: Mapped[str] = mapped_column(String(64))
    owner_id_number: Mapped[str] = mapped_column(String(18))
    owner_phone: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(200))
    brand: Mapped[str] = mapped_column(String(64))
    colour: Mapped[str] = mapped_column(String(16))
    registered_at: Mapped[datetime]
    # "active", or "cancelled" (注销: kept on record, no longer the plate's owner).
    status: Mapped[str] = mapped_column(String(12), default="active", index=True)
    cancelled_at: Mapped[datetime | None]


class RegistrationChange(Base):
    """A registration's history: registered, transferred (from and to whom), cancelled."""

    __tablename__ = "intel_registration_change"
    __personal__ = True

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    registration_id: Mapped[str] = mapped_column(
        ForeignKey("intel_registration.id"), index=True
    )
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(20))
    by: Mapped[str] = mapped_column(String(64))
    owner_name: Mapped[str] = mapped_column(String(64))
    owner_id_number: Mapped[str] = mapped_column(String(18))
    note: Mapped[str] = mapped_column(String(200), default="")


class PoolDataset(Base):
    """The catalog: each dataset of the pool, its schema, source and whether it is personal."""

    __tablename__ = "intel_pool_dataset"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    description_zh: Mapped[str] = mapped_column(String(200))
    description_en: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(200))
    personal: Mapped[bool] = mapped_column(Boolean)
    partitioning: Mapped[str] = mapped_column(String(64))
    sort_key: Mapped[str] = mapped_column(String(128))
    fields: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    registered_at: Mapped[datetime]


class IngestBatch(Base):
    """The batch ledger as the API reports it; the pool's manifest is the authority."""

    __tablename__ = "intel_ingest_batch"

    batch_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    dataset: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16))
    received_at: Mapped[datetime] = mapped_column(index=True)
    rows: Mapped[int] = mapped_column(Integer)
    accepted: Mapped[int] = mapped_column(Integer)
    rejected: Mapped[int] = mapped_column(Integer)
    flagged: Mapped[int] = mapped_column(Integer)
    received_by: Mapped[str | None] = mapped_column(String(64))


class WatchEntry(Base):
    """A plate on watch for a case, from its request to its end."""

    __tablename__ = "intel_watch"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    plate: Mapped[str] = mapped_column(String(16), index=True)
    canonical: Mapped[str] = mapped_column(String(16), index=True)
    case_number: Mapped[str] = mapped_column(String(64), index=True)
    reason: Mapped[str] = mapped_column(String(500))
    org_path: Mapped[str] = mapped_column(String(255), index=True)
    status: Mapped[str] = mapped_column(String(12), index=True)
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime]
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None]
    expires_at: Mapped[datetime] = mapped_column(index=True)


class WatchHit(Base):
    """A sighting that matched a watch, until an operator confirms or rejects the read."""

    __tablename__ = "intel_watch_hit"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    entry_id: Mapped[str] = mapped_column(String(26), index=True)
    case_number: Mapped[str] = mapped_column(String(64), index=True)
    org_path: Mapped[str] = mapped_column(String(255), index=True)
    read_plate: Mapped[str] = mapped_column(String(16))
    match: Mapped[str] = mapped_column(String(12))
    camera: Mapped[str] = mapped_column(String(16))
    seen_at: Mapped[datetime]
    raised_at: Mapped[datetime] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(12), index=True)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None]
