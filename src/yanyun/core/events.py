"""The outbox and typed events: every state change writes its event in the same transaction.

A context announces a change by publishing a typed event (a Pydantic model
with a kind and a version, one module of them per publishing context). The
row is written in the caller's transaction, so nothing is announced that was
not committed, and it is inserted at commit time, so its id is drawn moments
before the commit: a reader that holds back behind a missing id (see
:class:`GapTracker`) waits on a transaction still committing for milliseconds,
not for as long as the transaction ran. Event ids are the cursor a client
resumes from after a reconnect.

Events written before payloads were typed carry version 0 and their old
dict; :meth:`Event.upcast` turns an older payload into the current shape.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy import JSON, BigInteger, Integer, SmallInteger, String, func, select, text
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from yanyun.core.clock import Clock
from yanyun.core.tables import Base

# The reading rule lives beside; its names stay reachable here, where readers look.
from yanyun.core.visibility import audience_text, may_follow, visible_to  # noqa: F401

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets a bigint.
EventId = BigInteger().with_variant(Integer(), "sqlite")

#: The PostgreSQL channel a commit with events notifies; listeners wake at once.
NOTIFY_CHANNEL = "yanyun_outbox"
_PENDING = "yanyun.outbox.pending"
_DEFERRED = "yanyun.outbox.deferred"
_WROTE = "yanyun.outbox.wrote"


class OutboxEvent(Base):
    """A committed fact about a change, in commit order, scoped to an org path."""

    __tablename__ = "outbox_event"
    __audited__ = False

    id: Mapped[int] = mapped_column(EventId, primary_key=True, autoincrement=True)
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(64), index=True)
    resource_type: Mapped[str] = mapped_column(String(64))
    resource_id: Mapped[str] = mapped_column(String(64))
    # Materialised org path ("4304/430405/430405-S03"): a subscriber scoped to
    # a unit sees events whose path starts with its own.
    org_path: Mapped[str] = mapped_column(String(255), default="", index=True)
    actor: Mapped[str | None] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The payload schema's version; 0 for rows written before payloads were typed.
    version: Mapped[int] = mapped_column(SmallInteger, default=0, server_default=text("0"))
    # Users outside the org path who may follow this event too (a case's members from
    # other units), as " id1 id2 " so one LIKE finds a reader; "" for most events.
    audience: Mapped[str] = mapped_column(String(2000), default="", server_default="")


# ---- typed events -----------------------------------------------------------------

_REGISTRY: dict[str, type[Event]] = {}


class Part(BaseModel):
    """A piece of an event's payload (a shift, a position fix): strict, immutable."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Event(BaseModel):
    """A typed event: the payload contract between the context that publishes it and its readers.

    Subclasses name their ``kinds`` (usually one; a family such as the
    statuses of an incident shares one payload) and the ``resource_type`` they
    are about. A payload that does not validate fails where it is published.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kinds: ClassVar[tuple[str, ...]] = ()
    resource_type: ClassVar[str] = ""
    version: ClassVar[int] = 1
    #: The permission a reader needs to follow these events (None: anyone whose
    #: org scope covers them). Checked by the live stream and the events list.
    read_permission: ClassVar[str | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for kind in cls.__dict__.get("kinds", ()):
            known = _REGISTRY.get(kind)
            if known is not None and known.__qualname__ != cls.__qualname__:
                raise TypeError(f"event kind {kind!r} has two schemas: {known} and {cls}")
            _REGISTRY[kind] = cls

    @classmethod
    def upcast(cls, payload: dict[str, Any], version: int) -> dict[str, Any]:
        """Turn a payload written under an older `version` into the current shape.

        Version 0 is the untyped dict of before; a schema whose field names kept
        those of the old dict needs no override.
        """
        return payload


def schema_for(kind: str) -> type[Event] | None:
    """The event class that owns a kind, if any context declared one."""
    return _REGISTRY.get(kind)


def known_kinds() -> dict[str, type[Event]]:
    """Every kind with a schema, from the event modules imported so far."""
    return dict(_REGISTRY)


E = TypeVar("E", bound=Event)


@dataclass(frozen=True)
class Envelope(Generic[E]):
    """A committed event as a reader sees it: the row's facts and the typed payload."""

    id: int
    at: datetime
    kind: str
    resource_type: str
    resource_id: str
    org_path: str
    actor: str | None
    event: E


