"""What phones send and what they are told."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator

from yanyun.command.schemas import OUTCOMES
from yanyun.core.params import Instant
from yanyun.core.schemas import InputModel

ActionKind = Literal["acknowledge", "arrive", "clear", "position"]
ActionStatus = Literal["applied", "conflict", "rejected"]


#: A key the phone made when its user acted (a UUID, say).
ActionKey = Annotated[
    str, StringConstraints(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
]
#: 4-8 digits that cancel a 一键求助.
Pin = Annotated[str, StringConstraints(pattern=r"^[0-9]{4,8}$")]


class ShiftStart(InputModel):
    unit_id: str = Field(min_length=1, max_length=32)
    pin: Pin | None = None


class EmergencyIn(InputModel):
    """一键求助: the phone's last fix, if it has one (else the unit's last position)."""

    key: ActionKey
    at: Instant
    lng: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)


class EmergencyCancel(InputModel):
    incident_id: str = Field(min_length=1, max_length=26)
    pin: Pin


class EmergencyRead(BaseModel):
    incident_id: str | None
    number: str
    status: str
    unit_status: str | None
    replayed: bool = False


class FieldAction(InputModel):
    """One thing a crew member did, stamped with a key their phone made at that moment."""

    key: ActionKey
    kind: ActionKind
    at: Instant = Field(description="When the crew member acted, on the phone's clock.")
    incident_id: str | None = Field(None, min_length=1, max_length=26)
    outcome: Literal[tuple(OUTCOMES)] | None = None  # type: ignore[valid-type]
    note: str | None = Field(None, max_length=500)
    lng: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)

    @model_validator(mode="after")
    def _complete(self) -> FieldAction:
        if self.kind == "position" and (self.lng is None or self.lat is None):
            raise ValueError("a position needs lng and lat (位置需要经纬度)")
        if self.kind in ("acknowledge", "arrive", "clear") and self.incident_id is None:
            raise ValueError(f"{self.kind} needs incident_id ({self.kind} 需要警情编号)")
        if self.kind == "clear" and self.outcome is None:
            raise ValueError("clear needs an outcome (处置完毕需要处置结果)")
        return self


class ActionBatch(InputModel):
    """A phone's queue, in the order its user acted."""

    actions: list[FieldAction] = Field(min_length=1, max_length=1000)


class ActionResult(BaseModel):
    """What became of one action; a replayed key gets its first answer again."""

    key: str
    kind: str
    status: ActionStatus
    replayed: bool
    reason_zh: str | None = None
    reason_en: str | None = None
    unit_status: str | None = None
    incident_status: str | None = None


class BatchResult(BaseModel):
    results: list[ActionResult]
    applied: int
    replayed: int
    conflicts: int
    rejected: int


class ShiftRead(BaseModel):
    unit_id: str
    call_sign: str
    started_at: datetime
    has_pin: bool = False


class DispatchRead(BaseModel):
    """An incident this unit is sent to, as the crew needs it on the street."""

    incident_id: str | None
    number: str
    status: str
    priority: int
    category_code: str
    sub_code: str | None
    category_label_zh: str
    category_label_en: str
    narrative: str
    address_text: str | None
    lng: float
    lat: float
    caller_phone_masked: str | None
    received_at: datetime
    assigned_at: datetime
    acknowledged_at: datetime | None
    arrived_at: datetime | None
    dispatch_target_s: int
    arrival_target_s: int
    arrival_breached: bool


class FieldUnitRead(BaseModel):
    id: str
    call_sign: str
    kind: str
    status: str
    lng: float
    lat: float
    position_at: datetime | None


class MeRead(BaseModel):
    """Everything the phone shows: who, on which unit, sent where."""

    user_id: str
    display_name: str
    shift: ShiftRead | None
    unit: FieldUnitRead | None
    dispatches: list[DispatchRead]
    outcomes: dict[str, tuple[str, str]]
    position_every_s: float
    server_time: datetime


class PhotoRead(BaseModel):
    id: str
    digest: str
    content_type: str
    size: int
    width: int
    height: int
    incident_id: str | None
    unit_id: str | None
    taken_by: str
    uploaded_at: datetime


class FixIn(InputModel):
    """The phone's position while on duty: telemetry, the latest wins."""

    lng: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    at: Instant


class FixTaken(BaseModel):
    """A fix kept for its unit and written within ``POSITION_WRITE_EVERY_S``."""

    status: Literal["queued"] = "queued"
    unit_id: str


#: The longest span one track read covers.
TRACK_MAX_DAYS = 7


class TrackQuery(InputModel):
    """A unit's track between two instants: personal, so a case or dispatch and a purpose."""

    since: Instant
    until: Instant
    case_number: str | None = Field(None, max_length=64)
    purpose: str | None = Field(None, max_length=500)
    limit: int = Field(5000, ge=1, le=20_000)


class TrackPoint(BaseModel):
    at: datetime
    lng: float
    lat: float


class TrackRead(BaseModel):
    unit_id: str
    points: list[TrackPoint]
