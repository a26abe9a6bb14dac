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
from yanyun.core.db import reads_before_writing
from yanyun.core.errors import PermissionDenied, Unauthenticated
from yanyun.core.http import ClockDep, SessionDep

_bearer = HTTPBearer(auto_error=False, description="Token from POST /api/v1/auth/login")
PERMISSION_ATTR = "__yanyun_permission__"
PUBLIC_ATTR = "__yanyun_public__"
#: The pages' session: an HttpOnly cookie, out of reach of any script on the page.
SESSION_COOKIE = "yanyun_session"
#: A header a cross-site form cannot send; the pages send it with every write.
CSRF_HEADER = "x-yanyun-request"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def request_token(request: Request, credentials: HTTPAuthorizationCredentials | None) -> str:
    """The caller's token: a bearer header (API clients), else the pages' session cookie.

    A write authenticated by the cookie must carry the pages' own header as
    well: the cookie is SameSite=Strict, and the header is the second lock.
    """
    if credentials is not None and credentials.credentials:
        return credentials.credentials
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise Unauthenticated("请先登录", "log in first: no bearer token")
    if request.method not in _SAFE_METHODS and request.headers.get(CSRF_HEADER) != "1":
        raise Unauthenticated(
            "请求缺少页面标识，请刷新页面后重试",
            f"a write with the session cookie needs the {CSRF_HEADER} header",
        )
    return cookie


def bearer_or_cookie(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    return request_token(request, credentials)


def current_actor(
    session: SessionDep,
    clock: ClockDep,
    token: Annotated[str, Depends(bearer_or_cookie)],
) -> Actor:
    # A write request on SQLite takes the writer at its first write, not for this lookup.
    with reads_before_writing(session) as reader:
        actor = service.authenticate(session=reader, clock=clock, token=token)
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
