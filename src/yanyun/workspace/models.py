"""What each user has marked read in their inbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from yanyun.core.tables import Base


class InboxRead(Base):
    """One inbox item (``kind:id``) a user has marked read; items are computed, marks kept."""

    __tablename__ = "inbox_read"
    __audited__ = False  # a user's own reading marks, not a record of police work

    user_id: Mapped[str] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    item_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    read_at: Mapped[datetime]
