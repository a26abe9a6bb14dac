"""Sessions: reads never write, SQLite writers take turns in the order they came."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select

from tests.conftest import make_settings
from yanyun.core.audit import AuditEntry
from yanyun.core.db import (
    FairLock,
    ReadOnlyWrite,
    build_runtime,
    read_session,
    reads_before_writing,
    session_scope,
)
from yanyun.core.migrate import upgrade
from yanyun.core.tables import READ_ONLY


def test_fair_lock_serves_waiters_in_the_order_they_came():
    lock = FairLock()
    assert lock.acquire(1)
    order: list[int] = []
    threads = []
    for n in range(5):
        def wait(n=n):
            assert lock.acquire(5)
            order.append(n)
            lock.release()
        t = threading.Thread(target=wait)
        t.start()
        threads.append(t)
        time.sleep(0.05)  # each one queues before the next arrives
    lock.release()
    for t in threads:
        t.join(5)
    assert order == [0, 1, 2, 3, 4]


def test_a_waiter_that_gives_up_does_not_block_the_line():
    lock = FairLock()
    assert lock.acquire(1)
    assert lock.acquire(0.05) is False  # timed out: its turn is given up
    got: list[bool] = []
    waiter = threading.Thread(target=lambda: got.append(lock.acquire(5)))
    waiter.start()
    time.sleep(0.05)
    lock.release()
    waiter.join(5)
    assert got == [True]


def test_a_read_session_refuses_to_write(runtime, clock):
    session = read_session(runtime)
    try:
        session.add(AuditEntry(at=clock.now(), action="x", resource_type="y", detail={}))
        with pytest.raises(ReadOnlyWrite):
            session.flush()
    finally:
        session.rollback()
        session.close()


def test_sqlite_readers_do_not_wait_for_a_writer(tmp_path):
    """A reader reads its snapshot while a write transaction holds SQLite's lock."""
    url = f"sqlite:///{tmp_path / 'turns.db'}"
    upgrade(url)
    runtime = build_runtime(make_settings(url))
    try:
        with session_scope(runtime) as writer:
            writer.add(AuditEntry(at=runtime.clock.now(), action="w", resource_type="t", detail={}))
            writer.flush()  # the write lock is held until the commit
            # A reader that took the write lock too would fail here ("database is locked").
            with read_session(runtime) as reader:
                seen = reader.scalar(select(func.count()).select_from(AuditEntry)
                                     .where(AuditEntry.action == "w"))
        assert seen == 0  # the writer's row is not committed yet
    finally:
        runtime.engine.dispose()


def test_a_write_request_reads_before_its_first_write_without_the_writer(tmp_path):
    """On SQLite, reads a write session needs first go to a reader; the writer is taken later."""
    url = f"sqlite:///{tmp_path / 'early.db'}"
    upgrade(url)
    runtime = build_runtime(make_settings(url))
    try:
        with session_scope(runtime) as other:
            other.add(AuditEntry(at=runtime.clock.now(), action="w", resource_type="t", detail={}))
            other.flush()  # another request holds the writer
            request = runtime.session_factory()
            request.info["runtime"] = runtime
            with reads_before_writing(request) as reader:
                # Read at once, beside the writer; waiting for it here would stall the test.
                seen = reader.scalar(select(func.count()).select_from(AuditEntry)
                                     .where(AuditEntry.action == "w"))
                assert reader is not request and reader.info.get(READ_ONLY)
            assert seen == 0 and not request.in_transaction()
            request.close()
        with session_scope(runtime) as writing:
            writing.info["runtime"] = runtime
            writing.scalar(select(func.count()).select_from(AuditEntry))
            # Once the transaction has begun, its reads stay in it.
            with reads_before_writing(writing) as same:
                assert same is writing
    finally:
        runtime.engine.dispose()