class EventSchemaError(ValueError):
    """A stored payload that its kind's schema refuses, even after upcasting."""


def parse(row: OutboxEvent) -> Envelope[Event]:
    """Read a stored row as its typed event (upcast from the version it was written under)."""
    cls = _REGISTRY.get(row.kind)
    if cls is None:
        raise EventSchemaError(f"no schema for event kind {row.kind!r}")
    try:
        payload = cls.upcast(dict(row.payload or {}), row.version or 0)
        typed = cls.model_validate(payload)
    except ValidationError as exc:
        raise EventSchemaError(f"event {row.id} ({row.kind}): {exc}") from exc
    return Envelope(
        id=row.id,
        at=row.at,
        kind=row.kind,
        resource_type=row.resource_type,
        resource_id=row.resource_id,
        org_path=row.org_path,
        actor=row.actor,
        event=typed,
    )


def publish(
    session: Session,
    event_: Event,
    *,
    clock: Clock,
    resource_id: str,
    org_path: str = "",
    kind: str | None = None,
    actor: str | None = None,
    resource_type: str | None = None,
    audience: Iterable[str] = (),
) -> OutboxEvent:
    """Add a typed event to the caller's transaction; it exists only if that commits.

    ``kind`` picks one of a family's kinds; a class with one kind needs none.
    ``resource_type`` overrides the class's for a fact about several kinds of
    record (a failed item of a checklist or of a risk check). ``audience``
    names users (ids) outside ``org_path`` who may follow it as well: the
    members of a case, who come from any unit (see :func:`may_follow`).
    """
    kinds = type(event_).kinds
    chosen = kind or (kinds[0] if len(kinds) == 1 else None)
    if chosen is None or chosen not in kinds:
        raise ValueError(f"{type(event_).__name__} publishes {kinds}, not {kind!r}")
    return _add(session, clock=clock, kind=chosen,
                resource_type=resource_type or type(event_).resource_type,
                resource_id=resource_id, org_path=org_path, actor=actor,
                payload=event_.model_dump(mode="json"), version=type(event_).version,
                audience=audience_text(audience))


def emit(
    session: Session,
    *,
    clock: Clock,
    kind: str,
    resource_type: str,
    resource_id: str,
    org_path: str = "",
    actor: str | None = None,
    payload: dict[str, Any] | None = None,
) -> OutboxEvent:
    """Add an untyped event (kinds no context reads: tests' markers, operators' notes).

    Contexts publish typed events; a test checks no context calls this.
    """
    return _add(session, clock=clock, kind=kind, resource_type=resource_type,
                resource_id=resource_id, org_path=org_path, actor=actor,
                payload=payload or {}, version=0)


def _add(session: Session, *, clock: Clock, actor: str | None, **fields: Any) -> OutboxEvent:
    row = OutboxEvent(
        at=clock.now(),
        actor=actor if actor is not None else session.info.get("actor_id"),
        **fields,
    )
    if session.info.get(_DEFERRED):
        session.info.setdefault(_PENDING, []).append(row)
    else:
        session.add(row)
        session.info[_WROTE] = True
    return row


def flush_outbox(session: Session) -> None:
    """Write the transaction's pending events now (tests and code that need their ids)."""
    pending = session.info.pop(_PENDING, None)
    if pending:
        session.add_all(pending)
        session.info[_WROTE] = True
    session.flush()


# ---- commit hooks -----------------------------------------------------------------

_commit_listeners: list[Callable[[], None]] = []


def on_commit_with_events(listener: Callable[[], None]) -> Callable[[], None]:
    """Call `listener` after every commit in this process that wrote events; returns an undo."""
    _commit_listeners.append(listener)

    def remove() -> None:
        if listener in _commit_listeners:
            _commit_listeners.remove(listener)

    return remove


