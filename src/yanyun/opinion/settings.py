"""Settings of public opinion (``YANYUN_OPINION__...``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field, model_validator


class OpinionSettings(BaseModel):
    """Public opinion: ingest limits, grouping, heat and linking to incidents."""

    city: str = Field("hengyang", description="City whose place names the text pipeline knows.")
    max_post_chars: int = Field(
        200_000, ge=100, description="Longer posts are rejected as too large (characters)."
    )
    max_batch: int = Field(5000, ge=1, description="Most posts accepted in one push or file.")
    jaccard: float = Field(
        0.5, gt=0, le=1, description="Stories this similar (3-gram Jaccard) are one story."
    )
    containment: float = Field(
        0.6, gt=0, le=1, description="A story this much contained in another is an excerpt of it."
    )
    min_relevance: float = Field(
        0.3, ge=0, le=1, description="Stories below this public-safety relevance open no event."
    )
    event_window_s: int = Field(
        172800, gt=0, description="Groups of one place and category this close in time join (s)."
    )
    velocity_window_s: int = Field(
        3600, gt=0, description="Velocity counts posts in this window before the latest (s)."
    )
    heat_thresholds: list[float] = Field(
        default_factory=lambda: [20.0, 50.0, 100.0],
        description="Heat at which an event turns level 1 (关注), 2 (预警) and 3 (高热); rising "
        "past one raises an alert event.",
    )
    link_radius_m: float = Field(
        3000, gt=0, description="Incidents this close to an event's place may be linked to it."
    )
    link_window_s: int = Field(
        172800, gt=0, description="Incidents this close in time to an event may be linked (s)."
    )
    feed_timeout_s: float = Field(10.0, gt=0, description="A feed slower than this fails (s).")
    feed_max_bytes: int = Field(
        5_000_000, gt=0, description="A feed answer larger than this is refused (bytes)."
    )
    feed_poll_s: int = Field(300, ge=10, description="How often enabled feeds are polled (s).")
    feed_hosts: list[str] = Field(
        default_factory=list,
        description="Host names feeds may be fetched from; `.example.cn` allows its subdomains. "
        "Empty: no feed can be registered (the poller must not reach arbitrary addresses).",
    )
    feed_allow_private_addresses: bool = Field(
        False,
        description="Let allowed hosts resolve to loopback or private addresses (an intranet "
        "feed server); off, such a host is refused even when listed.",
    )
    rumor_model_path: Path | None = Field(
        None, description="A rumour-score model trained on the bureau's own posts; none = no score."
    )

    @model_validator(mode="after")
    def _thresholds_rise(self) -> OpinionSettings:
        t = self.heat_thresholds
        if len(t) != 3 or not 0 < t[0] < t[1] < t[2]:
            raise ValueError("opinion.heat_thresholds must be three rising positive numbers")
        return self
