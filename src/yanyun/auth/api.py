"""Routes for logins, the org tree, users and the audit trail."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import AwareDatetime

from yanyun.auth import logins, service
from yanyun.auth.deps import SESSION_COOKIE, bearer_or_cookie, public, require
from yanyun.auth.models import User
from yanyun.auth.permissions import ROLE_LABELS, Perm, Role
from yanyun.auth.schemas import (
    LoginRequest,
    MeRead,
    OrgUnitRead,
    TokenRead,
    UserContact,
    UserCreate,
    UserRead,
)
from yanyun.auth.service import Actor
from yanyun.core import audit
from yanyun.core.clock import as_utc
from yanyun.core.http import ClockDep, RuntimeDep, SessionDep, SettingsDep
from yanyun.core.params import PathKey

router = APIRouter(prefix="/api/v1", tags=["auth"])


def user_read(user: User) -> UserRead:
    return UserRead(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        roles=list(user.roles),
        org_code=user.org_code,
        phone_masked=service.mask_phone(user.phone),
        active=user.active,
    )


@router.post("/auth/login", response_model=TokenRead, dependencies=[Depends(public)])
def login(
    body: LoginRequest,
    request: Request,
    response: Response,
    runtime: RuntimeDep,
    settings: SettingsDep,
) -> TokenRead:
    """Exchange a user name and password for a token (failures are throttled).

    API clients send the token back as a bearer header; the pages never see
    it: it also comes as an HttpOnly, SameSite=Strict session cookie.
    """
    issued = logins.login(
        runtime=runtime,
        settings=settings.auth,
        username=body.username,
        password=body.password,
        client=request.client.host if request.client else None,
    )
    ttl = max(0, int((as_utc(issued.expires_at) - runtime.clock.now()).total_seconds()))
    response.set_cookie(
        SESSION_COOKIE,
        issued.token,
        max_age=ttl,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return TokenRead(
        access_token=issued.token,
        expires_at=issued.expires_at,
        expires_in_s=ttl,
        user=user_read(issued.user),
    )


@router.post("/auth/logout", status_code=204)
def logout(
    response: Response,
    session: SessionDep,
    clock: ClockDep,
    actor: Annotated[Actor, Depends(require(Perm.account))],
    token: Annotated[str, Depends(bearer_or_cookie)],
) -> None:
    """Revoke the token this request carries, and clear the pages' session cookie."""
    service.logout(session=session, clock=clock, token=token)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")


@router.get("/auth/me", response_model=MeRead)
def me(session: SessionDep, actor: Annotated[Actor, Depends(require(Perm.account))]) -> MeRead:
    """The logged-in user, their permissions and their org scope."""
    user = session.get(User, actor.user_id)
    assert user is not None
    return MeRead(
        user=user_read(user),
        permissions=sorted(p.value for p in actor.permissions),
        org_path=actor.org_path,
    )


@router.get("/auth/roles")
def roles(actor: Annotated[Actor, Depends(require(Perm.account))]) -> list[dict]:
    """The roles with their Chinese and English labels."""
    return [
        {"role": r.value, "label_zh": ROLE_LABELS[r][0], "label_en": ROLE_LABELS[r][1]}
        for r in Role
    ]


@router.get("/org/units", response_model=list[OrgUnitRead])
def org_units(
    session: SessionDep,
    actor: Annotated[Actor, Depends(require(Perm.org_read))],
    kind: Annotated[str | None, Query(pattern="^(bureau|branch|station|grid)$")] = None,
    limit: Annotated[int, Query(ge=1, le=10000)] = 1000,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list:
    """Org units within the caller's scope, by path."""
    return service.list_org_units(
        session=session, actor=actor, kind=kind, limit=limit, offset=offset
    )


@router.get("/users", response_model=list[UserRead])
def list_users(
    session: SessionDep,
    actor: Annotated[Actor, Depends(require(Perm.users_read))],
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[UserRead]:
    """Users within the caller's scope; phone numbers masked."""
    users = service.list_users(session=session, actor=actor, limit=limit, offset=offset)
    return [user_read(u) for u in users]


@router.post("/users", response_model=UserRead, status_code=201)
def create_user(
    body: UserCreate,
    session: SessionDep,
    clock: ClockDep,
    actor: Annotated[Actor, Depends(require(Perm.users_write))],
) -> UserRead:
    """Create a user with roles and an org scope."""
    return user_read(service.create_user(session=session, clock=clock, user_in=body))


@router.get("/users/{user_id}/contact", response_model=UserContact)
def user_contact(
    user_id: PathKey,
    session: SessionDep,
    clock: ClockDep,
    actor: Annotated[Actor, Depends(require(Perm.personal_read))],
    purpose: Annotated[str | None, Query(max_length=500)] = None,
    case_number: Annotated[str | None, Query(max_length=64)] = None,
) -> UserContact:
    """A user's full phone number: needs a case number and a purpose, and is audited."""
    user = service.read_user_contact(
        session=session,
        clock=clock,
        actor=actor,
        user_id=user_id,
        purpose=purpose,
        case_number=case_number,
    )
    return UserContact(id=user.id, username=user.username, phone=user.phone)


@router.get("/audit")
def audit_log(
    session: SessionDep,
    actor: Annotated[Actor, Depends(require(Perm.audit_read))],
    user_id: Annotated[str | None, Query(max_length=32)] = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
    resource_type: Annotated[str | None, Query(max_length=64)] = None,
    resource_id: Annotated[str | None, Query(max_length=64)] = None,
    case_number: Annotated[str | None, Query(max_length=64)] = None,
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
    after_id: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict]:
    """Read the append-only audit trail; there is no route to change it."""
    rows = audit.query(
        session,
        user_id=user_id,
        action=action,
        resource_type=resource_type,
        resource_id=resource_id,
        case_number=case_number,
        since=since,
        until=until,
        after_id=after_id,
        limit=limit,
    )
    return [
        {
            "id": r.id,
            "at": r.at,
            "user_id": r.user_id,
            "username": r.username,
            "role": r.role,
            "action": r.action,
            "resource_type": r.resource_type,
            "resource_id": r.resource_id,
            "purpose": r.purpose,
            "case_number": r.case_number,
            "detail": r.detail,
        }
        for r in rows
    ]
