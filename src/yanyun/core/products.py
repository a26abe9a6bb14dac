"""Products of the day: what is computed from a long history once, stored, and served as is.

A forecast or a plan that reads a year of incidents takes seconds; a page
must not wait for it. Its owning context computes it in a scheduled job (and
again when its input moved enough), stores it here keyed by product, day,
scope (the org path whose incidents it read) and key (category, demand
source...), and its route reads the one row back. A request that finds no
row for its day and scope computes it once: one request per process
computes, the others wait for it and read what it stored; two processes
racing keep the first row.

The payload is the product as JSON; ``mark`` is what the product was made
from (a count of incidents), so the job can tell whether its input moved.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Date, Integer, String, UniqueConstraint, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from yanyun.core.clock import as_utc
from yanyun.core.db import Runtime, read_session, session_scope
from yanyun.core.ids import new_id
from yanyun.core.tables import Base

#: How long stored products are kept (the job reads the last two days' to know what is read).
KEPT = timedelta(days=7)


class DailyProduct(Base):
    """One product of one day over one scope, as computed (JSON)."""

    __tablename__ = "daily_product"
    __audited__ = False
    __table_args__ = (UniqueConstraint("product", "day", "scope", "key"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    product: Mapped[str] = mapped_column(String(40))
    day: Mapped[date] = mapped_column(Date, index=True)
    scope: Mapped[str] = mapped_column(String(255))
    key: Mapped[str] = mapped_column(String(120))
    computed_at: Mapped[datetime]
    # what it was made from (a count of incidents), so the job sees its input move
    mark: Mapped[int] = mapped_column(Integer, default=0)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)


@dataclass(frozen=True)
class Stored:
    """A stored product as read back."""

    payload: dict[str, Any]
    computed_at: datetime
    mark: int


@dataclass(frozen=True)
class Built:
    """What a build returns: the payload to store and the mark of its input."""

    payload: dict[str, Any]
    mark: int
    # False: served but not stored (an empty product is cheap, and odd keys must not pile up)
    keep: bool = True


class Guard:
    """One lock per product key in this process, so a missing product is computed once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._locks: dict[tuple[str, date, str, str], threading.Lock] = {}

    def lock(self, ident: tuple[str, date, str, str]) -> threading.Lock:
        with self._lock:
            if len(self._locks) > 4096:
                self._locks = {k: v for k, v in self._locks.items() if v.locked()}
            return self._locks.setdefault(ident, threading.Lock())


class Rendered:
    """Answers rendered from stored products, kept in this process while their row stands.

    A product is read back, parsed and rendered once per process and version
    (its `computed_at`); later requests ask the database only for that stamp.
    """

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._kept: OrderedDict[tuple[Any, ...], tuple[datetime, bytes]] = OrderedDict()

    def get(self, ident: tuple[Any, ...], stamp: datetime | None) -> bytes | None:
        if stamp is None:
            return None
        with self._lock:
            hit = self._kept.get(ident)
            if hit is None or hit[0] != stamp:
                return None
            self._kept.move_to_end(ident)
            return hit[1]

    def put(self, ident: tuple[Any, ...], stamp: datetime, body: bytes) -> None:
        with self._lock:
            self._kept[ident] = (stamp, body)
            self._kept.move_to_end(ident)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)


def computed_at(
    runtime: Runtime, product: str, day: date, scope: str, key: str
) -> datetime | None:
    """When the stored product was computed (None when there is none): one small read."""
    with read_session(runtime) as session:
        found = session.scalar(
            select(DailyProduct.computed_at).where(
                DailyProduct.product == product, DailyProduct.day == day,
                DailyProduct.scope == scope, DailyProduct.key == key,
            )
        )
    return None if found is None else as_utc(found)


def read(runtime: Runtime, product: str, day: date, scope: str, key: str) -> Stored | None:
    """The stored product, or None (its own short read, so it sees what others committed)."""
    with read_session(runtime) as session:
        row = session.execute(
            select(DailyProduct.payload, DailyProduct.computed_at, DailyProduct.mark).where(
                DailyProduct.product == product, DailyProduct.day == day,
                DailyProduct.scope == scope, DailyProduct.key == key,
            )
        ).first()
    if row is None:
        return None
    return Stored(row.payload, as_utc(row.computed_at), int(row.mark))


def store(
    runtime: Runtime, product: str, day: date, scope: str, key: str, built: Built
) -> Stored:
    """Store (or replace) a product; its stored form."""
    now = as_utc(runtime.clock.now())
    with session_scope(runtime, actor_username="system") as session:
        changed = session.execute(
            update(DailyProduct)
            .where(
                DailyProduct.product == product, DailyProduct.day == day,
                DailyProduct.scope == scope, DailyProduct.key == key,
            )
            .values(payload=built.payload, mark=built.mark, computed_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not changed:
            session.add(DailyProduct(
                id=new_id(runtime.clock), product=product, day=day, scope=scope, key=key,
                computed_at=now, mark=built.mark, payload=built.payload,
            ))
            try:
                session.flush()
            except IntegrityError:  # another process stored it first: theirs stands
                session.rollback()
    return Stored(built.payload, now, built.mark)


def get_or_build(
    runtime: Runtime,
    guard: Guard,
    product: str,
    day: date,
    scope: str,
    key: str,
    build: Callable[[], Built],
) -> Stored:
    """The stored product, built and stored first when there is none (once per process)."""
    found = read(runtime, product, day, scope, key)
    if found is not None:
        return found
    with guard.lock((product, day, scope, key)):
        found = read(runtime, product, day, scope, key)  # the request we waited on stored it
        if found is not None:
            return found
        built = build()
        if not built.keep:
            return Stored(built.payload, as_utc(runtime.clock.now()), built.mark)
        return store(runtime, product, day, scope, key, built)


def recently_read(runtime: Runtime, product: str, since: date) -> list[tuple[str, str]]:
    """The (scope, key) pairs stored for `product` since `since`: what pages have been asking."""
    with read_session(runtime) as session:
        rows = session.execute(
            select(DailyProduct.scope, DailyProduct.key)
            .where(DailyProduct.product == product, DailyProduct.day >= since)
            .distinct()
        ).all()
    return [(r.scope, r.key) for r in rows]


def refresh(
    runtime: Runtime,
    product: str,
    day: date,
    scope: str,
    key: str,
    *,
    mark: Callable[[], int],
    build: Callable[[], Built],
    moved: int,
) -> bool:
    """Build the product when it is missing or its input moved by `moved` or more; whether built."""
    found = read(runtime, product, day, scope, key)
    if found is not None and abs(mark() - found.mark) < max(moved, 1):
        return False
    store(runtime, product, day, scope, key, build())
    return True


def prune(runtime: Runtime, today: date) -> int:
    """Forget products older than a week."""
    with session_scope(runtime, actor_username="system") as session:
        return session.execute(
            delete(DailyProduct).where(DailyProduct.day < today - KEPT)
        ).rowcount
