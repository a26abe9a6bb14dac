"""Settings of command and dispatch (``YANYUN_COMMAND__...``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field


class CommandSettings(BaseModel):
    """Incidents, the 1-3-5 clock, duplicates and unit positions."""

    catalogue_path: Path | None = Field(
        None, description="A bureau's own incident category catalogue (JSON); none = shipped."
    )
    dispatch_target_s: int = Field(60, ge=1, description="Dispatch within this of receipt (s).")
    urban_arrival_target_s: int = Field(
        600, ge=60, description="Arrival target outside any 1-3-5 circle, urban districts (s)."
    )
    rural_arrival_target_s: int = Field(
        1200, ge=60, description="Arrival target outside any 1-3-5 circle, rural counties (s)."
    )
    duplicate_radius_m: float = Field(
        300, gt=0, description="Calls this close (and close in time) are offered as duplicates."
    )
    duplicate_window_s: int = Field(
        1800, gt=0, description="Calls this close in time (and place) are offered as duplicates."
    )
    position_stale_after_s: int = Field(
        120, gt=0, description="A unit position older than this is flagged stale (s)."
    )
    breach_scan_s: float = Field(
        5.0, gt=0, description="How often open incidents are checked for missed 1-3-5 targets."
    )
    ack_deadline_s: int = Field(
        60, ge=10, le=3600, description="A unit that has not acknowledged (签收) a dispatch "
        "within this is flagged on the console with a re-dispatch suggestion (s).",
    )
    position_future_tolerance_s: int = Field(
        60, ge=0, description="Positions stamped further in the future than this are rejected."
    )
