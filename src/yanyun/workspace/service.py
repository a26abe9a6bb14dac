"""The workspace's behaviour: what needs a user now, their inbox, and the one search box.

Everything is read through the other contexts' services, each call behind
the permission its own API requires, so the inbox and the search show no
more than the pages would. The inbox is computed from the live state (what
is still open and on this user's desk); only the read marks are stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from yanyun.auth.permissions import Perm
from yanyun.auth.service import Actor
from yanyun.command import service as command
from yanyun.command.intake.gazetteer import Landmark, load_landmarks
from yanyun.community import grid as community_grid
from yanyun.community import mobilisation
from yanyun.core.clock import Clock, as_utc
from yanyun.geo import service as geo
from yanyun.intel import watchlist
from yanyun.opinion import event_reads as opinion
from yanyun.oversight import tasks as oversight
from yanyun.workspace.models import InboxRead

#: How many items one source gives the inbox, and how many the inbox holds.
PER_SOURCE = 20
INBOX_MAX = 100
SEARCH_PER_KIND = 6
MAX_MARKS = 200

# What the search box does not look up: personal data goes through a case (and its audit).
_PLATE = re.compile(r"^[\u4e00-\u9fff][A-Za-z][A-Za-z0-9·]{4,7}$")
_PHONE = re.compile(r"^\+?(86)?1\d{10}$")
_ID_CARD = re.compile(r"^\d{17}[\dXx]$")
_INCIDENT = re.compile(r"^\d{4,8}(-\d{0,6})?$")


@dataclass
class Item:
    key: str
    kind: str
    title: str
    href: str
    at: datetime | None = None
    due_at: datetime | None = None
    overdue: bool = False
    read: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Count:
    key: str
    count: int
    href: str
    urgent: bool = False


def _due(clock: Clock, due: datetime | None) -> bool:
    return due is not None and as_utc(due) < clock.now()


def _watch_desk(actor: Actor) -> str:
    """Where a watch hit is looked at: the console's alert card for the command centre,
    else the cases (an analyst or investigator may not open the console)."""
    return "/console" if actor.can(Perm.incidents_write) else "/cases"


def desk_items(*, session: Session, clock: Clock, actor: Actor) -> list[Item]:
    """What is on this user's (or their unit's) desk now, across contexts, most pressing first."""
    items: list[Item] = []
    if actor.can(Perm.tasks_read):
        for task in oversight.tasks_on_desk(session=session, actor=actor, limit=PER_SOURCE * 2):
            items.append(Item(f"task:{task.id}", "task", task.title,
                              f"/oversight/worklist?task={task.id}", at=task.created_at,
                              due_at=task.due_at, overdue=_due(clock, task.due_at),
                              extra={"status": task.status}))
    if actor.can(Perm.incidents_write):
        waiting = command.list_incidents(session=session, actor=actor, statuses=["received"],
                                         limit=PER_SOURCE)
        for inc in waiting:
            items.append(Item(f"dispatch:{inc.id}", "dispatch", inc.number, "/console",
                              at=inc.received_at, extra={"status": inc.status,
                                                          "priority": inc.priority}))
    elif actor.can(Perm.field_act):
        for inc in command.list_incidents(session=session, actor=actor, open_only=True,
                                          limit=PER_SOURCE):
            items.append(Item(f"incident:{inc.id}", "incident", inc.number, "/map",
                              at=inc.received_at, extra={"status": inc.status,
                                                          "priority": inc.priority}))
    if actor.can(Perm.sightings_search):
        # A watched plate's read awaits an operator's look at the image (the plate itself
        # stays on the console's alert card, not in the inbox's title).
        where = _watch_desk(actor)
        for hit in watchlist.list_hits(session=session, actor=actor, status="pending")[
                :PER_SOURCE]:
            items.append(Item(f"watch:{hit.id}", "watch", f"{hit.case_number} · {hit.camera}",
                              where, at=hit.raised_at,
                              extra={"case_number": hit.case_number, "camera": hit.camera}))
    if actor.can(Perm.community_write):
        _, hazards = community_grid.list_reports(session=session, actor=actor, overdue=True,
                                                 limit=PER_SOURCE)
        for rep in hazards:
            items.append(Item(f"hazard:{rep.id}", "hazard", rep.title, "/community",
                              at=rep.found_at, due_at=rep.deadline, overdue=True,
                              extra={"grid_code": rep.grid_code}))
    if actor.can(Perm.volunteers_mobilise):
        for call in mobilisation.list_calls(session=session, actor=actor, status="open",
                                            limit=PER_SOURCE):
            items.append(Item(f"call:{call.id}", "call", call.title, "/volunteers",
                              at=call.created_at))
    if actor.can(Perm.opinion_write):
        page = opinion.list_events(session=session, actor=actor, status="active",
                                   limit=PER_SOURCE)
        for ev in page.items:
            items.append(Item(f"opinion:{ev.id}", "opinion", ev.title,
                              f"/opinion#{ev.id}", extra={"status": ev.status}))
    items.sort(key=lambda i: (i.kind != "watch", not i.overdue, i.kind != "task", i.kind))
    return items[:INBOX_MAX]


def read_keys(*, session: Session, user_id: str, keys: list[str]) -> set[str]:
    if not keys:
        return set()
    rows = session.scalars(
        select(InboxRead.item_key).where(InboxRead.user_id == user_id,
                                         InboxRead.item_key.in_(keys))
    )
    return set(rows)


def inbox(*, session: Session, clock: Clock, actor: Actor) -> list[Item]:
    """The desk's items, each marked read or not for this user."""
    items = desk_items(session=session, clock=clock, actor=actor)
    seen = read_keys(session=session, user_id=actor.user_id, keys=[i.key for i in items])
    for item in items:
        item.read = item.key in seen
    return items


