"""What case work sends and reads."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from yanyun.core.params import Instant
from yanyun.core.schemas import InputModel

CASE_KINDS: dict[str, tuple[str, str]] = {
    "criminal": ("刑事案件", "criminal"),
    "traffic": ("交通肇事", "traffic"),
    "public_order": ("治安案件", "public order"),
    "fraud": ("电信网络诈骗", "telecom fraud"),
    "special": ("专案", "special operation"),
}
CASE_STATUS: dict[str, tuple[str, str]] = {
    "open": ("在办", "open"),
    "suspended": ("中止", "suspended"),
    "solved": ("已破案", "solved"),
    "closed": ("已结案", "closed"),
}

CaseKind = Literal[tuple(CASE_KINDS)]  # type: ignore[valid-type]
CaseStatus = Literal[tuple(CASE_STATUS)]  # type: ignore[valid-type]


class CaseCreate(InputModel):
    """Open a case; from an incident, its place, time and narrative come along."""

    kind: CaseKind
    title: str | None = Field(None, min_length=2, max_length=200)
    summary: str | None = Field(None, max_length=4000)
    incident_id: str | None = Field(None, min_length=1, max_length=26)


class MemberAdd(InputModel):
    username: str = Field(min_length=1, max_length=64)


class StatusChange(InputModel):
    status: CaseStatus
    note: str | None = Field(None, max_length=1000)
    suspects_detained: int | None = Field(None, ge=0, le=10_000)
    amount_recovered_yuan: float | None = Field(None, ge=0, le=1e12)


class CaseTaskIn(InputModel):
    """A task to any unit (or person) for the case, supervised by 督 with its deadline."""

    title: str = Field(min_length=2, max_length=200)
    detail: str | None = Field(None, max_length=2000)
    org_code: str | None = Field(None, min_length=1, max_length=48)
    username: str | None = Field(None, min_length=1, max_length=64)
    due_at: Instant


class CaseTaskRead(BaseModel):
    id: str
    title: str
    owner_org_code: str
    owner_user_id: str | None
    status: str
    due_at: datetime
    done_at: datetime | None


class NoteIn(InputModel):
    text: str = Field(min_length=1, max_length=1000)


class MemberRead(BaseModel):
    user_id: str
    username: str
    display_name: str
    org_code: str
    role: str
    added_at: datetime


class EntryRead(BaseModel):
    at: datetime
    actor: str | None
    kind: str
    text: str
    detail: dict[str, Any]


class LinkedIncident(BaseModel):
    """An incident the case grew from, as the workspace links it: its id and its number."""

    id: str
    number: str


class CaseRead(BaseModel):
    id: str
    number: str
    kind: str
    title: str
    summary: str
    status: str
    status_zh: str
    status_en: str
    owner: str
    opened_at: datetime
    closed_at: datetime | None
    occurred_at: datetime | None
    lng: float | None
    lat: float | None
    solved_at: datetime | None
    suspects_detained: int
    amount_recovered_yuan: float
    incident_ids: list[str]
    incidents: list[LinkedIncident] = []
    my_role: str | None


class CaseDetail(CaseRead):
    members: list[MemberRead]
    tasks: list[CaseTaskRead]
    timeline: list[EntryRead]
