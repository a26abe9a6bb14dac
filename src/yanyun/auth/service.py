"""Logins, tokens, throttling, users and the org tree."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from yanyun.auth.models import AuthToken, OrgUnit, User
from yanyun.auth.permissions import Perm, permissions_of
from yanyun.auth.schemas import UserCreate
from yanyun.core import audit, events
from yanyun.core.clock import Clock, as_utc
from yanyun.core.errors import Conflict, Invalid, NotFound, Unauthenticated
from yanyun.core.ids import new_id
from yanyun.events.auth import UserCreated

hasher = PasswordHasher()
# Verified when the user name is unknown, so timing does not reveal which names exist.
DUMMY_HASH = hasher.hash("not-a-real-password")


@dataclass(frozen=True)
class Actor:
    """The authenticated user behind a request, with what they may do and see."""

    user_id: str
    username: str
    roles: tuple[str, ...]
    org_code: str
    org_path: str
    permissions: frozenset[Perm]

    @property
    def primary_role(self) -> str:
        return self.roles[0] if self.roles else ""

    def can(self, perm: Perm) -> bool:
        return perm in self.permissions

    def scope(self, stmt: Any, column: Any) -> Any:
        """Limit a query to rows whose org path lies within this actor's scope."""
        if not self.org_path:
            return stmt
        return stmt.where((column == self.org_path) | column.startswith(self.org_path + "/"))

    def sees(self, org_path: str) -> bool:
        """Whether a record at `org_path` lies within this actor's org scope."""
        return events.visible_to(org_path, self.org_path)


def hash_password(password: str) -> str:
    return hasher.hash(password)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def mask_phone(phone: str | None) -> str | None:
    """Keep the first three and last four digits, as Chinese systems show numbers.

    >>> mask_phone("13812345678")
    '138****5678'
    >>> mask_phone("12345") is None
    False
    """
    if not phone:
        return None
    digits = phone.replace(" ", "").replace("-", "")
    if len(digits) <= 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def authenticate(*, session: Session, clock: Clock, token: str) -> Actor:
    """Resolve a bearer token to its actor, refusing unknown, expired or revoked ones."""
    # One round trip: every request pays for this lookup.
    found = session.execute(
        select(
            AuthToken.revoked_at,
            AuthToken.expires_at,
            User.id,
            User.username,
            User.roles,
            User.org_code,
            User.active,
            OrgUnit.path,
        )
        .join(User, User.id == AuthToken.user_id)
        .outerjoin(OrgUnit, OrgUnit.code == User.org_code)
        .where(AuthToken.token_hash == token_digest(token))
    ).first()
    if found is None:
        raise Unauthenticated("登录凭证无效，请重新登录", "invalid token; log in again")
    if found.revoked_at is not None:
        raise Unauthenticated("登录凭证已注销，请重新登录", "token revoked; log in again")
    if as_utc(found.expires_at) <= clock.now():
        raise Unauthenticated("登录已过期，请重新登录", "token expired; log in again")
    if not found.active:
        raise Unauthenticated("账号已停用", "account disabled")
    return Actor(
        user_id=found.id,
        username=found.username,
        roles=tuple(found.roles),
        org_code=found.org_code,
        org_path=found.path or "",
        permissions=permissions_of(found.roles),
    )


def actor_for(*, session: Session, user: User) -> Actor:
    org = session.get(OrgUnit, user.org_code)
    return Actor(
        user_id=user.id,
        username=user.username,
        roles=tuple(user.roles),
        org_code=user.org_code,
        org_path=org.path if org else "",
        permissions=permissions_of(user.roles),
    )


def logout(*, session: Session, clock: Clock, token: str) -> None:
    row = session.get(AuthToken, token_digest(token))
    if row is not None and row.revoked_at is None:
        row.revoked_at = clock.now()


@dataclass(frozen=True)
class OrgUnitSpec:
    """An org unit to create under a parent (a branch, a station, a grid of a new city)."""

    code: str
    kind: str
    name_zh: str
    name_en: str
    parent_code: str


def bureau_code(*, session: Session) -> str:
    """The city bureau's code, the root of the org tree ("" before a city is built)."""
    return session.scalar(select(OrgUnit.code).where(OrgUnit.kind == "bureau")) or ""


