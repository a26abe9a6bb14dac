"""Engines, sessions and the runtime shared by every context (tables: core.tables).

The edge owns the transaction: the CLI uses `session_scope(runtime)`, the API a
request-scoped session; services only flush.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from sqlalchemy import Engine, Select, create_engine, event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from yanyun.core.clock import Clock, ShiftedClock, SystemClock
from yanyun.core.config import CoreSettings
from yanyun.core.tables import READ_ONLY

T = TypeVar("T")


@dataclass(frozen=True)
class Provider(Generic[T]):
    """A typed, named, process-wide object built once from the runtime (an index, a cache).

    Declared as a module constant by its context and fetched with
    ``runtime.provide(PROVIDER)``, which returns a ``T``; the name only keys the
    runtime's store.
    """

    name: str
    build: Callable[[Any], T] = field(compare=False)

def build_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        db = parsed.database
        if db and db != ":memory:":
            Path(db).parent.mkdir(parents=True, exist_ok=True)
        connect_args = kwargs.pop("connect_args", {})
        connect_args.setdefault("check_same_thread", False)
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    # One server process serves its requests from these; the web app admits at most
    # this many requests at a time (RequestSlotsMiddleware), so none waits for one.
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 10)
    return create_engine(url, **kwargs)


class FairLock:
    """A lock that serves waiters in the order they came (threading.Lock promises no order).

    SQLite has one writer at a time. Left to SQLite's busy handler, waiting
    writers poll with growing sleeps and the unlucky ones time out while
    newcomers get in; queued here, each waits its turn once.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._next_ticket = 0
        self._serving = 0
        self._abandoned: set[int] = set()

    def acquire(self, timeout_s: float) -> bool:
        with self._cond:
            ticket = self._next_ticket
            self._next_ticket += 1
            if not self._cond.wait_for(lambda: self._serving == ticket, timeout=timeout_s):
                # Give the turn up without holding the line: the next ticket is served
                # once its predecessor's turn ends or is given up.
                self._abandoned.add(ticket)
                return False
            return True

    def release(self) -> None:
        with self._cond:
            self._serving += 1
            while self._serving in self._abandoned:
                self._abandoned.discard(self._serving)
                self._serving += 1
            self._cond.notify_all()


#: How long a writer waits for its turn before the request fails as busy (s).
WRITE_TURN_TIMEOUT_S = 30.0
_HOLDS_TURN = "yanyun.write_turn"


#: Set to ``0`` to leave waiting writers to SQLite's busy handler (benchmarks' baseline).
FAIR_WRITES_ENV = "YANYUN_SQLITE_FAIR_WRITES"


