"""Settings of the field app (``YANYUN_FIELD__...``)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class FieldSettings(BaseModel):
    """How phones report and how long a batch of offline actions may be."""

    position_every_s: float = Field(
        10.0, ge=1, le=600,
        description="How often a phone on duty sends its position (s); it becomes the unit's AVL.",
    )
    max_actions_per_batch: int = Field(
        100, ge=1, le=1000, description="Actions one replay of a phone's queue may carry."
    )
