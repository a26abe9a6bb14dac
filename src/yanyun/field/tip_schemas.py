"""What the public sends with a tip, what they may read back, and the officers' queue."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from yanyun.core.schemas import InputModel

#: A tip's states, zh and en, as the tipster reads them.
TIP_STATUS: dict[str, tuple[str, str]] = {
    "received": ("已受理，等待民警核查", "received, waiting for an officer"),
    "converted": ("已核查处理", "checked and acted on"),
    "dismissed": ("已核查，未发现需处置的情况", "checked; nothing found to act on"),
}


class TipChallenge(BaseModel):
    challenge: str
    bits: int = Field(description="Find a nonce so SHA-256(challenge + ':' + nonce) "
                      "starts with this many zero bits.")


class TipCreate(InputModel):
    text: str = Field(min_length=5, max_length=2000, description="What was seen (至少5字)")
    place_text: str | None = Field(None, max_length=200)
    lng: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    contact_phone: str | None = Field(None, pattern=r"^\+?[0-9][0-9 -]{5,20}$")
    challenge: str = Field(min_length=10, max_length=200)
    nonce: str = Field(min_length=1, max_length=32, pattern=r"^[0-9A-Za-z]+$")


class TipReceipt(BaseModel):
    """Shown once to the tipster: keep the number and the code to follow the tip."""

    number: str
    receipt_code: str
    status: str


class TipStatusRead(BaseModel):
    number: str
    status: str
    status_zh: str
    status_en: str
    received_at: datetime
    public_reply: str | None


class TipRead(BaseModel):
    id: str
    number: str
    received_at: datetime
    text: str
    place_text: str | None
    lng: float | None
    lat: float | None
    contact_phone_masked: str | None
    status: str
    outcome: str | None
    public_reply: str | None
    note: str | None
    handled_by: str | None
    handled_at: datetime | None
    incident_id: str | None
    report_id: str | None


class TipPage(BaseModel):
    total: int
    items: list[TipRead]


class TipTriage(InputModel):
    """What the officer makes of a tip: an incident, a grid report, an intelligence note, or
    nothing; the reply is what the tipster reads."""

    outcome: Literal["incident", "grid_report", "intel_note", "dismissed"]
    category_code: str | None = Field(None, min_length=2, max_length=8)
    sub_code: str | None = Field(None, min_length=4, max_length=8)
    note: str | None = Field(None, max_length=500)
    public_reply: str | None = Field(None, max_length=500)


class TipLookup(InputModel):
    number: str = Field(min_length=4, max_length=20, pattern=r"^[A-Za-z0-9]+$")
    code: str = Field(min_length=8, max_length=8, pattern=r"^[A-Za-z0-9]+$")
