"""Request-scoped dependencies shared by every context's router.

The app factory puts the `Runtime` on `app.state`; nothing here is built at
import time.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from yanyun.core.clock import Clock
from yanyun.core.config import CoreSettings
from yanyun.core.db import Runtime, read_session


def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


#: Methods that only read: their session refuses writes and, on SQLite, waits for no writer.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request, committed before the answer is sent.

    Declared with scope="function" so FastAPI runs the commit as soon as the
    endpoint returns, not after the response has gone out: a record the API
    acknowledged is durable. An error rolls back, except for what a service
    marked to keep (a counted failed login). A GET only reads (what it must
    log, a personal-data read, goes through its own short write).
    """
    runtime: Runtime = request.app.state.runtime
    if request.method in READ_METHODS:
        reader = read_session(runtime)
        reader.info["runtime"] = runtime
        try:
            yield reader
            # Nothing to write: ending it as a commit keeps a personal read's audit
            # row, written on its own, when both share one connection (the tests').
            reader.commit()
        finally:
            reader.close()
        return
    session = runtime.session_factory()
    session.info["clock"] = runtime.clock
    session.info["runtime"] = runtime
    try:
        yield session
        session.commit()
    except BaseException:
        if session.info.get("commit_on_error"):
            session.info.pop("commit_on_error", None)
            session.commit()
        else:
            session.rollback()
        raise
    finally:
        session.close()


def get_clock(request: Request) -> Clock:
    return request.app.state.runtime.clock


def get_settings(request: Request) -> CoreSettings:
    return request.app.state.runtime.settings


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
ClockDep = Annotated[Clock, Depends(get_clock)]
SettingsDep = Annotated[CoreSettings, Depends(get_settings)]
