"""Case work's part of the demo city: the G107 hit-and-run, ready to be worked."""

from __future__ import annotations

from typing import Any


def build_demo(runtime: Any, options: Any) -> str | None:
    """Seed the G107 scenario (cameras, the e-bike's passages among others, its owner)."""
    from yanyun.cases import scenario
    from yanyun.core.db import session_scope
    from yanyun.geo import service as geo_service
    from yanyun.intel import service as intel_service

    settings = runtime.settings
    pool = intel_service.open_pool(settings.lake_path, settings.intel)
    with session_scope(runtime, actor_username="system") as session:
        index = geo_service.city_index(runtime=runtime, session=session)
        report = scenario.build_g107(session=session, clock=runtime.clock, index=index,
                                     pool=pool)
    if report is None:
        return None
    return (f"G107 scenario 电动车肇事逃逸: {report.cameras} cameras, {report.sightings} "
            f"sightings at {scenario.ADDRESS} around {report.scene_at.isoformat()} "
            f"(e-bike {scenario.PLATE})")