def mark_read(
    *, session: Session, clock: Clock, actor: Actor, keys: list[str], read: bool = True
) -> int:
    """Mark items read (or unread again) for this user only; returns how many changed.

    Only keys currently on the user's desk are marked, so nobody stores marks
    for items they cannot see.
    """
    on_desk = {i.key for i in desk_items(session=session, clock=clock, actor=actor)}
    wanted = [k for k in dict.fromkeys(keys) if k in on_desk]
    already = read_keys(session=session, user_id=actor.user_id, keys=wanted)
    if read:
        fresh = [k for k in wanted if k not in already]
        now = clock.now()
        session.add_all(InboxRead(user_id=actor.user_id, item_key=k, read_at=now) for k in fresh)
        session.flush()
        return len(fresh)
    gone = [k for k in wanted if k in already]
    if gone:
        session.execute(delete(InboxRead).where(InboxRead.user_id == actor.user_id,
                                                InboxRead.item_key.in_(gone)))
    return len(gone)


def needs_now(
    *, session: Session, clock: Clock, actor: Actor, items: list[Item] | None = None
) -> list[Count]:
    """What needs this person now: one count per kind of work, each with where to do it
    (``items``: the desk's items when the caller has them already)."""
    counts: list[Count] = []
    if items is None:
        items = desk_items(session=session, clock=clock, actor=actor)
    by_kind: dict[str, int] = {}
    for item in items:
        by_kind[item.kind] = by_kind.get(item.kind, 0) + 1
    if actor.can(Perm.tasks_read):
        counts.append(Count("tasks_mine", by_kind.get("task", 0), "/oversight/worklist"))
        overdue = sum(1 for i in items if i.kind == "task" and i.overdue)
        counts.append(Count("tasks_overdue", overdue, "/oversight/worklist", urgent=overdue > 0))
    if actor.can(Perm.tasks_scope):
        _, open_total = oversight.list_tasks(session=session, actor=actor, status="open", limit=1)
        counts.append(Count("tasks_in_scope", open_total, "/oversight/board"))
    if actor.can(Perm.incidents_write):
        waiting = command.list_incidents(session=session, actor=actor, statuses=["received"],
                                         limit=500)
        counts.append(Count("incidents_waiting", len(waiting), "/console",
                            urgent=bool(waiting)))
    if actor.can(Perm.incidents_read):
        open_now = command.list_incidents(session=session, actor=actor, open_only=True,
                                          limit=500)
        counts.append(Count("incidents_open", len(open_now),
                            "/home#incident" if actor.can(Perm.field_act) else "/wall"))
    if actor.can(Perm.community_write):
        hazards = 0
        for status in community_grid.OPEN_HAZARD:
            total, _ = community_grid.list_reports(session=session, actor=actor, kind="hazard",
                                                   status=status, limit=1)
            hazards += total
        overdue_total, _ = community_grid.list_reports(session=session, actor=actor,
                                                       overdue=True, limit=1)
        counts.append(Count("hazards_open", hazards, "/community"))
        counts.append(Count("hazards_overdue", overdue_total, "/community",
                            urgent=overdue_total > 0))
    if actor.can(Perm.sightings_search):
        pending = by_kind.get("watch", 0)
        counts.append(Count("watch_pending", pending, _watch_desk(actor), urgent=pending > 0))
    if actor.can(Perm.volunteers_mobilise):
        counts.append(Count("calls_open", by_kind.get("call", 0), "/volunteers"))
    if actor.can(Perm.opinion_read):
        page = opinion.list_events(session=session, actor=actor, status="active", limit=1)
        counts.append(Count("opinion_active", page.total, "/opinion"))
    return counts


