"""The field's one table: who is signed on to which unit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from yanyun.core.db import Base


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
