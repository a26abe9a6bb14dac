"""Reads within a user's scope, written once: a row outside it looks exactly like no row.

Every context's getters go through :func:`visible`, so a station officer
asking for another station's incident, officer or hazard gets the same 404
as for an id that does not exist, and nobody writes the check by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.auth.service import Actor
from yanyun.core.errors import NotFound

T = TypeVar("T")


def visible(
    session: Session,
    model: type[T],
    key: Any,
    actor: Actor | None,
    *,
    what: str,
    for_update: bool = False,
    path: Callable[[T], str] = lambda row: row.org_path,  # type: ignore[attr-defined]
) -> T:
    """The row with primary key `key` if the actor's scope covers it, else NotFound(`what`).

    ``actor=None`` is the system (jobs, handlers), which sees everything.
    ``for_update`` locks the row for the rest of the transaction.
    """
    if for_update:
        pk = model.__mapper__.primary_key[0]  # type: ignore[attr-defined]
        row = session.scalars(select(model).where(pk == key).with_for_update()).first()
    else:
        row = session.get(model, key)
    if row is None or (actor is not None and not actor.sees(path(row))):
        raise NotFound(what, str(key))
    return row
