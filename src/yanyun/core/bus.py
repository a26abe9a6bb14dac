"""One runner for every reader of the outbox: durable handlers and the live fan-out.

Contexts never write each other's tables. A context that must react to
another's change declares a :class:`Subscription` in its manifest: a durable
consumer name, the typed events it wants and a handler. The runner hands each
committed event of those kinds to the handler once, in id order, inside a
transaction that also moves the consumer's cursor (`event_cursor`): a crash
keeps both the effects and the cursor, or neither. The same runner reads new
events for the live WebSocket hub (an in-memory cursor: a browser resumes
from the last id it saw).

A commit that wrote events wakes the runner at once (in this process through
a commit hook, in other server processes through PostgreSQL's NOTIFY); a slow
poll is only the fallback. Missing ids are waited on by the one gap rule,
:class:`~yanyun.core.events.GapTracker`. The live fan-out and the durable
consumers run as two loops woken by the same signal: a page never waits for
a consumer's write (on SQLite, a turn of the one writer), and the live read
runs in a thread of its own, never queued behind requests in the threadpool.

A handler that raises rolls back only its own event's work (a savepoint) and
is retried on the next pass; after ``max_attempts`` the event is parked in
`event_dead_letter` for an operator, and the consumer moves on rather than
stopping every later event behind one it cannot take.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from yanyun.core.clock import Clock, as_utc
from yanyun.core.cursors import (
    EventCursor,
    lock_cursor,
    record_failure,
)
from yanyun.core.db import Runtime, read_session
from yanyun.core.events import (
    GAP_GRACE,
    Envelope,
    Event,
    EventSchemaError,
    GapTracker,
    OutboxEvent,
    events_after,
    latest_event_id,
    on_commit_with_events,
    parse,
)

log = logging.getLogger("yanyun.bus")


@dataclass(frozen=True)
class Delivery:
    """What a handler gets: the transaction to work in, the clock, the runtime and the event."""

    session: Session
    clock: Clock
    runtime: Runtime
    envelope: Envelope[Any]

    @property
    def event(self) -> Any:
        return self.envelope.event


@dataclass(frozen=True)
class Subscription:
    """A durable consumer: its cursor's name, the typed events it takes, and its handler."""

    consumer: str
    events: tuple[type[Event], ...]
    handle: Callable[[Delivery], None]
    description: str = ""

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(kind for cls in self.events for kind in cls.kinds)


def event_json(row: OutboxEvent) -> dict[str, Any]:
    """The wire form of a committed event (WebSocket and `GET /api/v1/events`)."""
    return {
        "type": "event",
        "id": row.id,
        "at": row.at.isoformat(),
        "kind": row.kind,
        "resource_type": row.resource_type,
        "resource_id": row.resource_id,
        "org_path": row.org_path,
        "actor": row.actor,
        "payload": row.payload,
    }


LiveSink = Callable[[list[dict[str, Any]]], None]


def trace_stamp() -> float:
    """The machine's wall clock (s) for the live trace, comparable with a browser's Date.now().

    Not the injected clock: a demo's clock is shifted, and these stamps only
    measure how long the live path takes on this machine.
    """
    return time.time()  # noqa: TID251


class LiveTrace:
    """Wall-clock stamps of the live path, one JSON line per record (the latency benchmark's).

    Written only when ``web.live_trace_path`` is set; stamps are :func:`trace_stamp`,
    so the benchmark can set them beside its own and the browser's.
    """

    def __init__(self, path: Path) -> None:
        self._lock = threading.Lock()
        self._file = Path(path).open("a", buffering=1, encoding="utf-8")

    def write(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, separators=(",", ":"))
        with self._lock:
            self._file.write(line + "\n")

    def close(self) -> None:
        with self._lock:
            self._file.close()


#: A consumer passing events it does not take writes its cursor at least this often.
SKIP_PERSIST_IDS = 1000
SKIP_PERSIST_S = 30.0


