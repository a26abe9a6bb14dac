"""Tables of the city's geography: districts, stations and grids.

Geometries are stored as WKB in WGS-84 so both SQLite and PostgreSQL hold them
without a spatial extension; the in-process index answers spatial questions.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Float, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from yanyun.core.tables import Base


class District(Base):
    """A district or county (区/县/市); each has one branch bureau (分局)."""

    __tablename__ = "geo_district"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(64))
    is_urban: Mapped[bool] = mapped_column(Boolean)
    area_km2: Mapped[float] = mapped_column(Float)
    geometry_wkb: Mapped[bytes] = mapped_column(LargeBinary)


class Station(Base):
    """A police station (派出所) with its grade and rooms, as counted in the seeds."""

    __tablename__ = "geo_station"

    code: Mapped[str] = mapped_column(String(24), primary_key=True)
    district_code: Mapped[str] = mapped_column(ForeignKey("geo_district.code"), index=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(96))
    grade: Mapped[int] = mapped_column(Integer)
    has_command_room: Mapped[bool] = mapped_column(Boolean)
    has_mediation_room: Mapped[bool] = mapped_column(Boolean)
    lng: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    geometry_wkb: Mapped[bytes] = mapped_column(LargeBinary)


class Grid(Base):
    """A policing grid (网格): the smallest unit of ground a team answers for."""

    __tablename__ = "geo_grid"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    station_code: Mapped[str] = mapped_column(ForeignKey("geo_station.code"), index=True)
    district_code: Mapped[str] = mapped_column(ForeignKey("geo_district.code"), index=True)
    name_zh: Mapped[str] = mapped_column(String(96))
    name_en: Mapped[str] = mapped_column(String(128))
    is_urban: Mapped[bool] = mapped_column(Boolean)
    area_km2: Mapped[float] = mapped_column(Float)
    lng: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    min_lng: Mapped[float] = mapped_column(Float)
    min_lat: Mapped[float] = mapped_column(Float)
    max_lng: Mapped[float] = mapped_column(Float)
    max_lat: Mapped[float] = mapped_column(Float)
    geometry_wkb: Mapped[bytes] = mapped_column(LargeBinary)