def install_outbox(factory: sessionmaker[Session]) -> None:
    """Insert each transaction's events at its commit and wake the readers after it.

    Sessions from a factory without this write events at once (still in the
    transaction, still safe), and wake nobody.
    """
    info = factory.kw.setdefault("info", {})
    if info.get(_DEFERRED):
        return
    info[_DEFERRED] = True

    @sa_event.listens_for(factory, "before_commit")
    def _write_pending(session: Session) -> None:
        pending = session.info.pop(_PENDING, None)
        if pending:
            session.add_all(pending)
            session.info[_WROTE] = True
        if session.info.get(_WROTE) and session.get_bind().dialect.name == "postgresql":
            session.execute(text(f"NOTIFY {NOTIFY_CHANNEL}"))

    @sa_event.listens_for(factory, "after_commit")
    def _wake(session: Session) -> None:
        if session.info.pop(_WROTE, False):
            for listener in list(_commit_listeners):
                listener()

    @sa_event.listens_for(factory, "after_rollback")
    def _forget(session: Session) -> None:
        session.info.pop(_PENDING, None)
        session.info.pop(_WROTE, None)


# ---- reading ----------------------------------------------------------------------


def kinds_needing(granted: Iterable[str]) -> frozenset[str]:
    """The event kinds a reader holding the permissions `granted` may not follow."""
    have = set(granted)
    return frozenset(
        kind
        for kind, schema in _REGISTRY.items()
        if schema.read_permission is not None and schema.read_permission not in have
    )


def events_after(
    session: Session,
    *,
    after_id: int,
    limit: int = 500,
    kinds: Iterable[str] | None = None,
    scope_path: str | None = None,
    without_kinds: Iterable[str] = (),
    user_id: str | None = None,
) -> list[OutboxEvent]:
    """Committed events with an id above the cursor, oldest first.

    With `scope_path`, only events a reader scoped there may see, or (with
    `user_id`) whose audience names the reader: the rule of :func:`may_follow`,
    in SQL, so `limit` counts visible events.
    """
    stmt = select(OutboxEvent).where(OutboxEvent.id > after_id)
    if kinds is not None:
        stmt = stmt.where(OutboxEvent.kind.in_(list(kinds)))
    hidden = sorted(without_kinds)
    if hidden:
        stmt = stmt.where(OutboxEvent.kind.not_in(hidden))
    if scope_path:
        in_scope = (
            (OutboxEvent.org_path == "")
            | (OutboxEvent.org_path == scope_path)
            | OutboxEvent.org_path.startswith(scope_path + "/", autoescape=True)
        )
        if user_id:
            in_scope = in_scope | OutboxEvent.audience.contains(f" {user_id} ", autoescape=True)
        stmt = stmt.where(in_scope)
    return list(session.scalars(stmt.order_by(OutboxEvent.id).limit(limit)))


def latest_event_id(session: Session) -> int:
    """The highest committed event id, 0 when there is none."""
    return session.scalar(select(func.coalesce(func.max(OutboxEvent.id), 0))) or 0


#: A missing id younger than this may belong to a transaction still committing.
GAP_GRACE = timedelta(seconds=5)


@dataclass
class GapTracker:
    """Delivers events in id order without skipping ones still committing: the one gap rule.

    On PostgreSQL ids come from a sequence, so a transaction that took id 7 may
    commit after one that took id 8. A reader that jumped to 8 would lose 7.
    The tracker holds back everything after a gap until the gap fills or has
    been seen for longer than `grace` (then its transaction rolled back and
    the id is void). On SQLite one writer at a time numbers rows in commit
    order, so a hole there was rolled back and is passed at once
    (``holes_may_commit=False``).
    """

    cursor: int = 0
    grace: timedelta = GAP_GRACE
    holes_may_commit: bool = True
    _gap_seen_at: dict[int, datetime] = field(default_factory=dict)

    def accept(self, rows: list[OutboxEvent], now: datetime) -> list[OutboxEvent]:
        """Return the rows that may be delivered now and advance the cursor."""
        out: list[OutboxEvent] = []
        expected = self.cursor + 1
        for row in rows:
            if row.id < expected:
                continue
            while row.id > expected and self.holes_may_commit:
                first_seen = self._gap_seen_at.setdefault(expected, now)
                if now - first_seen < self.grace:
                    self.cursor = expected - 1
                    return out
                self._gap_seen_at.pop(expected, None)
                expected += 1
            out.append(row)
            self._gap_seen_at.pop(row.id, None)
            expected = row.id + 1
        self.cursor = expected - 1
        # Holes behind the cursor can no longer matter.
        for hole in [h for h in self._gap_seen_at if h <= self.cursor]:
            del self._gap_seen_at[hole]
        return out
