"""Tidal deployment's table: the plans duty managers adopted (the table keeps its old name)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Date,
    Float,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from yanyun.core.tables import Base


class TidalPlan(Base):
    """A tidal deployment plan (潮汐警力) a duty manager adopted for a day over their scope.

    Stored as adopted, not recomputed: the forecast behind it moves as
    incidents come in, and what units were told must stay readable. A later
    adoption for the same day and scope supersedes it.
    """

    __tablename__ = "duty_tidal_plan"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    org_path: Mapped[str] = mapped_column(String(255), index=True)
    demand: Mapped[str] = mapped_column(String(12))
    method: Mapped[str] = mapped_column(String(16))
    # [{"hour": h, "unit_id", "lng", "lat"}, ...]: where each unit stands, hour by hour
    stands: Mapped[list[dict]] = mapped_column(JSON)
    # [{"hour": h, "demand", "current", "recommended"}, ...]: expected coverage when adopted
    hours: Mapped[list[dict]] = mapped_column(JSON)
    share_current: Mapped[float] = mapped_column(Float)
    share_recommended: Mapped[float] = mapped_column(Float)
    adopted_by: Mapped[str | None] = mapped_column(String(26))
    adopted_at: Mapped[datetime]
    superseded_at: Mapped[datetime | None]
