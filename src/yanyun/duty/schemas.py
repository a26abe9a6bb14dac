"""Request and response bodies of the duty context."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from yanyun.core.params import Instant
from yanyun.core.schemas import InputModel


class OfficerKind(StrEnum):
    police = "police"
    auxiliary = "auxiliary"


class Level(StrEnum):
    normal = "normal"
    level_3 = "level_3"
    level_2 = "level_2"
    level_1 = "level_1"


LEVEL_LABELS: dict[Level, tuple[str, str]] = {
    Level.normal: ("正常勤务", "Normal duty"),
    Level.level_3: ("三级勤务", "Level-3 duty"),
    Level.level_2: ("二级勤务", "Level-2 duty"),
    Level.level_1: ("一级勤务", "Level-1 duty"),
}
# Ordered from least to most demanding; level 2 and above cancels leave.
LEVEL_ORDER = (Level.normal, Level.level_3, Level.level_2, Level.level_1)


class PostKind(StrEnum):
    fixed_post = "fixed_post"
    quick_response = "quick_response"
    school_post = "school_post"
    # 巡逻必到点: a named point patrols must pass, checked in at any hour.
    patrol_point = "patrol_point"


class RequirementKind(StrEnum):
    skill = "skill"
    certification = "certification"
    post = "post"


# What a duty level can require officers by, with labels (zh, en). Skills and
# certifications are those officers' records carry; "mediation" covers
# negotiation too (调解谈判). Posts are where a rostered officer stands in a
# shift: crewing a quick-response platform or a fixed post, a mobile unit
# (patrol car, motorcycle, foot: a unit with no fixed post), or on reserve
# (备勤, crewing nothing). School-gate posts are staffed by their own windows
# and clock-in, not per shift, so they are not a requirement here.
REQUIREMENT_LABELS: dict[RequirementKind, dict[str, tuple[str, str]]] = {
    RequirementKind.skill: {
        "firearms": ("持枪（武装）", "Armed (firearms)"),
        "traffic": ("交通管理", "Traffic"),
        "mediation": ("调解谈判", "Mediation / negotiation"),
        "first_aid": ("急救", "First aid"),
        "driving": ("驾驶", "Driving"),
        "interview": ("询问", "Interviewing"),
        "anti_fraud": ("反诈", "Anti-fraud"),
        "english": ("英语", "English"),
        "drone": ("无人机", "Drone"),
        "patrol": ("巡逻", "Patrol"),
    },
    RequirementKind.certification: {
        "持枪证": ("持枪证", "Firearms licence"),
        "急救员证": ("急救员证", "First-aider certificate"),
        "C1驾驶证": ("C1驾驶证", "Driving licence (C1)"),
        "执法资格（基本级）": ("执法资格（基本级）", "Law-enforcement qualification, basic"),
        "执法资格（中级）": ("执法资格（中级）", "Law-enforcement qualification, intermediate"),
        "执法资格（高级）": ("执法资格（高级）", "Law-enforcement qualification, advanced"),
        "辅警上岗证": ("辅警上岗证", "Auxiliary officer licence"),
    },
    RequirementKind.post: {
        "quick_response": ("快警平台", "Quick-response platforms"),
        "fixed_post": ("固定执勤点", "Fixed posts"),
        "patrol": ("巡逻单元", "Mobile units"),
        "reserve": ("备勤", "Reserve"),
    },
}


class Requirement(InputModel):
    """Officers needed on duty in every shift of a level's window, over its whole area."""

    kind: RequirementKind
    code: str = Field(min_length=1, max_length=32)
    count: int = Field(ge=1, le=100_000)


class RequirementOption(BaseModel):
    kind: RequirementKind
    code: str
    label_zh: str
    label_en: str


class RequirementCatalogue(BaseModel):
    """What levels can require, and each level's default per station and shift."""

    options: list[RequirementOption]
    defaults_per_station: dict[str, list[Requirement]]


class RequirementStaffing(BaseModel):
    """One requirement in one shift slot: how many of the rostered officers meet it."""

    kind: RequirementKind
    code: str
    required: int
    available: int
    shortfall: int


class RequirementRead(BaseModel):
    """One requirement of a level over its window: the worst shift decides the shortfall."""

    kind: RequirementKind
    code: str
    label_zh: str
    label_en: str
    required: int
    available_min: int
    shortfall: int
    worst_shift_starts_at: datetime | None


class OfficerRead(BaseModel):
    id: str
    badge_no: str
    name_zh: str
    kind: str
    station_code: str
    rank: str
    skills: list[str]
    certifications: list[str]
    phone_masked: str | None
    team: str
    default_unit_id: str | None
    active: bool


class OfficerPage(BaseModel):
    total: int
    items: list[OfficerRead]


class OfficerContact(BaseModel):
    """The full contact of one officer: audited, with the case and purpose."""

    id: str
    name_zh: str
    phone: str | None


class StationStrength(BaseModel):
    station_code: str
    station_name_zh: str
    grade: int
    police: int
    auxiliary: int


