"""The app factory: everything the server needs is built here, from settings and the registry.

The web layer knows no context's insides: routers, pages, jobs and event
handlers come from the contexts' manifests (`yanyun.registry`). Each server
process runs one outbox runner (the live WebSocket hub and every durable
event handler) and one job scheduler (each job's lease keeps several
processes from running it twice).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from importlib.resources import files
from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from yanyun import __version__, registry
from yanyun.auth.deps import public
from yanyun.core.bus import EventRunner, LiveTrace
from yanyun.core.db import Runtime, build_runtime, install_session_hooks
from yanyun.core.jobs import Scheduler
from yanyun.web import live, pages
from yanyun.web.errors import (
    ContainFailuresMiddleware,
    RejectNulMiddleware,
    RequestSlotsMiddleware,
    install_error_handlers,
)
from yanyun.web.security import SecurityHeadersMiddleware, install_api_docs
from yanyun.web.templating import page

log = logging.getLogger("yanyun.web")

OPENAPI_DESCRIPTION = """雁云 yanyun: 情指勤舆督 integrated policing operations platform.

Log in with `POST /api/v1/auth/login`, then send `Authorization: Bearer <token>`.
Errors are JSON: `{"error": {"code", "message": {"zh-CN", "en"}, "field"?}}`.
"""


def page_router() -> APIRouter:
    """Every context's pages: HTML shells, each reading its JSON twin with the user's token."""
    router = APIRouter()
    for _, spec in registry.pages():
        router.add_api_route(
            spec.path,
            _serve(spec.template),
            methods=["GET"],
            response_class=HTMLResponse,
            include_in_schema=False,
            dependencies=[Depends(public)],
            name=f"page:{spec.path}",
            description=f"{spec.title_zh} {spec.title_en}",
        )
    return router


def _serve(template: str) -> Callable[[], HTMLResponse]:
    """A page's endpoint: it takes no parameter (a default argument would be a query one)."""

    def serve() -> HTMLResponse:
        return page(template)

    return serve


def _install_middleware(app: FastAPI, runtime: Runtime) -> None:
    """Outermost last: headers on every answer, NUL refused, failures contained, and
    requests admitted only as far as the database can take them."""
    if runtime.engine.dialect.name == "sqlite":
        app.add_middleware(RequestSlotsMiddleware, slots=runtime.settings.web.sqlite_write_slots,
                           writes_only=True)
    else:
        # Fewer than the pool's connections: a request let in always finds one.
        app.add_middleware(RequestSlotsMiddleware, slots=_request_slots(runtime),
                           writes_only=False)
    app.add_middleware(ContainFailuresMiddleware)
    app.add_middleware(RejectNulMiddleware)
    app.add_middleware(SecurityHeadersMiddleware, tile_url=runtime.settings.web.tile_url)


def _request_slots(runtime: Runtime) -> int:
    """Requests let in at once on a pooled database: three fewer than its connections
    (the outbox runner's consumers and the jobs take one each at times; the live
    fan-out holds one for good)."""
    pool = runtime.engine.pool
    size = getattr(pool, "size", lambda: 10)() + max(getattr(pool, "_max_overflow", 0), 0)
    return max(1, size - 3)


def routers() -> list[APIRouter]:
    """Every router the app serves; tests walk these to check each route's permission."""
    return [pages.router, live.router, *registry.routers(), page_router()]


async def _warm_up(runtime: Runtime) -> None:
    """Load what the first requests of the day would otherwise wait for, off the event loop;
    then keep it out of the garbage collector's sight."""
    for warm in registry.warm_ups():
        try:
            await run_in_threadpool(warm, runtime)
        except Exception:
            log.exception("warm-up %s failed; loading on first use", warm)
    freeze_loaded_objects()


def freeze_loaded_objects() -> int:
    """Move every object alive now out of the collector's generations; how many were moved.

    What the start loaded (the city index, the parser's dictionaries, the
    catalogue, the routes) lives as long as the process, some 300,000 objects.
    A full collection walks them all while holding every thread, about half a
    second on a loaded machine, and it comes back as requests leave objects
    behind: each time, every call in flight waited. Frozen, they are no longer
    walked (garbage from the start is collected first).
    """
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def create_app(
    settings: Any, *, runtime: Runtime | None = None, background: bool = True
) -> FastAPI:
    """Build the web app; tests pass a runtime bound to their own connection.

    ``background=False`` serves requests only (no outbox runner, no jobs): the
    tests drive handlers and jobs themselves, on their own clock.
    """
    runtime = runtime or build_runtime(settings)
    registry.install_work_checks()
    install_session_hooks(runtime.session_factory)
    registry.import_all_events()
    trace_path = runtime.settings.web.live_trace_path
    runner = EventRunner(
        runtime, registry.subscriptions(), poll_s=runtime.settings.web.event_poll_s,
        trace=LiveTrace(trace_path) if trace_path else None,
    )
    scheduler = Scheduler(runtime, registry.jobs())
    hub = live.EventHub(runtime, runner)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await hub.start()
        tasks: list[asyncio.Task[Any]] = []
        if background:
            runner.start_listening()
            tasks = [
                asyncio.create_task(runner.serve(on_live=hub.publish_many), name="yanyun-outbox"),
                asyncio.create_task(scheduler.serve(), name="yanyun-jobs"),
                asyncio.create_task(_warm_up(runtime), name="yanyun-warm-up"),
            ]
        try:
            yield
        finally:
            scheduler.stop()
            runner.stop_listening()
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if runner.trace is not None:
                runner.trace.close()

    app = FastAPI(
        title="yanyun 雁云",
        version=__version__,
        description=OPENAPI_DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.runtime = runtime
    app.state.event_hub = hub
    app.state.event_runner = runner
    app.state.scheduler = scheduler
    install_error_handlers(app)
    _install_middleware(app, runtime)
    install_api_docs(app)

    for router in routers():
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=str(files("yanyun.web") / "static")), name="static")
    return app