def add_org_units(*, session: Session, units: list[OrgUnitSpec]) -> int:
    """Create a city's org tree in one statement, parents before children; how many.

    Each unit's path is its parent's path and its own code: given in tree
    order, every parent is either already stored or earlier in the list.
    """
    paths = {
        code: path
        for code, path in session.execute(
            select(OrgUnit.code, OrgUnit.path).where(
                OrgUnit.code.in_({u.parent_code for u in units})
            )
        )
    }
    rows = []
    for unit in units:
        parent_path = paths.get(unit.parent_code)
        if parent_path is None:
            raise NotFound("org_unit", unit.parent_code)
        paths[unit.code] = f"{parent_path}/{unit.code}"
        rows.append({
            "code": unit.code, "kind": unit.kind, "name_zh": unit.name_zh,
            "name_en": unit.name_en, "parent_code": unit.parent_code, "path": paths[unit.code],
        })
    if rows:
        session.execute(insert(OrgUnit), rows)
    return len(rows)


def ensure_org_unit(
    *,
    session: Session,
    code: str,
    kind: str,
    name_zh: str,
    name_en: str,
    parent_code: str | None,
) -> OrgUnit:
    """Create an org unit or return the existing one (idempotent city builds)."""
    existing = session.get(OrgUnit, code)
    if existing is not None:
        return existing
    parent_path = ""
    if parent_code is not None:
        parent = session.get(OrgUnit, parent_code)
        if parent is None:
            raise NotFound("org_unit", parent_code)
        parent_path = parent.path
    unit = OrgUnit(
        code=code,
        kind=kind,
        name_zh=name_zh,
        name_en=name_en,
        parent_code=parent_code,
        path=f"{parent_path}/{code}" if parent_path else code,
    )
    session.add(unit)
    return unit


def org_path_of(*, session: Session, code: str) -> str:
    unit = session.get(OrgUnit, code)
    if unit is None:
        raise NotFound("org_unit", code)
    return unit.path


def list_org_units(
    *, session: Session, actor: Actor, kind: str | None = None, limit: int = 1000, offset: int = 0
) -> list[OrgUnit]:
    """Org units within the actor's scope (and their ancestors are not included)."""
    stmt = actor.scope(select(OrgUnit), OrgUnit.path)
    if kind is not None:
        stmt = stmt.where(OrgUnit.kind == kind)
    return list(session.scalars(stmt.order_by(OrgUnit.path).limit(limit).offset(offset)))


def create_user(*, session: Session, clock: Clock, user_in: UserCreate) -> User:
    if session.scalar(select(User.id).where(User.username == user_in.username)):
        raise Conflict(
            f"用户名已存在：{user_in.username}",
            f"user name already taken: {user_in.username}",
            field="username",
        )
    if session.get(OrgUnit, user_in.org_code) is None:
        raise Invalid(
            "org_code", f"未知单位：{user_in.org_code}", f"unknown org unit: {user_in.org_code}"
        )
    user = User(
        id=new_id(clock),
        username=user_in.username,
        display_name=user_in.display_name,
        password_hash=hash_password(user_in.password),
        roles=[str(r) for r in user_in.roles],
        org_code=user_in.org_code,
        phone=user_in.phone,
        active=True,
        created_at=clock.now(),
    )
    session.add(user)
    session.flush()
    path = org_path_of(session=session, code=user.org_code)
    events.publish(
        session,
        UserCreated(username=user.username, roles=list(user.roles)),
        clock=clock,
        resource_id=user.id,
        org_path=path,
    )
    return user


def list_users(*, session: Session, actor: Actor, limit: int = 100, offset: int = 0) -> list[User]:
    """Users whose org unit lies within the actor's scope."""
    stmt = actor.scope(select(User).join(OrgUnit, OrgUnit.code == User.org_code), OrgUnit.path)
    return list(session.scalars(stmt.order_by(User.username).limit(limit).offset(offset)))


def get_user_in_scope(*, session: Session, actor: Actor, user_id: str) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("app_user", user_id)
    path = org_path_of(session=session, code=user.org_code)
    if not actor.sees(path):
        # Out of scope looks the same as absent: scope must not leak existence.
        raise NotFound("app_user", user_id)
    return user


def read_user_contact(
    *,
    session: Session,
    clock: Clock,
    actor: Actor,
    user_id: str,
    purpose: str | None,
    case_number: str | None,
) -> User:
    """Return a user with full contact details after logging the purpose of the read."""
    audit.require_purpose(purpose, case_number)
    user = get_user_in_scope(session=session, actor=actor, user_id=user_id)
    audit.record_personal_read(
        session,
        clock=clock,
        resource_type="app_user",
        resource_id=user.id,
        purpose=purpose,
        case_number=case_number,
        detail={"fields": ["phone"]},
    )
    return user


def count_users(*, session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0
