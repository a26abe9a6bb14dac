"""What anti-fraud warning work takes and answers (victims always masked)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from yanyun.core.params import Day
from yanyun.core.schemas import InputModel

SOURCES: dict[str, tuple[str, str]] = {
    "national": ("国家反诈中心", "national anti-fraud centre"),
    "provincial": ("省反诈中心", "provincial anti-fraud centre"),
    "bank": ("银行", "bank"),
    "carrier": ("通信运营商", "carrier"),
    "96110": ("96110预警专线", "96110 warning line"),
    "public": ("群众举报", "the public"),
}
OUTCOMES: dict[str, tuple[str, str]] = {
    "dissuaded": ("劝阻成功", "dissuaded"),
    "defrauded": ("已受骗", "defrauded"),
    "unreachable": ("无法联系", "unreachable"),
    "false_alarm": ("误报", "false alarm"),
    "case_opened": ("已转案件", "passed to a case"),
}
CHANNELS: dict[str, tuple[str, str]] = {"phone": ("电话", "phone"), "visit": ("上门", "in person")}

Source = Literal[tuple(SOURCES)]  # type: ignore[valid-type]
Outcome = Literal[tuple(OUTCOMES)]  # type: ignore[valid-type]
Channel = Literal[tuple(CHANNELS)]  # type: ignore[valid-type]


class WarningPush(InputModel):
    """A sender's batch: its rows are checked one by one (a bad row is quarantined)."""

    source: Source
    warnings: list[dict[str, Any]] = Field(min_length=1, max_length=50_000)


class RowError(BaseModel):
    row: int
    field: str
    reason_zh: str
    reason_en: str


class IntakeResult(BaseModel):
    batch_id: str
    rows: int
    accepted: int
    already_known: int
    rejected: list[RowError]


class ContactIn(InputModel):
    channel: Channel
    reached: bool
    note: str | None = Field(None, max_length=500)


class OutcomeIn(InputModel):
    outcome: Outcome
    note: str | None = Field(None, max_length=500)


class StopPaymentIn(InputModel):
    """止付冻结 of a defrauded person's money at a bank."""

    bank: str = Field(min_length=2, max_length=64)
    account: str = Field(min_length=4, max_length=64)
    amount_lost_yuan: float = Field(ge=0, le=1e10)
    # Kept as stated only with no bank adapter; through the webhook the bank's answer counts.
    amount_stopped_yuan: float = Field(0.0, ge=0, le=1e10)


class BankAnswer(InputModel):
    """The bank's signed callback: the request frozen (with the amount) or refused."""

    request_id: str = Field(min_length=1, max_length=26)
    status: Literal["frozen", "refused"]
    amount_frozen_yuan: float = Field(0.0, ge=0, le=1e10)
    bank_ref: str | None = Field(None, max_length=64)
    reason: str | None = Field(None, max_length=200)


class StopPaymentRead(BaseModel):
    id: str
    requested_at: datetime
    requested_by: str
    bank: str
    account: str
    amount_lost_yuan: float
    amount_stopped_yuan: float
    state: str
    attempts: int
    sent_at: datetime | None
    answered_at: datetime | None
    bank_ref: str
    last_error: str


class VictimQuery(InputModel):
    purpose: str = Field(min_length=1, max_length=200)


class VictimRead(BaseModel):
    warning_id: str
    number: str
    name: str
    phone: str
    id_number: str | None


class ContactRead(BaseModel):
    at: datetime
    channel: str
    by: str
    reached: bool
    note: str


class WarningRead(BaseModel):
    id: str
    number: str
    source: str
    received_at: datetime
    victim_name: str
    victim_phone: str
    victim_id_number: str | None
    victim_age: int | None
    address: str
    lng: float
    lat: float
    district_code: str
    station_code: str
    grid_code: str
    fraud_type: str
    fraud_type_zh: str
    fraud_type_en: str
    suspect_account: str
    amount_yuan: float
    grade: str
    score: int
    rules_version: str
    grade_reasons: list[str]
    phone_due_at: datetime
    visit_due_at: datetime
    first_phone_at: datetime | None
    first_visit_at: datetime | None
    #: Each contact's first time against its deadline: late if logged after it, None until then.
    phone_late: bool | None = None
    visit_late: bool | None = None
    #: A closed warning whose in-person visit is still owed (补录走访 is offered for it).
    visit_owed: bool = False
    status: str
    outcome: str | None
    closed_at: datetime | None
    overdue_at: datetime | None
    repeat_victim: bool
    repeat_suspect: bool
    stopped_yuan: float
    synthetic: bool
    case_id: str | None = None
    case_number: str | None = None


class WarningDetail(WarningRead):
    contacts: list[ContactRead]
    stop_payments: list[StopPaymentRead] = []


class QuarantineRead(BaseModel):
    id: str
    batch_id: str
    received_at: datetime
    source: str
    row_number: int
    field: str
    reason_zh: str
    reason_en: str


class DayFigures(BaseModel):
    day: str
    warnings: int
    high: int
    dissuaded: int
    defrauded: int
    stopped_yuan: float


class Figures(BaseModel):
    """The desk's figures, computed from the records of the caller's scope."""

    now: datetime
    today: DayFigures
    days: list[DayFigures]
    month: DayFigures
    half_year: DayFigures
    by_station: list[dict[str, Any]]
    by_type: list[dict[str, Any]]


class TrendRow(BaseModel):
    code: str
    zh: str
    en: str
    count: int
    previous: int
    change: int
    change_pct: float | None


class Trends(BaseModel):
    """Warnings per fraud type and per district in one calendar period and the one before."""

    period: str
    start: date
    end: date
    previous_start: date
    previous_end: date
    total: int
    previous_total: int
    by_type: list[TrendRow]
    by_district: list[TrendRow]


class PublicityIn(InputModel):
    """反诈宣传: one activity held by a station."""

    station_code: str = Field(min_length=1, max_length=48)
    held_on: Day
    place: str = Field(min_length=2, max_length=200)
    audience: int = Field(ge=0, le=1_000_000)
    fraud_types: list[str] = Field(default_factory=list, max_length=20)
    note: str | None = Field(None, max_length=500)


class PublicityRead(BaseModel):
    id: str
    station_code: str
    held_on: date
    place: str
    audience: int
    fraud_types: list[str]
    note: str
    recorded_by: str
    recorded_at: datetime


class PublicityCount(BaseModel):
    station_code: str
    month: str
    events: int
    audience: int


class PublicityList(BaseModel):
    since: date
    events: list[PublicityRead]
    per_station_month: list[PublicityCount]
