"""Shared fixtures: one suite, run on SQLite and on PostgreSQL.

The `database` fixture is parametrized over both backends, so every test that
touches storage runs twice. Each test gets a connection inside a transaction
that is rolled back at the end (SQLAlchemy's savepoint recipe); code under
test may commit, which only releases a savepoint.
"""

from __future__ import annotations

import hashlib
import os
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from yanyun.auth.demo import DEMO_USERS, ensure_demo_users
from yanyun.command.fleet import build_fleet
from yanyun.core.clock import SHANGHAI, FrozenClock
from yanyun.core.db import Runtime, build_engine, install_session_hooks, session_scope
from yanyun.core.migrate import upgrade
from yanyun.geo import service as geo_service
from yanyun.geo.settings import CitySettings
from yanyun.registry import Settings, install_work_checks
from yanyun.web.app import create_app

PG_URL = os.environ.get("YANYUN_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REQUIRE_PG = os.environ.get("YANYUN_TEST_REQUIRE_PG") == "1"
# Checkouts on one machine share the PostgreSQL database `test`: each names its
# schemas after its own path so two suites running at once never collide.
CHECKOUT_TAG = hashlib.sha1(str(Path(__file__).resolve().parent).encode()).hexdigest()[:6]
START = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)
# A smaller city than the real 202 / 4,882 keeps the suite quick; the
# generator is tested at full size in tests/geo.
TEST_CITY = CitySettings(
    stations=40,
    grids=400,
    first_grade_stations=4,
    second_grade_stations=12,
    command_rooms=14,
    mediation_rooms=16,
)
PASSWORDS = {u.username: u.password for u in DEMO_USERS}
# What a personal-data read may be bound to: every context's work checks, as the edges install.
install_work_checks()


def _pg_available() -> bool:
    try:
        engine = build_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return True
    except Exception:
        return False


def fresh_database_url(backend: str, name: str, tmp_dir: Path) -> str:
    """A new, empty database: a SQLite file, or a PostgreSQL schema of its own."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_dir / (name + '.db')}"
    if not _pg_available():
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL required but not reachable at {PG_URL}")
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}")
    schema = f"yt_{CHECKOUT_TAG}_{name}".lower()
    admin = build_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return
    schema = parsed.query["options"].split("=", 1)[1]
    admin = build_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def make_settings(url: str, **overrides: object) -> Settings:
    return Settings(
        env="test",
        database_url=url,
        secret_key="test-secret-not-placeholder",
        city=TEST_CITY,
        **overrides,
    )


def prepare_database(url: str, clock: FrozenClock) -> None:
    """Migrate, build the test city and the demo users, committed."""
    upgrade(url)
    from yanyun.core.db import build_runtime

    runtime = build_runtime(make_settings(url), clock=clock)
    with session_scope(runtime) as session:
        geo_service.build_city(session=session, clock=clock, city=TEST_CITY)
    with session_scope(runtime) as session:
        build_fleet(session=session, clock=clock, seed=TEST_CITY.seed)
    with session_scope(runtime) as session:
        ensure_demo_users(session=session, clock=clock)
    runtime.engine.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, worker_id: str
) -> Iterator[str]:
    """A migrated database holding the test city and demo users, per backend."""
    url = fresh_database_url(
        request.param, f"base_{worker_id}", tmp_path_factory.mktemp(request.param)
    )
    prepare_database(url, FrozenClock(START))
    yield url
    drop_database(url)


@pytest.fixture(scope="session")
def engine(database: str) -> Iterator[Engine]:
    eng = build_engine(database)
    yield eng
    eng.dispose()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def rng() -> random.Random:
    return random.Random(20261123)


@pytest.fixture
def settings(database: str) -> Settings:
    return make_settings(database)


@pytest.fixture
def runtime(settings: Settings, engine: Engine, clock: FrozenClock) -> Iterator[Runtime]:
    """A runtime whose sessions all join one transaction rolled back after the test."""
    connection = engine.connect()
    outer = connection.begin()
    factory = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    install_session_hooks(factory)
    yield Runtime(settings=settings, engine=engine, session_factory=factory, clock=clock)
    outer.rollback()
    connection.close()


@pytest.fixture
def session(runtime: Runtime) -> Iterator[Session]:
    s = runtime.session_factory()
    s.info["clock"] = runtime.clock
    yield s
    s.close()


@pytest.fixture
def client(settings: Settings, runtime: Runtime) -> TestClient:
    """The whole app over HTTP, inside the test's transaction (no live fan-out)."""
    return TestClient(create_app(settings, runtime=runtime), raise_server_exceptions=False)


@dataclass
class Login:
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def login_as(client: TestClient, username: str) -> Login:
    resp = client.post(
        "/api/v1/auth/login", json={"username": username, "password": PASSWORDS[username]}
    )
    assert resp.status_code == 200, resp.text
    # The tests speak as API clients with bearer tokens: the pages' session cookie
    # the login also sets must not make the client's next anonymous call a logged-in one.
    client.cookies.clear()
    return Login(resp.json()["access_token"])


@pytest.fixture
def as_admin(client: TestClient) -> Login:
    return login_as(client, "admin")