@dataclass
class EventRunner:
    """Reads the outbox for the live hub and every durable consumer of one process."""

    runtime: Runtime
    subscriptions: Sequence[Subscription]
    batch: int = 500
    #: A consumer's transaction ends after this long (s) and the rest of its batch
    #: follows in the next one: on SQLite a transaction holds the one writer, and a
    #: 110 call should not queue behind a consumer working through a backlog.
    batch_s: float = 0.05
    max_attempts: int = 5
    grace: Any = GAP_GRACE
    poll_s: float = 2.0
    live_sinks: list[LiveSink] = field(default_factory=list)
    trace: LiveTrace | None = None
    live: GapTracker = field(init=False)
    _trackers: dict[str, GapTracker] = field(init=False, default_factory=dict)
    # Where each consumer stood after its last pass (another process may move it
    # further; never behind, so skipping on it loses nothing).
    _caught_up: dict[str, int] = field(init=False, default_factory=dict)
    # How far each consumer has run past events it does not take, without writing its
    # cursor, and since when: (last id, first skip).
    _skipped: dict[str, tuple[int, datetime]] = field(init=False, default_factory=dict)
    _wake: threading.Event = field(init=False, default_factory=threading.Event)
    _undo_hook: Callable[[], None] | None = field(init=False, default=None)
    _listener: threading.Thread | None = field(init=False, default=None)
    _stop: threading.Event = field(init=False, default_factory=threading.Event)
    _loop: asyncio.AbstractEventLoop | None = field(init=False, default=None)
    # One flag per loop (live fan-out, durable consumers): each wake sets both.
    _async_wakes: tuple[asyncio.Event, ...] = field(init=False, default=())
    # When the first wake since the last live pass came (trace_stamp(), for the trace).
    _woken_at: float = field(init=False, default=0.0)
    # The live loop's own connection (PostgreSQL), used by its reader thread only.
    _reader: Connection | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        names = [s.consumer for s in self.subscriptions]
        duplicated = {n for n in names if names.count(n) > 1}
        if duplicated:
            raise ValueError(f"two subscriptions share a consumer name: {sorted(duplicated)}")
        self.live = GapTracker(grace=self.grace, holes_may_commit=self._holes_may_commit())

    def _holes_may_commit(self) -> bool:
        # SQLite has one writer at a time and numbers rows in commit order.
        return self.runtime.engine.dialect.name != "sqlite"

    # ---- waking -------------------------------------------------------------------

    def wake(self) -> None:
        """Ask for a pass now (thread-safe): a commit wrote events."""
        if not self._woken_at:
            self._woken_at = trace_stamp()
        self._wake.set()
        loop = self._loop
        if loop is not None and not loop.is_closed():
            for flag in self._async_wakes:
                with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                    loop.call_soon_threadsafe(flag.set)

    def start_listening(self) -> None:
        """Wake on this process's commits, and on PostgreSQL on every process's."""
        self._undo_hook = on_commit_with_events(self.wake)
        if self.runtime.engine.dialect.name == "postgresql":
            self._listener = threading.Thread(
                target=self._listen_pg, name="yanyun-outbox-listen", daemon=True
            )
            self._listener.start()

    def stop_listening(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._undo_hook is not None:
            self._undo_hook()
        if self._listener is not None:
            self._listener.join(timeout=3)

    def _listen_pg(self) -> None:
        from yanyun.core.events import NOTIFY_CHANNEL

        while not self._stop.is_set():
            try:
                raw = self.runtime.engine.raw_connection()
                try:
                    driver = raw.driver_connection
                    driver.autocommit = True
                    driver.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    while not self._stop.is_set():
                        # Each notice wakes the loops, not only the thread-side flag: a
                        # commit in another process reaches this one's pages at once.
                        for _ in driver.notifies(timeout=1.0):
                            self.wake()
                finally:
                    raw.invalidate()
            except Exception:
                log.exception("outbox listener lost its connection; reconnecting")
                self._stop.wait(2.0)

    # ---- the live fan-out ---------------------------------------------------------

    def start_live_at_latest(self) -> int:
        """Fix the live cursor before anyone connects (see :meth:`read_live`)."""
        with read_session(self.runtime) as session:
            self.live.cursor = latest_event_id(session)
        return self.live.cursor

    def read_live(self, connection: Connection | None = None) -> list[dict[str, Any]]:
        """Committed events past the live cursor that no hole may still precede.

        ``connection``: an autocommit connection to read on (the live loop's own,
        on PostgreSQL); otherwise a read session from the pool.
        """
        session = (Session(bind=connection, expire_on_commit=False) if connection is not None
                   else read_session(self.runtime))
        with session:
            rows = events_after(session, after_id=self.live.cursor, limit=self.batch)
            ready = self.live.accept(rows, as_utc(self.runtime.clock.now()))
            # The audience goes to the hub, which decides who follows the event;
            # it is not part of the wire form.
            return [{**event_json(r), "audience": r.audience or ""} for r in ready]

    def _reader_connection(self) -> Connection | None:
        """The live loop's own connection on PostgreSQL, kept between reads (its thread only).

        A read from the pool costs a checkout, its liveness ping, BEGIN and
        ROLLBACK: four round trips for one query, on every commit. Autocommit,
        each read sees what committed before it. SQLite reads are local: none.
        """
        # A runtime without a read factory is bound to one connection (the tests'):
        # its reads must go through it to see what it holds.
        if self.runtime.engine.dialect.name != "postgresql" or self.runtime.read_factory is None:
            return None
        if self._reader is None or self._reader.invalidated or self._reader.closed:
            self._reader = self.runtime.engine.connect().execution_options(
                isolation_level="AUTOCOMMIT")
        return self._reader

    def _drop_reader_connection(self, broken: bool = False) -> None:
        reader, self._reader = self._reader, None
        if reader is not None:
            with contextlib.suppress(Exception):
                if broken:
                    reader.invalidate()
                reader.close()

    # ---- durable consumers ----------------------------------------------------------

    def run_durable(self) -> dict[str, int]:
        """One pass of every durable consumer, each in its own transaction; handled counts.

        A consumer already past the newest event is not opened at all: on SQLite
        every pass would otherwise queue a write transaction per consumer.
        """
        with read_session(self.runtime) as session:
            newest = latest_event_id(session)
        handled: dict[str, int] = {}
        for sub in self.subscriptions:
            if self._caught_up.get(sub.consumer, -1) >= newest:
                handled[sub.consumer] = 0
                continue
            try:
                handled[sub.consumer] = self.run_consumer(sub)
            except Exception:
                log.exception("consumer %s failed; retrying on the next pass", sub.consumer)
        return handled

    def run_consumer(self, sub: Subscription) -> int:
        """Hand the consumer what it has not seen, until caught up; how many it handled."""
        if self._nothing_to_take(sub):
            return 0
        total = 0
        while True:
            handled, more = self._one_batch(sub)
            total += handled
            if not more:
                return total

    def _nothing_to_take(self, sub: Subscription) -> bool:
        """Whether every event ready past the cursor is of kinds this consumer does not take.

        Then its place is kept here and nothing is written: on SQLite every
        write is a turn of the one writer, and five consumers moving their
        cursors past each unit's position would cost five writes per fix. The
        cursor row catches up with the next event the consumer takes, or after
        `SKIP_PERSIST_IDS` ids or `SKIP_PERSIST_S` seconds. Only ready events
        are passed (the gap rule holds back behind a hole), so a late-committing
        event the consumer takes is never skipped; after a restart the skipped
        ids are read again and skipped again.
        """
        now = as_utc(self.runtime.clock.now())
        with read_session(self.runtime) as session:
            stored = session.scalar(
                select(EventCursor.last_id).where(EventCursor.name == sub.consumer)
            )
            if stored is None:
                return False
            last_skipped, since = self._skipped.get(sub.consumer, (stored, now))
            start = max(stored, last_skipped)
            tracker = self._trackers.setdefault(
                sub.consumer,
                GapTracker(grace=self.grace, holes_may_commit=self._holes_may_commit()),
            )
            tracker.cursor = start
            rows = events_after(session, after_id=start, limit=self.batch)
            ready = tracker.accept(rows, now)
        if any(row.kind in sub.kinds for row in ready):
            return False
        last = ready[-1].id if ready else start
        if last - stored >= SKIP_PERSIST_IDS or (now - since).total_seconds() >= SKIP_PERSIST_S:
            return False
        self._skipped[sub.consumer] = (last, since)
        if len(ready) == len(rows):
            self._caught_up[sub.consumer] = last
        return True

    def _one_batch(self, sub: Subscription) -> tuple[int, bool]:
        from yanyun.core.db import session_scope

        with session_scope(self.runtime, actor_username="system") as session:
            cursor = lock_cursor(session, sub.consumer)
            if cursor is None:  # another process holds it: it is doing this work
                return 0, False
            tracker = self._trackers.setdefault(
                sub.consumer,
                GapTracker(grace=self.grace, holes_may_commit=self._holes_may_commit()),
            )
            skipped = self._skipped.pop(sub.consumer, None)
            if skipped is not None and skipped[0] > cursor.last_id:
                cursor.last_id = skipped[0]  # what was passed unwritten, written now
            tracker.cursor = cursor.last_id
            rows = events_after(session, after_id=cursor.last_id, limit=self.batch)
            now = as_utc(self.runtime.clock.now())
            ready = tracker.accept(rows, now)
            handled = 0
            deadline = time.monotonic() + self.batch_s
            for taken, row in enumerate(ready, start=1):
                if row.kind in sub.kinds:
                    outcome = self._deliver(session, sub, row, now)
                    if outcome == "retry":
                        cursor.updated_at = now
                        return handled, False
                    handled += outcome == "handled"
                cursor.last_id = row.id
                if taken < len(ready) and time.monotonic() > deadline:
                    cursor.updated_at = now
                    return handled, True  # the rest in a transaction of its own
            cursor.updated_at = now
            more = len(rows) == self.batch and len(ready) == len(rows)
            if len(ready) == len(rows):
                self._caught_up[sub.consumer] = cursor.last_id
            return handled, more

    def _deliver(self, session: Session, sub: Subscription, row: OutboxEvent, now: datetime) -> str:
        try:
            envelope = parse(row)
        except EventSchemaError as exc:
            # A payload no schema accepts will not heal by retrying: park it at once.
            record_failure(session, sub.consumer, row, now, str(exc), park=True)
            log.error("consumer %s parked event %s: %s", sub.consumer, row.id, exc)
            return "parked"
        try:
            with session.begin_nested():
                sub.handle(Delivery(session, self.runtime.clock, self.runtime, envelope))
                session.flush()
        except Exception as exc:
            failure = record_failure(session, sub.consumer, row, now, repr(exc), park=False)
            if failure.attempts >= self.max_attempts:
                failure.parked = True
                log.error("consumer %s parked event %s after %d attempts: %r",
                          sub.consumer, row.id, failure.attempts, exc)
                return "parked"
            log.warning("consumer %s failed on event %s (attempt %d): %r",
                        sub.consumer, row.id, failure.attempts, exc)
            return "retry"
        return "handled"

    # ---- the loop -------------------------------------------------------------------

    async def serve(self, on_live: LiveSink | None = None) -> None:
        """Run for the server's lifetime: each wake (or poll) feeds the live hub and,
        in a loop of their own, the durable consumers."""
        from starlette.concurrency import run_in_threadpool

        live_flag, durable_flag = asyncio.Event(), asyncio.Event()
        self._loop, self._async_wakes = asyncio.get_running_loop(), (live_flag, durable_flag)
        sinks = [*self.live_sinks, *([on_live] if on_live else [])]
        await run_in_threadpool(self.ensure_cursors)
        live = asyncio.create_task(self._serve_live(sinks, live_flag), name="yanyun-live")
        try:
            await self._serve_durable(durable_flag)
        finally:
            live.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await live

    async def _serve_live(self, sinks: list[LiveSink], flag: asyncio.Event) -> None:
        """Read new events and hand them to the hub, on every wake; nothing else waits here."""
        loop = asyncio.get_running_loop()
        # A thread of its own: the shared threadpool may be full of requests (or of
        # writers waiting for SQLite's one writer), and a page's update must not queue there.
        reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="yanyun-live-read")
        try:
            while not self._stop.is_set():
                flag.clear()
                self._wake.clear()
                woken_at, self._woken_at = self._woken_at, 0.0
                try:
                    dispatched = trace_stamp()
                    items, started, read = await loop.run_in_executor(reader, self._timed_read)
                    if items:
                        for sink in sinks:
                            sink(items)
                        if self.trace is not None:
                            self.trace.write({
                                "s": "pass", "wake": woken_at, "dispatch": dispatched,
                                "start": started, "read": read, "fanout": trace_stamp(),
                                "events": [[i["id"], i["kind"], i["resource_id"]]
                                           for i in items],
                            })
                except Exception:
                    log.exception("live outbox pass failed; retrying")
                if flag.is_set():
                    continue
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(flag.wait(), self.poll_s)
        finally:
            reader.submit(self._drop_reader_connection)
            reader.shutdown(wait=False)

    def _timed_read(self) -> tuple[list[dict[str, Any]], float, float]:
        started = trace_stamp()
        try:
            items = self.read_live(self._reader_connection())
        except Exception:
            self._drop_reader_connection(broken=True)  # a new one on the next pass
            raise
        return items, started, trace_stamp()

    async def _serve_durable(self, flag: asyncio.Event) -> None:
        """Run every durable consumer on every wake (or poll), apart from the live fan-out."""
        from starlette.concurrency import run_in_threadpool

        while not self._stop.is_set():
            flag.clear()
            try:
                await run_in_threadpool(self.run_durable)
            except Exception:
                log.exception("outbox pass failed; retrying")
            if flag.is_set():
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(flag.wait(), self.poll_s)

    def ensure_cursors(self) -> None:
        """Create every consumer's cursor row once (several processes may race to)."""
        from yanyun.core.db import insert_ignoring_conflicts, session_scope

        with session_scope(self.runtime, actor_username="system") as session:
            insert_ignoring_conflicts(
                session, EventCursor, [{"name": s.consumer, "last_id": 0}
                                       for s in self.subscriptions], key="name",
            )


def drain(runtime: Runtime, subscriptions: Sequence[Subscription], consumer: str) -> int:
    """Run one durable consumer until it has caught up; how many events it handled.

    For the demo build and the tests, which apply a context's reaction at a
    known moment instead of waiting for the server's runner.
    """
    subs = [s for s in subscriptions if s.consumer == consumer]
    if not subs:
        raise KeyError(f"no subscription named {consumer!r}")
    return EventRunner(runtime, subs).run_consumer(subs[0])
