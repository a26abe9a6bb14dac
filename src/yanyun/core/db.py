"""Engines, sessions and the declarative base shared by every context.

The edge owns the transaction: the CLI uses `session_scope(runtime)`, the API a
request-scoped session; services only flush.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from sqlalchemy import JSON, DateTime, Engine, MetaData, Select, create_engine, event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from yanyun.core.clock import Clock, ShiftedClock, SystemClock
from yanyun.core.config import CoreSettings

if TYPE_CHECKING:
    from yanyun.core.contexts import Provider

T = TypeVar("T")

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC timestamps on every backend.

    SQLite keeps no zone; values are stored as UTC and handed back aware, so
    comparisons never mix naive and aware datetimes.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: use the injected clock")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar = {datetime: UTCDateTime(), dict[str, Any]: JSON()}

    # Rows of a model with __audited__ = False are not written to the audit log
    # (the log itself, the outbox, tokens): auditing them would only echo.
    __audited__ = True


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
    return create_engine(url, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
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
        # IMMEDIATE takes the write lock up front: two deferred writers would
        # otherwise fail with SQLITE_BUSY on lock upgrade instead of waiting.
        conn.exec_driver_sql("BEGIN IMMEDIATE")


@dataclass
class Runtime:
    """What the edges build once and pass in: settings, engine, sessions, clock."""

    settings: CoreSettings
    engine: Engine
    session_factory: sessionmaker[Session]
    clock: Clock = field(default_factory=SystemClock)
    state: dict[str, Any] = field(default_factory=dict)
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
    """Audit every write and hold each transaction's events until its commit."""
    from yanyun.core.audit import install_write_audit
    from yanyun.core.events import install_outbox

    install_write_audit(factory)
    install_outbox(factory)


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
    return Runtime(
        settings=settings,
        engine=engine,
        session_factory=factory,
        clock=clock or clock_from(settings),
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
