"""The app factory: everything the server needs is built here, from settings."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from importlib.resources import files
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from yanyun import __version__
from yanyun.auth import api as auth_api
from yanyun.command import api as command_api
from yanyun.community import api as community_api
from yanyun.core.audit import install_write_audit
from yanyun.core.config import Settings
from yanyun.core.db import Runtime, build_runtime, session_scope
from yanyun.duty import api as duty_api
from yanyun.geo import api as geo_api
from yanyun.intel import api as intel_api
from yanyun.opinion import api as opinion_api
from yanyun.oversight import api as oversight_api
from yanyun.sim import tidal_api
from yanyun.stats import api as stats_api
from yanyun.web import (
    community_pages,
    duty_pages,
    forecast_pages,
    intel_pages,
    live,
    opinion_pages,
    oversight_pages,
    pages,
)
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


async def _warm_up(runtime: Runtime) -> None:
    """Load what the first requests of the day would otherwise wait for, off the event loop."""
    try:
        await run_in_threadpool(command_api.warm_up, runtime)
    except Exception:
        logging.getLogger("yanyun.web").exception("warm-up failed; loading on first use")


def background_jobs(runtime: Runtime) -> list[tuple[str, Coroutine[Any, Any, None]]]:
    """The server's periodic work, each as (task name, coroutine), run for its lifetime."""
    return [
        ("yanyun-breach-watch", _watch_breaches(runtime)),
        ("yanyun-warm-up", _warm_up(runtime)),
        ("yanyun-oversight-jobs", _run_oversight(runtime)),
        ("yanyun-shift-watch", _watch_shifts(runtime)),
        ("yanyun-community-watch", _watch_community(runtime)),
        ("yanyun-intel-pool", _maintain_pool(runtime)),
    ]


async def _maintain_pool(runtime: Runtime) -> None:
    """The data pool's compaction, monthly sealing and ledger pruning, when each is due."""
    from yanyun.intel import jobs

    def tick() -> None:
        pool = intel_api.pool_of(runtime)
        report = jobs.maintain_pool(
            sightings=pool.sightings,
            quarantine=pool.quarantine,
            settings=runtime.settings.intel,
            clock=runtime.clock,
        )
        if report.days_compacted or report.months_sealed:
            logging.getLogger("yanyun.intel").info("pool maintenance: %s", report)

    while True:
        await asyncio.sleep(runtime.settings.intel.maintenance_interval_s)
        try:
            await run_in_threadpool(tick)
        except Exception:
            logging.getLogger("yanyun.intel").exception("pool maintenance failed; retrying")


async def _run_oversight(runtime: Runtime) -> None:
    """Supervision's periodic jobs: recurring duties, risk scan, events to tasks, 日清零."""
    from yanyun.oversight import jobs

    log = logging.getLogger("yanyun.oversight")

    def tick() -> None:
        jobs.run_all(
            lambda: session_scope(runtime, actor_username="system"),
            runtime.clock,
            runtime.settings.oversight,
            on_error=lambda name, _exc: log.exception("oversight job %s failed; retrying", name),
        )

    while True:
        try:
            await run_in_threadpool(tick)
        except Exception:
            log.exception("oversight jobs failed; retrying")
        await asyncio.sleep(runtime.settings.oversight.job_interval_s)


async def _watch_shifts(runtime: Runtime) -> None:
    """Turn shift starts and ends into unit crews, then let command apply them."""
    from yanyun.command.crewing import apply_crewing
    from yanyun.duty import service as duty_service

    def tick() -> None:
        with session_scope(runtime, actor_username="system") as session:
            duty_service.apply_shift_changes(session, runtime.clock)
        with session_scope(runtime, actor_username="system") as session:
            apply_crewing(session, clock=runtime.clock)

    while True:
        await asyncio.sleep(runtime.settings.duty.shift_check_s)
        try:
            await run_in_threadpool(tick)
        except Exception:
            logging.getLogger("yanyun.duty").exception("shift change failed; retrying")


async def _watch_community(runtime: Runtime) -> None:
    """Announce overdue hazards and follow incidents (stand-downs) in the background."""
    from yanyun.community import grid, volunteers

    def scan() -> None:
        with session_scope(runtime, actor_username="system") as session:
            grid.scan_overdue(session=session, clock=runtime.clock)
        with session_scope(runtime, actor_username="system") as session:
            volunteers.sync_incidents(
                session=session,
                clock=runtime.clock,
                notifier=runtime.state.get("volunteer_notifier") or volunteers.OutboxNotifier(),
            )

    # Scan at start too: hazards that fell due while the server was down show at once.
    while True:
        try:
            await run_in_threadpool(scan)
        except Exception:
            logging.getLogger("yanyun.community").exception("community scan failed; retrying")
        await asyncio.sleep(runtime.settings.community.overdue_scan_s)


def routers() -> list[APIRouter]:
    """Every router the app serves; tests walk these to check each route's permission."""
    return [
        pages.router,
        auth_api.router,
        geo_api.router,
        command_api.router,
        live.router,
        oversight_api.router,
        oversight_pages.router,
        opinion_api.router,
        opinion_pages.router,
        duty_api.router,
        duty_pages.router,
        tidal_api.router,
        intel_api.router,
        intel_pages.router,
        community_api.router,
        community_pages.router,
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
        jobs = [asyncio.create_task(coro, name=name) for name, coro in background_jobs(runtime)]
        try:
            yield
        finally:
            for job in jobs:
                job.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await job
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
