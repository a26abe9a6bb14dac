"""API shapes of volunteers (衡阳义警), their organisation and 一呼百应."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field, field_validator

from yanyun.community.schemas import ReadModel
from yanyun.community.selection import SKILLS
from yanyun.core.params import Instant
from yanyun.core.schemas import InputModel


class ActivityKind(StrEnum):
    patrol = "patrol"
    mediation = "mediation"
    civility = "civility"
    school_gate = "school_gate"
    publicity = "publicity"
    mobilisation = "mobilisation"


ACTIVITY_LABELS = {
    "patrol": ("巡逻防控", "patrol"),
    "mediation": ("矛盾调解", "mediation"),
    "civility": ("文明劝导", "civility guidance"),
    "school_gate": ("护学岗", "school-gate guarding"),
    "publicity": ("法治宣传", "publicity"),
    "mobilisation": ("一呼百应", "call-out"),
}
LEVEL_LABELS = {
    "corps": ("总队", "city corps"),
    "detachment": ("支队", "county detachment"),
    "brigade": ("大队", "township brigade"),
    "squad": ("中队", "squad"),
}
RESPONSE_LABELS = {
    "called": ("已呼叫", "called"),
    "accepted": ("已响应", "accepted"),
    "declined": ("已婉拒", "declined"),
    "arrived": ("已到场", "arrived"),
    "stood_down": ("已解散", "stood down"),
}
def _check_skills(value: list[str]) -> list[str]:
    unknown = [s for s in value if s not in SKILLS]
    if unknown:
        raise ValueError(f"unknown skill(s) 未知技能: {', '.join(unknown)}")
    return sorted(set(value), key=SKILLS.index)


class VolunteerCreate(InputModel):
    name_zh: str = Field(min_length=1, max_length=32)
    lng: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    skills: list[str] = Field(default_factory=list, max_length=len(SKILLS))
    squad_id: str | None = Field(None, max_length=40)
    available: bool = True
    grid_patroller: bool = False

    @field_validator("skills")
    @classmethod
    def _skills_known(cls, value: list[str]) -> list[str]:
        return _check_skills(value)


class VolunteerUpdate(InputModel):
    available: bool | None = None
    skills: list[str] | None = Field(None, max_length=len(SKILLS))
    grid_patroller: bool | None = None

    @field_validator("skills")
    @classmethod
    def _skills_known(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _check_skills(value)


class VolunteerRead(ReadModel):
    id: str
    name_zh: str
    squad_id: str | None
    home_grid_code: str
    station_code: str
    skills: list[str]
    available: bool
    grid_patroller: bool
    # Where a volunteer lives: only for those who call volunteers out.
    lng: float | None
    lat: float | None
    hours_total: float


class VolunteerPage(BaseModel):
    total: int
    items: list[VolunteerRead]


class ActivityCreate(InputModel):
    kind: ActivityKind
    started_at: Instant
    hours: float = Field(gt=0, le=24)


class ActivityRead(ReadModel):
    id: str
    volunteer_id: str
    kind: str
    started_at: datetime
    hours: float


class UnitRead(ReadModel):
    id: str
    level: str
    parent_id: str | None
    name_zh: str
    name_en: str
    station_code: str | None
    volunteers: int = 0
    children: int = 0
    rally_points: int = 0


class MobilisationCreate(InputModel):
    """A call for volunteers: at a place, for a purpose, with the skills and numbers needed."""

    source_type: str = Field("event", pattern=r"^(incident|event)$")
    source_id: str | None = Field(None, max_length=26)
    title: str = Field(min_length=2, max_length=200)
    lng: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    category_code: str | None = Field(None, max_length=8)
    sub_code: str | None = Field(None, max_length=8)
    volunteer_safe: bool | None = Field(
        None, description="The catalogue's flag when the caller knows it; false always refuses."
    )
    skills: list[str] = Field(default_factory=list, max_length=len(SKILLS))
    headcount: int = Field(ge=1, le=1000)
    radius_m: float | None = Field(None, gt=0, le=50_000)

    @field_validator("skills")
    @classmethod
    def _skills_known(cls, value: list[str]) -> list[str]:
        return _check_skills(value)


class FromIncidentIn(InputModel):
    skills: list[str] = Field(default_factory=list, max_length=len(SKILLS))
    headcount: int = Field(5, ge=1, le=1000)
    radius_m: float | None = Field(None, gt=0, le=50_000)

    @field_validator("skills")
    @classmethod
    def _skills_known(cls, value: list[str]) -> list[str]:
        return _check_skills(value)


class ResponseAction(InputModel):
    action: str = Field(pattern=r"^(accept|decline|arrive)$")


class StandDownIn(InputModel):
    reason: str = Field("任务完成", min_length=1, max_length=200)


class ResponseRead(BaseModel):
    id: str
    volunteer_id: str
    volunteer_name: str
    distance_m: float
    eta_s: float
    status: str
    status_label_zh: str
    status_label_en: str
    called_at: datetime
    responded_at: datetime | None
    arrived_at: datetime | None
    stood_down_at: datetime | None


class MobilisationRead(BaseModel):
    id: str
    source_type: str
    source_id: str | None
    title: str
    category_code: str | None
    sub_code: str | None
    lng: float
    lat: float
    grid_code: str
    station_code: str
    skills: list[str]
    headcount: int
    radius_m: float
    status: str
    created_at: datetime
    stood_down_at: datetime | None
    stand_down_reason: str | None
    counts: dict[str, int]
    responses: list[ResponseRead] = []
    selection_ms: float | None = None


class IncidentRefRead(ReadModel):
    id: str
    number: str
    category_code: str
    sub_code: str | None
    status: str
    lng: float
    lat: float
    station_code: str
    station_name_zh: str | None = None
    received_at: datetime
    volunteer_safe: bool = True


class AnswerAction(StrEnum):
    accept = "accept"
    decline = "decline"
    arrive = "arrive"


class CallAnswer(InputModel):
    """A volunteer's answer from their phone, keyed so a resend is applied once."""

    key: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    action: AnswerAction
    lng: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    accuracy_m: float | None = Field(None, ge=0, le=100_000)


class MyCallRead(BaseModel):
    """One call as the volunteer who was called sees it."""

    call_id: str
    title: str
    lng: float
    lat: float
    call_status: str
    my_status: str
    status_label_zh: str
    status_label_en: str
    distance_m: float
    eta_s: float
    called_at: datetime
    arrived_at: datetime | None
    stood_down_at: datetime | None
    arrive_radius_m: float


class MyVolunteerRead(BaseModel):
    """The volunteer app's whole screen: who, their hours, their calls."""

    volunteer_id: str
    name: str
    station_code: str
    available: bool
    hours_total: float
    calls: list[MyCallRead]
    activities: list[ActivityRead]


class AnswerRead(BaseModel):
    """What an answer came to; ``replayed`` when this key had been applied before."""

    call_id: str
    my_status: str
    replayed: bool