# ---- search ------------------------------------------------------------------------------


@cache
def _landmarks(city: str) -> tuple[Landmark, ...]:
    try:
        return tuple(load_landmarks(city))
    except ValueError:
        return ()


def personal_query(text: str) -> bool:
    """Whether the query looks like a plate, a phone or an ID number (asked in a case instead)."""
    compact = re.sub(r"[\s-]", "", text)
    return bool(_PLATE.match(compact) or _PHONE.match(compact) or _ID_CARD.match(compact))


def search(*, session: Session, actor: Actor, city: str, text: str) -> dict[str, Any]:
    """One box: incidents by number, stations and grids by code or name, places by name
    (the gazetteer), tasks and opinion events by title. Plates and phones are refused here."""
    text = text.strip()
    results: list[dict[str, Any]] = []
    if personal_query(text):
        return {"q": text, "personal": True, "results": [],
                "hint": {"href": "/cases" if actor.can(Perm.cases_read) else None}}
    if _INCIDENT.match(text) and actor.can(Perm.incidents_read):
        for inc in command.incidents_numbered(session=session, actor=actor, prefix=text,
                                              limit=SEARCH_PER_KIND):
            results.append({"kind": "incident", "title": inc.number, "sub": inc.status,
                            "href": f"/map?at={inc.lng:.5f},{inc.lat:.5f}"})
    stations, grids = geo.places_named(session=session, text=text, limit=SEARCH_PER_KIND)
    for st in stations:
        results.append({"kind": "station", "title": st.name_zh, "title_en": st.name_en,
                        "sub": st.code, "href": f"/map?at={st.lng:.5f},{st.lat:.5f}"})
    for g in grids:
        results.append({"kind": "grid", "title": g.name_zh, "title_en": g.name_en,
                        "sub": g.code, "href": f"/map?at={g.lng:.5f},{g.lat:.5f}"})
    places = [m for m in _landmarks(city)
              if text in m.name or any(text in a for a in m.aliases)]
    for m in places[:SEARCH_PER_KIND]:
        results.append({"kind": "place", "title": m.name, "sub": m.kind,
                        "href": f"/map?at={m.lng:.5f},{m.lat:.5f}"})
    if actor.can(Perm.tasks_read):
        for task in oversight.tasks_titled(session=session, actor=actor, text=text,
                                           limit=SEARCH_PER_KIND):
            results.append({"kind": "task", "title": task.title, "sub": task.status,
                            "href": f"/oversight/worklist?task={task.id}"})
    if actor.can(Perm.opinion_read):
        for ev in opinion.events_titled(session=session, actor=actor, text=text,
                                        limit=SEARCH_PER_KIND):
            results.append({"kind": "opinion", "title": ev.title, "sub": ev.status,
                            "href": f"/opinion#{ev.id}"})
    return {"q": text, "personal": False, "results": results, "hint": None}
