"""API shapes of logins, users and org units."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from yanyun.auth.permissions import Role
from yanyun.core.schemas import InputModel


class LoginRequest(InputModel):

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class TokenRead(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: datetime
    # The client counts down from its own clock: a phone or PC whose clock is off
    # would otherwise drop a fresh token at once or keep a dead one.
    expires_in_s: int
    user: UserRead


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    username: str
    display_name: str
    roles: list[str]
    org_code: str
    phone_masked: str | None = None
    active: bool


class UserCreate(InputModel):

    username: str = Field(min_length=3, max_length=64, pattern=r"^[a-z0-9_.-]+$")
    display_name: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=10, max_length=256)
    roles: list[Role] = Field(min_length=1)
    org_code: str = Field(min_length=1, max_length=48)
    phone: str | None = Field(None, pattern=r"^\+?[0-9][0-9 -]{5,20}$")


class UserContact(BaseModel):
    """A user's full contact details, returned only with an audited purpose."""

    id: str
    username: str
    phone: str | None


class OrgUnitRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    kind: str
    name_zh: str
    name_en: str
    parent_code: str | None
    path: str


class MeRead(BaseModel):
    user: UserRead
    permissions: list[str]
    org_path: str
