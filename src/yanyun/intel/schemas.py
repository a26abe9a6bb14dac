"""API shapes of the pool, cameras, registrations, ingest and plate search."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from yanyun.core.params import Instant
from yanyun.core.schemas import InputModel


class SightingIn(InputModel):
    """One sighting as a camera reports it; every field is checked row by row, not here."""

    plate: str | None = Field(None, max_length=32)
    camera: str | None = Field(None, max_length=32)
    seen_at: str | None = Field(
        None, max_length=40, description="ISO 8601 with a zone, e.g. 2026-11-23T08:15:00+08:00"
    )
    kind: str | None = Field(None, max_length=16, description="car, ebike, truck, bus, motorcycle")


class SightingBatchIn(InputModel):
    batch_id: str = Field(
        min_length=1, max_length=64, description="Chosen by the sender; re-sending is harmless."
    )
    rows: list[SightingIn] = Field(min_length=1, max_length=100_000)


class RejectRead(BaseModel):
    row: int
    reason: str
    message: dict[str, str]
    plate: str | None
    camera: str | None
    seen_at: str | None


class IngestRead(BaseModel):
    batch_id: str
    rows: int
    accepted: int
    rejected: int
    flagged: int
    duplicate_batch: bool = Field(description="The batch was already accepted; nothing added.")
    durable: bool = True
    rejects: list[RejectRead]
    rejects_truncated: bool


class QuarantinedRead(BaseModel):
    """A refused row as the quarantine keeps it; the plate is masked."""

    batch_id: str
    row: int
    reason: str
    reason_zh: str
    reason_en: str
    plate: str | None
    camera: str | None
    seen_at: str | None
    kind: str | None
    received_at: datetime


class CameraRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    kind: str
    name_zh: str
    lng: float
    lat: float
    grid_code: str
    station_code: str
    district_code: str
    installed_at: datetime
    active: bool


class CameraPage(BaseModel):
    items: list[CameraRead]
    next_after: str | None
    counts: dict[str, int]


class PlateSearchIn(InputModel):
    plate: str = Field(min_length=2, max_length=16)
    fuzzy: bool = False
    start: Instant | None = None
    end: Instant | None = None
    area: str | None = Field(None, max_length=32, description="A district, station or grid code.")
    case_number: str | None = Field(None, max_length=64)
    purpose: str | None = Field(None, max_length=500)
    limit: int = Field(5000, ge=1, le=20_000)


class SightingRead(BaseModel):
    plate: str
    kind: str
    seen_at: datetime
    seen_at_local: str
    camera: str
    camera_kind: str | None
    camera_name: str | None
    lng: float | None
    lat: float | None
    grid_code: str | None
    grid_name: str | None
    station_code: str | None
    district_code: str | None
    flags: list[str]


class PlateMatch(BaseModel):
    plate: str
    match: Literal["exact", "confusion", "edit"]
    sightings: int


class PlateSearchRead(BaseModel):
    query: str
    mode: Literal["exact", "fuzzy"]
    engine: str
    start: datetime
    end: datetime
    area: str | None
    plates: list[PlateMatch]
    sightings: list[SightingRead]
    truncated: bool
    trajectory: dict[str, Any]
    engine_ms: float
    row_groups_read: int | None


class RegistrationQuery(InputModel):
    plate: str = Field(min_length=2, max_length=16)
    case_number: str | None = Field(None, max_length=64)
    purpose: str | None = Field(None, max_length=500)


class RegistrationRead(BaseModel):
    plate: str
    vehicle_kind: str
    owner_name: str
    owner_id_number: str
    owner_phone: str
    address: str
    brand: str
    colour: str
    registered_at: datetime
    status: str = "active"


class RegistrationChangeRead(BaseModel):
    """One step of a plate's history; the owner of the time, masked."""

    at: datetime
    kind: str
    by: str
    owner_name: str
    owner_id_number: str
    note: str


class RegistrationHistory(BaseModel):
    registration: RegistrationRead
    changes: list[RegistrationChangeRead]


class OwnerInFull(BaseModel):
    """A registration's owner unmasked: read under a case the reader works on, audited."""

    plate: str
    status: str
    owner_name: str
    owner_id_number: str
    owner_phone: str
    address: str
    case_number: str


class DatasetRead(BaseModel):
    name: str
    description: dict[str, str]
    source: str
    personal: bool
    partitioning: str
    sort_key: str
    fields: list[dict[str, Any]]
    files: int | None = None
    rows: int | None = None
    batches: int | None = None


class CompactRead(BaseModel):
    days_compacted: int
    files: int
    rows: int


class AroundIn(InputModel):
    """Plates seen near a place within minutes of a time (a scene's passers-by)."""

    lng: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    at: Instant
    radius_m: float = Field(300, gt=0, le=20_000)
    minutes: float = Field(15, gt=0, le=1440)
    case_number: str | None = Field(None, max_length=64)
    purpose: str | None = Field(None, max_length=500)
    limit: int = Field(20, ge=1, le=200)


class AroundCandidate(BaseModel):
    plate: str
    kind: str
    score: float = Field(description="Distance over radius plus time gap over window, at its "
                         "closest passage: lower is closer.")
    closest_camera: str
    closest_m: float
    closest_gap_s: float
    away_m_per_min: float | None = Field(
        description="Straight-line metres from the scene per minute, at its last sighting "
        "within the hour after (who left fast)."
    )
    sightings: list[SightingRead]


class AroundRead(BaseModel):
    lng: float
    lat: float
    at: datetime
    radius_m: float
    minutes: float
    cameras: int
    passages: int
    candidates: list[AroundCandidate]


class OwnerIn(InputModel):
    """Who owns the e-bike (personal data: shown masked, read only under a case)."""

    owner_name: str = Field(min_length=1, max_length=64)
    owner_id_number: str = Field(min_length=18, max_length=18)
    owner_phone: str = Field(min_length=11, max_length=11)
    address: str = Field(min_length=2, max_length=200)


class RegistrationIn(OwnerIn):
    plate: str = Field(min_length=2, max_length=16)
    vehicle_kind: Literal["ebike", "car"] = "ebike"
    brand: str = Field(min_length=1, max_length=64)
    colour: str = Field(min_length=1, max_length=16)


class CancelIn(InputModel):
    reason: str = Field(min_length=2, max_length=200)


class ImportRowError(BaseModel):
    line: int
    field: str
    reason_zh: str
    reason_en: str


class ImportResult(BaseModel):
    """All rows loaded, or none with every bad row named (at most 500 listed)."""

    loaded: int
    rows: int
    error_count: int
    errors: list[ImportRowError]


class WatchIn(InputModel):
    """Put a plate on watch (布控) for a case, with a reason and an end."""

    plate: str = Field(min_length=2, max_length=16)
    case_number: str = Field(min_length=4, max_length=64)
    reason: str = Field(min_length=4, max_length=500)
    expires_at: Instant


class WatchDecision(InputModel):
    approve: bool


class HitDecision(InputModel):
    confirm: bool


class WatchRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    plate: str
    case_number: str
    reason: str
    status: str
    requested_by: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    expires_at: datetime


class WatchHitRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    entry_id: str
    case_number: str
    read_plate: str
    match: str
    camera: str
    seen_at: datetime
    raised_at: datetime
    status: str
    decided_by: str | None
    decided_at: datetime | None
    #: The camera frame the read came from (see ``watchlist.image_ref``).
    image_ref: str | None = None
