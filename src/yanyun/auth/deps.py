"""Who is asking, and may they: the dependencies every route declares.

`require(perm)` returns a dependency that carries its permission, so a test
can walk the app's routes and prove each one declares one (or is `public`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from yanyun.auth import service
from yanyun.auth.permissions import Perm
from yanyun.auth.service import Actor
from yanyun.core.errors import PermissionDenied, Unauthenticated
from yanyun.core.http import ClockDep, SessionDep

_bearer = HTTPBearer(auto_error=False, description="Token from POST /api/v1/auth/login")
PERMISSION_ATTR = "__yanyun_permission__"
PUBLIC_ATTR = "__yanyun_public__"


def current_actor(
    session: SessionDep,
    clock: ClockDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    if credentials is None or not credentials.credentials:
        raise Unauthenticated("请先登录", "log in first: no bearer token")
    actor = service.authenticate(session=session, clock=clock, token=credentials.credentials)
    session.info.update(
        actor_id=actor.user_id, actor_username=actor.username, actor_role=actor.primary_role
    )
    return actor


def require(perm: Perm) -> Callable[..., Actor]:
    """A dependency that yields the actor if they hold `perm`, else answers 403."""

    def dependency(actor: Annotated[Actor, Depends(current_actor)]) -> Actor:
        if not actor.can(perm):
            raise PermissionDenied(
                f"无权执行此操作（需要权限 {perm.value}）",
                f"not allowed: this needs the permission {perm.value}",
                permission=perm.value,
            )
        return actor

    setattr(dependency, PERMISSION_ATTR, perm)
    dependency.__name__ = f"require_{perm.name}"
    return dependency


def public(request: Request) -> None:
    """Marks a route that needs no user (health, login, static pages)."""


setattr(public, PUBLIC_ATTR, True)
