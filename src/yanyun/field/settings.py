"""Settings of the field app (``YANYUN_FIELD__...``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field


class FieldSettings(BaseModel):
    """How phones report, how long a batch of offline actions may be, how tips are braked."""

    position_every_s: float = Field(
        10.0, ge=1, le=600,
        description="How often a phone on duty sends its position (s); it becomes the unit's AVL.",
    )
    max_actions_per_batch: int = Field(
        100, ge=1, le=1000, description="Actions one replay of a phone's queue may carry."
    )
    action_keys_kept_days: int = Field(
        7, ge=1, le=365,
        description="Days an applied action's key is kept to answer a replay; a phone "
        "offline longer has its queue applied again as new actions.",
    )
    tip_proof_bits: int = Field(
        16, ge=0, le=26,
        description="Proof-of-work difficulty of a public tip (leading zero bits of SHA-256; "
        "16 is about a second in a phone's browser).",
    )
    tip_proof_max_age_s: float = Field(
        900, ge=30, description="How long a tip form's challenge stays valid (s)."
    )
    tips_per_client_per_hour: int = Field(
        5, ge=1, le=1000, description="Public tips one network address may file per hour."
    )
    photo_path: Path = Field(
        Path("./var/photos"), description="Folder of scene photos, stored by content hash."
    )
    max_photo_bytes: int = Field(
        10_000_000, ge=10_000, le=100_000_000, description="Largest photo accepted (bytes)."
    )
    max_photo_pixels: int = Field(
        50_000_000, ge=100_000, description="Largest photo accepted (pixels): a small file "
        "that decodes to a huge image (a decompression bomb) is refused."
    )
    keep_photo_position: bool = Field(
        True, description="Keep the position and time a phone wrote into a photo (EXIF), as "
        "evidence; off, photos are re-encoded without it."
    )
    text_after_s: float = Field(
        30.0, ge=5, le=3600,
        description="Seconds a dispatch may wait unacknowledged before a crew whose app is "
        "closed is sent a text message (SMS link) through supervision's notifications.",
    )
    app_quiet_s: float = Field(
        45.0, ge=10, le=3600,
        description="Seconds without the app asking for its screen after which it counts as "
        "closed (an open app sends a heartbeat every 15 s and with every action).",
    )
    text_scan_s: float = Field(
        10.0, ge=1, le=600, description="How often unacknowledged dispatches are looked for (s)."
    )
    text_channel: str = Field(
        "webhook", pattern=r"^(webhook|email)$",
        description="Supervision's channel that carries the texts (the SMS gateway is the "
        "webhook's receiver).",
    )
    public_url: str = Field(
        "", max_length=200,
        description="The address phones open the app at (e.g. https://yanyun.example.gov.cn), "
        "put before /m in the text's link; empty leaves the path alone.",
    )
    track_flush_s: float = Field(
        60.0, gt=0, le=3600,
        description="Units' earlier fixes are gathered from the units.moved events and "
        "appended to the data pool (unit_tracks) this often (s); a crash loses at most this much "
        "history, never a latest position.",
    )
    track_kept_days: int = Field(
        90, ge=0, le=3650,
        description="Days of units' tracks kept in the data pool (where officers were is "
        "personal: older days are deleted); 0 keeps them all.",
    )
    track_compact_after_h: float = Field(
        1.0, ge=0, le=72,
        description="Hours after a day ends that its tracks' minute files are rewritten into one "
        "file sorted by unit and time.",
    )
    position_write_every_s: float = Field(
        1.0, ge=0, le=10,
        description="Phones' fixes are kept in memory (latest per unit) and written together "
        "this often (s); 0 writes each at once. A crash loses at most this much, which the "
        "phones' next fixes replace.",
    )
