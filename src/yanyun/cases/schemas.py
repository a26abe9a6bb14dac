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


PARTY_KINDS: dict[str, tuple[str, str]] = {
    "plate": ("机动车号牌", "car plate"),
    "ebike": ("电动车号牌", "e-bike plate"),
    "phone": ("手机号", "phone number"),
    "person": ("人员", "person"),
}
PARTY_ROLES: dict[str, tuple[str, str]] = {
    "suspect": ("嫌疑人", "suspect"),
    "victim": ("被害人", "victim"),
    "witness": ("证人", "witness"),
    "other": ("关系人", "other"),
}
EVIDENCE_KINDS: dict[str, tuple[str, str]] = {
    "photo": ("照片/文件", "photo or file"),
    "clip": ("监控录像", "camera clip"),
    "document": ("文书", "document"),
}
PartyKind = Literal[tuple(PARTY_KINDS)]  # type: ignore[valid-type]
PartyRole = Literal[tuple(PARTY_ROLES)]  # type: ignore[valid-type]
EvidenceKind = Literal[tuple(EVIDENCE_KINDS)]  # type: ignore[valid-type]


class PartyIn(InputModel):
    """A person or vehicle of interest: the field its kind needs, checked by the service."""

    kind: PartyKind
    role: PartyRole
    plate: str | None = Field(None, min_length=2, max_length=16)
    phone: str | None = Field(None, min_length=1, max_length=16)
    name: str | None = Field(None, min_length=1, max_length=64)
    id_number: str | None = Field(None, min_length=1, max_length=18)
    note: str = Field("", max_length=500)


class PartyRemove(InputModel):
    reason: str = Field(min_length=2, max_length=200)


class RevealIn(InputModel):
    """Why the full value is needed; the read is bound to the case and audited."""

    purpose: str = Field(min_length=1, max_length=500)


class PartyRead(BaseModel):
    """A party as everyone on the case sees it: phone, name and ID number masked."""

    id: str
    kind: str
    role: str
    plate: str | None
    phone: str | None
    name: str | None
    id_number: str | None
    note: str
    added_by: str
    added_at: datetime
    removed_at: datetime | None
    removed_by: str | None
    removed_reason: str | None


class PartyRevealed(BaseModel):
    """The full values of one party, read under the case (on its timeline and the audit)."""

    id: str
    kind: str
    plate: str | None
    phone: str | None
    name: str | None
    id_number: str | None
    case_number: str


class EvidenceIn(InputModel):
    """A reference: a stored photo or file by its SHA-256, a camera clip, a document number."""

    kind: EvidenceKind
    title: str = Field(min_length=2, max_length=200)
    photo_digest: str | None = Field(None, min_length=64, max_length=64)
    camera_code: str | None = Field(None, min_length=1, max_length=16)
    clip_start: Instant | None = None
    clip_end: Instant | None = None
    document_number: str | None = Field(None, min_length=2, max_length=64)


class EvidenceRead(BaseModel):
    id: str
    kind: str
    title: str
    photo_digest: str | None
    camera_code: str | None
    clip_start: datetime | None
    clip_end: datetime | None
    document_number: str | None
    added_by: str
    added_at: datetime


class CaseDetail(CaseRead):
    members: list[MemberRead]
    tasks: list[CaseTaskRead]
    timeline: list[EntryRead]
    parties: list[PartyRead] = []
    evidence: list[EvidenceRead] = []
