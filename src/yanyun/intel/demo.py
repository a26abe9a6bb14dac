"""Intelligence's part of the demo city: cameras, registrations and a pool of sightings."""

from __future__ import annotations

import time
from typing import Any


def build_demo(runtime: Any, options: Any) -> str:
    """Cameras, registrations and a modest pool of sightings for the demo (once)."""
    settings = runtime.settings
    from yanyun.core.db import session_scope
    from yanyun.geo import service as geo_service
    from yanyun.intel import service as intel_service

    started = time.perf_counter()
    pool = intel_service.open_pool(settings.lake_path, settings.intel)
    with session_scope(runtime, actor_username="system") as session:
        index = geo_service.city_index(runtime=runtime, session=session)
        report = intel_service.build_demo(
            session=session,
            clock=runtime.clock,
            index=index,
            settings=settings,
            pool=pool,
        )
    seconds = time.perf_counter() - started
    if not report.cameras:
        return f"data pool reused: {pool.sightings.row_count()} sightings ({seconds:.1f} s)"
    return (
        f"data pool 数据池: {report.cameras} cameras, {report.registrations} registrations, "
        f"{report.sightings} sightings (try plate {report.sample_plate}) ({seconds:.1f} s)"
    )
