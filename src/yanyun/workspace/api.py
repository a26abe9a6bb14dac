"""The shell's JSON: who I am and what I may open, my home's counts, my inbox, one search."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from yanyun import registry
from yanyun.auth.deps import require
from yanyun.auth.permissions import ROLE_LABELS, Perm, Role
from yanyun.auth.service import Actor
from yanyun.core.http import ClockDep, SessionDep, SettingsDep
from yanyun.core.schemas import InputModel
from yanyun.workspace import menu, service

router = APIRouter(prefix="/api/v1", tags=["workspace"])

Me = Annotated[Actor, Depends(require(Perm.account))]


class ModuleEntry(BaseModel):
    path: str
    title_zh: str
    title_en: str
    module: str
    module_zh: str
    module_en: str


class CountRead(BaseModel):
    key: str
    count: int
    href: str
    urgent: bool


class HomeRead(BaseModel):
    username: str
    roles: list[str]
    role_zh: str
    role_en: str
    org_code: str
    home: str = Field(description="Where this user starts after login.")
    modules: list[ModuleEntry] = Field(description="The pages the menu offers this user.")
    counts: list[CountRead] = Field(description="What needs this user now.")
    unread: int


class InboxItem(BaseModel):
    key: str
    kind: str
    title: str
    href: str
    at: datetime | None
    due_at: datetime | None
    overdue: bool
    read: bool
    extra: dict[str, Any]


class InboxRead(BaseModel):
    unread: int
    total: int
    items: list[InboxItem]


class MarkRead(InputModel):
    keys: list[Annotated[str, Field(min_length=3, max_length=64)]] = Field(
        min_length=1, max_length=service.MAX_MARKS
    )
    read: bool = True


class MarkResult(BaseModel):
    changed: int
    unread: int


class SearchResult(BaseModel):
    kind: str
    title: str
    title_en: str | None = None
    sub: str | None = None
    href: str


class SearchRead(BaseModel):
    q: str
    personal: bool
    hint: dict[str, str | None] | None
    results: list[SearchResult]


def _entries(actor: Actor) -> list[menu.MenuEntry]:
    return menu.menu((page for _, page in registry.pages()), actor.permissions)


def _role_label(actor: Actor) -> tuple[str, str]:
    try:
        return ROLE_LABELS[Role(actor.primary_role)]
    except ValueError:
        return (actor.primary_role, actor.primary_role)


@router.get("/me/home", response_model=HomeRead)
def my_home(session: SessionDep, clock: ClockDep, actor: Me) -> HomeRead:
    """The shell's menu (only the pages this user may open), their home and what needs them now."""
    entries = _entries(actor)
    items = service.inbox(session=session, clock=clock, actor=actor)
    zh, en = _role_label(actor)
    return HomeRead(
        username=actor.username, roles=list(actor.roles), role_zh=zh, role_en=en,
        org_code=actor.org_code, home=menu.home_of(actor.roles, entries),
        modules=[ModuleEntry(path=e.path, title_zh=e.title_zh, title_en=e.title_en,
                             module=e.module, module_zh=menu.MODULES.get(e.module, (e.module,))[0],
                             module_en=menu.MODULES.get(e.module, (e.module, e.module))[1])
                 for e in entries],
        counts=[CountRead(**vars(c)) for c in service.needs_now(session=session, clock=clock,
                                                                actor=actor, items=items)],
        unread=sum(1 for i in items if not i.read),
    )


@router.get("/me/inbox", response_model=InboxRead)
def my_inbox(session: SessionDep, clock: ClockDep, actor: Me) -> InboxRead:
    """What is on my (or my unit's) desk across contexts, overdue first, read marks my own."""
    items = service.inbox(session=session, clock=clock, actor=actor)
    return InboxRead(unread=sum(1 for i in items if not i.read), total=len(items),
                     items=[InboxItem(**vars(i)) for i in items])


@router.post("/me/inbox/read", response_model=MarkResult)
def mark_inbox_read(body: MarkRead, session: SessionDep, clock: ClockDep, actor: Me) -> MarkResult:
    """Mark items read (or, with ``read: false``, unread) for me only."""
    changed = service.mark_read(session=session, clock=clock, actor=actor, keys=body.keys,
                                read=body.read)
    items = service.inbox(session=session, clock=clock, actor=actor)
    return MarkResult(changed=changed, unread=sum(1 for i in items if not i.read))


@router.get("/search", response_model=SearchRead)
def search(
    session: SessionDep,
    settings: SettingsDep,
    actor: Me,
    q: Annotated[str, Query(min_length=1, max_length=64, description="What to look for")],
) -> SearchRead:
    """Incidents by number, stations and grids by code or name, places by name, tasks and
    opinion events by title, each as far as this user may see. Plates and phones are not
    looked up here: they belong to a case (``personal`` is then true)."""
    found = service.search(session=session, actor=actor, city=settings.city.name, text=q)
    return SearchRead(**found)