def _configure_sqlite(engine: Engine) -> None:
    turns: FairLock | None = None if os.environ.get(FAIR_WRITES_ENV) == "0" else FairLock()

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # pysqlite's own transaction handling defers BEGIN and breaks
        # SAVEPOINT; we emit BEGIN ourselves (SQLAlchemy's documented recipe).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=10000")
        # WAL with synchronous=FULL: an acknowledged commit survives power loss.
        cur.execute("PRAGMA synchronous=FULL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get(READ_ONLY_OPTION):
            # A reader sees a snapshot and never blocks, nor waits for, a writer (WAL).
            conn.exec_driver_sql("BEGIN")
            return
        # A writer takes its turn in this process first, then SQLite's lock up front
        # (IMMEDIATE): a deferred writer would fail on lock upgrade instead of waiting.
        if turns is None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            return
        if not turns.acquire(WRITE_TURN_TIMEOUT_S):
            from sqlalchemy.exc import OperationalError

            raise OperationalError("BEGIN IMMEDIATE", {}, Exception("database is busy"))
        conn.info[_HOLDS_TURN] = True
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _end_turn(conn.info)
            raise

    def _end_turn(info: dict[str, Any]) -> None:
        if info.pop(_HOLDS_TURN, False) and turns is not None:
            turns.release()

    @event.listens_for(engine, "commit")
    def _on_commit(conn: Any) -> None:
        _end_turn(conn.info)

    @event.listens_for(engine, "rollback")
    def _on_rollback(conn: Any) -> None:
        _end_turn(conn.info)

    @event.listens_for(engine.pool, "reset")
    def _on_reset(_dbapi_conn: Any, record: Any, _reset_state: Any) -> None:
        _end_turn(record.info)

    @event.listens_for(engine.pool, "close")
    def _on_close(_dbapi_conn: Any, record: Any) -> None:
        _end_turn(record.info)


#: Execution option of the connections that only read: on SQLite they begin DEFERRED.
READ_ONLY_OPTION = "yanyun_read_only"


@dataclass
class Runtime:
    """What the edges build once and pass in: settings, engine, sessions, clock."""

    settings: CoreSettings
    engine: Engine
    session_factory: sessionmaker[Session]
    clock: Clock = field(default_factory=SystemClock)
    state: dict[str, Any] = field(default_factory=dict)
    # Sessions that only read (GET requests): on SQLite they never queue behind a
    # writer. Without one (tests bound to a single connection) reads use the
    # write factory, still marked read-only.
    read_factory: sessionmaker[Session] | None = None
    _state_lock: threading.RLock = field(
        default_factory=threading.RLock, repr=False, compare=False
    )

    def provide(self, provider: Provider[T]) -> T:
        """The process-wide object of a provider, built once from this runtime on first use.

        For what is slow to build and safe to share between requests (a
        parser's dictionaries, the city index, the data pool's writer).
        Re-entrant, so one build may use another.
        """
        value = self.state.get(provider.name)
        if value is None:
            with self._state_lock:
                value = self.state.get(provider.name)
                if value is None:
                    value = provider.build(self)
                    self.state[provider.name] = value
        return value

    def cached(self, key: str, build: Callable[[], Any]) -> Any:
        """The process-wide object under `key` (prefer :meth:`provide`, which is typed)."""
        value = self.state.get(key)
        if value is None:
            with self._state_lock:
                value = self.state.get(key)
                if value is None:
                    value = build()
                    self.state[key] = value
        return value


def install_session_hooks(factory: sessionmaker[Session]) -> None:
    """Audit every write, hold each transaction's events until its commit, keep reads reads."""
    from yanyun.core.audit import install_write_audit
    from yanyun.core.events import install_outbox

    install_write_audit(factory)
    install_outbox(factory)
    if getattr(factory, "_yanyun_read_guard", False):
        return
    factory._yanyun_read_guard = True  # type: ignore[attr-defined]

    @event.listens_for(factory, "before_flush")
    def _reads_never_write(session: Session, _ctx: Any, _instances: Any) -> None:
        if session.info.get(READ_ONLY) and (session.new or session.dirty or session.deleted):
            changed = sorted({type(o).__name__ for o in (*session.new, *session.dirty,
                                                          *session.deleted)})
            raise ReadOnlyWrite(f"a read-only session tried to write {changed}")


class ReadOnlyWrite(RuntimeError):
    """A write from a session that only reads (a GET request): a bug, never a partial write."""



def read_session(runtime: Runtime) -> Session:
    """A session for reading only: its writes are refused; on SQLite it waits for no writer."""
    session = (runtime.read_factory or runtime.session_factory)()
    session.info[READ_ONLY] = True
    session.info.setdefault("clock", runtime.clock)
    return session


@contextmanager
def reads_before_writing(session: Session) -> Iterator[Session]:
    """Where a write request reads what it needs before its first write (its token, a lookup).

    On SQLite a write transaction holds the one writer from its first
    statement to its commit, so reads done in it keep every other writer
    waiting; while the request's session has not begun, these reads go to a
    read session instead, and the writer is taken only for the writes. Elsewhere
    (PostgreSQL, or a session already in its transaction, or a runtime without
    a separate read factory, as in the tests) the session itself.
    """
    runtime: Runtime | None = session.info.get("runtime")
    if (
        runtime is None
        or runtime.read_factory is None
        or runtime.engine.dialect.name != "sqlite"
        or session.in_transaction()
    ):
        yield session
        return
    reader = read_session(runtime)
    reader.info["runtime"] = runtime
    try:
        yield reader
    finally:
        reader.close()


def clock_from(settings: CoreSettings) -> Clock:
    """Wall time, or wall time shifted to start at ``YANYUN_CLOCK_START`` (demos and tests)."""
    if settings.clock_start is not None:
        return ShiftedClock(settings.clock_start)
    return SystemClock()


def build_runtime(settings: CoreSettings, *, clock: Clock | None = None) -> Runtime:
    """Build the runtime for a deployment from its settings."""
    engine = build_engine(settings.database_url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    install_session_hooks(factory)
    reads = sessionmaker(
        bind=engine.execution_options(**{READ_ONLY_OPTION: True}), expire_on_commit=False
    )
    install_session_hooks(reads)
    return Runtime(
        settings=settings,
        engine=engine,
        session_factory=factory,
        clock=clock or clock_from(settings),
        read_factory=reads,
    )


@contextmanager
def session_scope(runtime: Runtime, **info: Any) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    session = runtime.session_factory()
    session.info.update(info)
    session.info.setdefault("clock", runtime.clock)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def insert_ignoring_conflicts(
    session: Session, model: Any, rows: list[dict[str, Any]], *, key: str
) -> None:
    """Insert rows whose `key` is not there yet; a row another process inserted first is kept."""
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    session.execute(dialect_insert(model).values(rows).on_conflict_do_nothing(index_elements=[key]))


def fetch_page(
    session: Session, stmt: Select, *order_by: Any, limit: int, offset: int
) -> tuple[int, list[Any]]:
    """The total a filtered list would have, and one page of it in the given order."""
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = list(session.scalars(stmt.order_by(*order_by).limit(limit).offset(offset)))
    return total, rows


def count_by(
    session: Session, key: Any, keys: list[Any], *where: Any, measure: Any = None
) -> dict[Any, int]:
    """Rows (or `measure`, e.g. a distinct count) per key of `keys`; keys without rows are absent.

    One grouped query for a page of parents, instead of one count per parent.
    """
    if not keys:
        return {}
    stmt = select(key, func.count() if measure is None else measure).where(key.in_(keys), *where)
    return dict(session.execute(stmt.group_by(key)).all())
