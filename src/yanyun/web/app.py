"""The app factory: everything the server needs is built here, from settings."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from yanyun import __version__
from yanyun.auth import api as auth_api
from yanyun.command import api as command_api
from yanyun.core.audit import install_write_audit
from yanyun.core.config import Settings
from yanyun.core.db import Runtime, build_runtime, session_scope
from yanyun.geo import api as geo_api
from yanyun.stats import api as stats_api
from yanyun.web import forecast_pages, live, pages
from yanyun.web.errors import RejectNulMiddleware, install_error_handlers

OPENAPI_DESCRIPTION = """雁云 yanyun: 情指勤舆督 integrated policing operations platform.

Log in with `POST /api/v1/auth/login`, then send `Authorization: Bearer <token>`.
Errors are JSON: `{"error": {"code", "message": {"zh-CN", "en"}, "field"?}}`.
"""


async def _watch_breaches(runtime: Runtime) -> None:
    """Flag 1-3-5 deadlines that pass with nothing done, a few times a minute."""
    from yanyun.command import service as command_service

    def scan() -> None:
        with session_scope(runtime, actor_username="system") as session:
            command_service.scan_breaches(session=session, clock=runtime.clock)

    while True:
        await asyncio.sleep(runtime.settings.command.breach_scan_s)
        try:
            await run_in_threadpool(scan)
        except Exception:
            logging.getLogger("yanyun.command").exception("breach scan failed; retrying")


def routers() -> list[APIRouter]:
    """Every router the app serves; tests walk these to check each route's permission."""
    return [
        pages.router,
        auth_api.router,
        geo_api.router,
        command_api.router,
        live.router,
        stats_api.router,
        forecast_pages.router,
    ]


def create_app(settings: Settings, *, runtime: Runtime | None = None) -> FastAPI:
    """Build the web app; tests pass a runtime bound to their own connection."""
    runtime = runtime or build_runtime(settings)
    install_write_audit(runtime.session_factory)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await app.state.event_hub.start()
        watch = asyncio.create_task(_watch_breaches(runtime), name="yanyun-breach-watch")
        try:
            yield
        finally:
            watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watch
            await app.state.event_hub.stop()

    app = FastAPI(
        title="yanyun 雁云",
        version=__version__,
        description=OPENAPI_DESCRIPTION,
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.runtime = runtime
    app.state.event_hub = live.EventHub(runtime)
    install_error_handlers(app)
    app.add_middleware(RejectNulMiddleware)

    for router in routers():
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=str(files("yanyun.web") / "static")), name="static")
    return app