class RosterEntryRead(BaseModel):
    id: str
    officer_id: str
    officer_name_zh: str
    officer_kind: str
    rank: str
    unit_id: str | None
    attendance: str
    on_leave: bool


class ShiftRead(BaseModel):
    id: str
    station_code: str
    day: date
    name: str
    team: str
    starts_at: datetime
    ends_at: datetime
    current: bool
    entries: list[RosterEntryRead]


class UnitCrewRead(BaseModel):
    unit_id: str
    crew: list[str]
    crewed: bool
    shift_id: str | None
    changed_at: datetime


class RosterRead(BaseModel):
    station_code: str
    station_name_zh: str
    shifts: list[ShiftRead]
    crews: list[UnitCrewRead]


class RosterEntryCreate(InputModel):
    officer_id: str = Field(min_length=1, max_length=26)
    unit_id: str | None = Field(None, max_length=32)


class RosterEntryUpdate(InputModel):
    unit_id: str | None = Field(None, max_length=32)
    attendance: str | None = Field(None, pattern="^(scheduled|present|absent)$")


class SwapCreate(InputModel):
    entry_id: str = Field(min_length=1, max_length=26)
    to_officer_id: str = Field(min_length=1, max_length=26)
    reason: str = Field(min_length=2, max_length=200)


class SwapDecision(InputModel):
    approve: bool


class SwapRead(BaseModel):
    id: str
    entry_id: str
    from_officer_id: str
    to_officer_id: str
    reason: str
    status: str
    requested_at: datetime
    decided_at: datetime | None


class LeaveCreate(InputModel):
    officer_id: str = Field(min_length=1, max_length=26)
    kind: str = Field("annual", pattern="^(annual|rest|sick|personal)$")
    starts_at: Instant
    ends_at: Instant


class LeaveRead(BaseModel):
    id: str
    officer_id: str
    officer_name_zh: str
    station_code: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    status: str


class LeaveCancelled(BaseModel):
    """How many leaves a duty level's window cancelled."""

    cancelled: int


class DutyLevelCreate(InputModel):
    area_kind: str = Field(pattern="^(district|station)$")
    area_code: str = Field(min_length=1, max_length=24)
    level: Level
    starts_at: Instant
    ends_at: Instant
    reason: str = Field(min_length=2, max_length=200)
    # None: the level's defaults (YANYUN_DUTY__LEVEL_REQUIREMENTS) times the
    # stations in the area; [] for none beyond the head count.
    requirements: list[Requirement] | None = Field(None, max_length=30)


class RequirementsUpdate(InputModel):
    requirements: list[Requirement] = Field(max_length=30)


class ShiftStaffing(BaseModel):
    """One shift slot of the area (e.g. the day shift of 11-23) against what the level needs."""

    day: date
    name: str
    starts_at: datetime
    ends_at: datetime
    rostered: int
    on_leave: int
    required: int
    shortfall: int
    requirements: list[RequirementStaffing] = []


class DutyLevelRead(BaseModel):
    id: str
    area_kind: str
    area_code: str
    area_name_zh: str
    level: Level
    label_zh: str
    label_en: str
    starts_at: datetime
    ends_at: datetime
    reason: str
    strength: int
    required_per_shift: int
    shortfall: int
    shifts: list[ShiftStaffing]
    requirements: list[RequirementRead]
    cancel_leave: bool
    leave_to_cancel: list[LeaveRead]


class PostRead(BaseModel):
    id: str
    kind: PostKind
    name_zh: str
    name_en: str
    station_code: str
    unit_id: str | None
    lng: float
    lat: float
    radius_m: float
    windows: list[list[str]]
    weekdays: list[int]
    required_officers: int


class PostPage(BaseModel):
    total: int
    items: list[PostRead]


class PostUpdate(InputModel):
    """A school's own settings: its peak windows, school days, gate radius and officers."""

    windows: list[list[str]] | None = Field(None, min_length=1, max_length=6)
    weekdays: list[int] | None = Field(None, min_length=1, max_length=7)
    radius_m: float | None = Field(None, ge=20, le=2000)
    required_officers: int | None = Field(None, ge=1, le=20)


class AreaRead(BaseModel):
    kind: str
    code: str
    name_zh: str
    name_en: str


class ClockInCreate(InputModel):
    """Proof of presence: the position and time as the device measured them."""

    officer_id: str = Field(min_length=1, max_length=26)
    lng: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    accuracy_m: float = Field(ge=0, le=100_000)
    at: Instant


class ClockInRead(BaseModel):
    id: str
    post_id: str
    officer_id: str
    device_at: datetime
    distance_m: float
    accepted: bool
    window: str | None


class ComplianceRow(BaseModel):
    post_id: str
    name_zh: str
    station_code: str
    window: str
    required: int
    present: int
    met: bool
    # False for a window of today that has not started yet: not counted in the rates.
    due: bool = True


class StationCompliance(BaseModel):
    station_code: str
    station_name_zh: str
    windows: int
    met: int
    rate: float


class ComplianceReport(BaseModel):
    day: date
    school_day: bool
    windows: int
    met: int
    rate: float
    rows: list[ComplianceRow]
    stations: list[StationCompliance]
