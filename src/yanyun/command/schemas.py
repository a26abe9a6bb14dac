"""API shapes of incidents, units, dispatch and intake."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from yanyun.core.params import Instant
from yanyun.core.schemas import InputModel

MAX_NARRATIVE_CHARS = 2000


class IncidentSource(StrEnum):
    call_110 = "call_110"
    walk_in = "walk_in"
    volunteer_tip = "volunteer_tip"
    camera_alarm = "camera_alarm"
    online_report = "online_report"
    # 一键求助: an officer's phone raised it, at the officer's last position.
    officer_emergency = "officer_emergency"


class IncidentStatus(StrEnum):
    received = "received"
    dispatched = "dispatched"
    en_route = "en_route"
    on_scene = "on_scene"
    resolved = "resolved"
    closed = "closed"
    cancelled = "cancelled"
    reopened = "reopened"


class UnitStatus(StrEnum):
    available = "available"
    dispatched = "dispatched"
    en_route = "en_route"
    on_scene = "on_scene"
    out_of_service = "out_of_service"
    # Its crew pressed 一键求助: not to be sent anywhere until the emergency ends.
    emergency = "emergency"


STATUS_LABELS: dict[str, tuple[str, str]] = {
    "received": ("已接警", "received"),
    "dispatched": ("已派警", "dispatched"),
    "en_route": ("出警途中", "en route"),
    "on_scene": ("已到场", "on scene"),
    "resolved": ("已处置", "resolved"),
    "closed": ("已结案", "closed"),
    "cancelled": ("已撤销", "cancelled"),
    "reopened": ("已重启", "reopened"),
}


class IncidentCreate(InputModel):
    """A call taken by a dispatcher, with the location and category they confirmed."""

    source: IncidentSource = IncidentSource.call_110
    received_at: Instant | None = Field(
        None, description="When the call came in; defaults to now."
    )
    occurred_at: Instant | None = None
    caller_phone: str | None = Field(None, pattern=r"^\+?[0-9][0-9 -]{2,20}$")
    narrative: str = Field(min_length=2, max_length=MAX_NARRATIVE_CHARS)
    address_text: str | None = Field(None, max_length=200)
    lng: float = Field(ge=-180, le=180, description="WGS-84 longitude")
    lat: float = Field(ge=-90, le=90, description="WGS-84 latitude")
    category_code: str = Field(min_length=2, max_length=8)
    sub_code: str | None = Field(None, min_length=4, max_length=8)
    priority: int | None = Field(None, ge=1, le=4, description="1 highest; default from category")

    @field_validator("occurred_at")
    @classmethod
    def _not_after_receipt(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        received = info.data.get("received_at")
        if value is not None and received is not None and value > received:
            raise ValueError("occurred_at cannot be after received_at (发生时间不能晚于接警时间)")
        return value


#: How an incident ended at the scene (处置结果), zh and en.
OUTCOMES: dict[str, tuple[str, str]] = {
    "mediated": ("已调解", "mediated"),
    "stopped": ("已制止", "stopped"),
    "taken_in": ("已带离/传唤", "taken in"),
    "handed_over": ("已移交", "handed over"),
    "assisted": ("已救助", "assisted"),
    "unfounded": ("无警情/谎报", "nothing found"),
    "other": ("其他", "other"),
}

Outcome = Literal[tuple(OUTCOMES)]  # type: ignore[valid-type]


class TransitionIn(InputModel):
    """A move along the lifecycle: resolving names its outcome, cancelling its reason."""

    to: Literal["en_route", "on_scene", "resolved", "closed", "cancelled", "reopened"]
    note: str | None = Field(None, max_length=500)
    outcome: Outcome | None = None

    @model_validator(mode="after")
    def _explained(self) -> TransitionIn:
        if self.to == "resolved" and self.outcome is None:
            raise ValueError("resolving needs an outcome (处置完毕须注明处置结果)")
        if self.to == "cancelled" and not (self.note and self.note.strip()):
            raise ValueError("cancelling needs a reason in the note (撤销须说明原因)")
        return self


class DispatchIn(InputModel):
    unit_ids: list[str] = Field(min_length=1, max_length=20)
    note: str | None = Field(None, max_length=500)


class NoteIn(InputModel):
    text: str = Field(min_length=1, max_length=500)

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("note is blank 备注不能为空")
        return value


class MergeIn(InputModel):
    duplicate_id: str = Field(min_length=1, max_length=26)


class UnitAction(InputModel):
    action: Literal["acknowledge", "arrive", "clear"]
    incident_id: str = Field(min_length=1, max_length=26)


class PositionIn(InputModel):
    unit_id: str = Field(min_length=1, max_length=32)
    lng: float
    lat: float
    at: Instant


class PositionBatch(InputModel):
    positions: list[PositionIn] = Field(min_length=1, max_length=5000)


class IntakeIn(InputModel):
    text: str = Field(min_length=1, max_length=MAX_NARRATIVE_CHARS)


class RejectedPosition(BaseModel):
    index: int
    unit_id: str
    reason_zh: str
    reason_en: str


class PositionBatchResult(BaseModel):
    accepted: int
    ignored_older: int
    rejected: list[RejectedPosition]


class TransitionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    from_status: str | None
    to_status: str
    actor_name: str | None
    unit_id: str | None
    note: str | None


class CallRead(BaseModel):
    received_at: datetime
    source: str
    caller_phone_masked: str | None
    narrative: str


class ClockRead(BaseModel):
    """The 1-3-5 clock of an incident: targets, elapsed and whether they were met."""

    dispatch_target_s: int
    arrival_target_s: int
    dispatch_s: float | None
    arrival_s: float | None
    dispatch_breached: bool
    arrival_breached: bool
    circle_id: str | None


class IncidentRead(BaseModel):
    id: str
    number: str
    received_at: datetime
    occurred_at: datetime | None
    source: str
    caller_phone_masked: str | None
    narrative: str
    address_text: str | None
    lng: float
    lat: float
    district_code: str
    station_code: str
    grid_code: str
    category_code: str
    sub_code: str | None
    category_label_zh: str
    category_label_en: str
    priority: int
    status: str
    status_label_zh: str
    status_label_en: str
    allowed_transitions: list[str]
    clock: ClockRead
    merged_into_id: str | None
    outcome: str | None = None
    units: list[str]


class IncidentDetail(IncidentRead):
    caller_phone: str | None
    calls: list[CallRead]
    timeline: list[TransitionRead]


class UnitRead(BaseModel):
    id: str
    call_sign: str
    kind: str
    station_code: str
    capabilities: list[str]
    status: str
    lng: float
    lat: float
    position_at: datetime | None
    stale: bool
    current_incident_id: str | None


class CandidateRead(BaseModel):
    unit_id: str
    call_sign: str
    kind: str
    rank: int
    eta_s: float
    distance_m: float
    reason_zh: str
    reason_en: str


class DuplicateRead(BaseModel):
    incident_id: str
    number: str
    distance_m: float
    minutes_apart: float
    same_category: bool
    narrative: str
