"""What the yardstick reads out and what callbacks take in."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from yanyun.core.schemas import InputModel

Result = Literal["satisfied", "fair", "unsatisfied"]


class UnitFigure(BaseModel):
    code: str
    name_zh: str
    name_en: str
    value: float | None
    last_year: float | None
    yoy: float | None
    rank: int


class IndicatorFigure(BaseModel):
    id: str
    group: str
    name_zh: str
    name_en: str
    measure: str
    good: Literal["up", "down"]
    target: float | None
    value: float | None
    last_year: float | None
    previous: float | None
    yoy: float | None
    pop: float | None
    better: bool | None
    records: int
    months: list[tuple[str, float | None]]
    units: list[UnitFigure]


class YardstickRead(BaseModel):
    version: str
    org: str | None
    level: str
    name_zh: str
    name_en: str
    first: str
    last: str
    indicators: list[IndicatorFigure]


class RecordRow(BaseModel):
    id: str
    number: str
    received_at: datetime
    category_code: str
    sub_code: str | None
    station_code: str
    status: str


class RecordPage(BaseModel):
    indicator: str
    total: int
    rows: list[RecordRow]


class CallbackRead(BaseModel):
    id: str
    incident_id: str
    incident_number: str
    station_code: str
    closed_at: datetime
    status: str
    channel: str | None
    result: str | None
    reason: str | None
    answered_at: datetime | None


class CallbackAnswer(InputModel):
    """An operator's record of a phone callback."""

    result: Result
    reason: str | None = Field(None, max_length=500)


class CallbackLink(BaseModel):
    url: str
    expires_in_days: int


class PublicAnswer(InputModel):
    """The caller's own answer through the SMS link's one-page form."""

    token: str = Field(min_length=20, max_length=200)
    result: Result
    reason: str | None = Field(None, max_length=500)
