"""Settings of the yardstick (``YANYUN_YARDSTICK__...``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field


class YardstickSettings(BaseModel):
    """Which indicator file judges the bureau, and how long a callback link stays valid."""

    indicators_path: Path | None = Field(
        None, description="The bureau's own indicator file (TOML); the shipped one if unset."
    )
    callback_link_days: int = Field(
        7, ge=1, le=60, description="Days an SMS callback link may be answered."
    )
