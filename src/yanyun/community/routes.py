"""The one router of community's API, and what its routes depend on.

Every ``*_api`` module of community adds its routes to :data:`router`; the
manifest names ``yanyun.community.api:router``, which is this one, so one
router holds every route.
"""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from yanyun.auth.deps import require
from yanyun.auth.permissions import Perm
from yanyun.auth.service import Actor
from yanyun.community.notifiers import Notifier, OutboxNotifier
from yanyun.community.volunteers import IndexCache

router = APIRouter(prefix="/api/v1/community", tags=["community"])
_lock = threading.Lock()

Reader = Annotated[Actor, Depends(require(Perm.community_read))]
Writer = Annotated[Actor, Depends(require(Perm.community_write))]
Caller = Annotated[Actor, Depends(require(Perm.volunteers_mobilise))]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


def get_index_cache(request: Request) -> IndexCache:
    """The process's volunteer index cache, made on first use."""
    state = request.app.state.runtime.state
    with _lock:
        cache = state.get("volunteer_index")
        if cache is None:
            settings = request.app.state.runtime.settings
            cache = IndexCache(settings.community.index_ttl_s)
            state["volunteer_index"] = cache
    return cache


def get_notifier(request: Request) -> Notifier:
    """The deployment's channel to volunteers' phones (the outbox one unless one is set)."""
    return request.app.state.runtime.state.get("volunteer_notifier") or OutboxNotifier()


CacheDep = Annotated[IndexCache, Depends(get_index_cache)]
NotifierDep = Annotated[Notifier, Depends(get_notifier)]
