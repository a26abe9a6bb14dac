"""The demo city's geography: districts from the real boundaries, stations and grids generated."""

from __future__ import annotations

from typing import Any

from yanyun.core.db import session_scope
from yanyun.geo import service


def build_demo(runtime: Any, options: Any) -> str:
    """Build the city of the settings if absent; the line that says what it holds."""
    with session_scope(runtime, actor_username="system") as session:
        report = service.build_city(session=session, clock=runtime.clock,
                                    city=runtime.settings.city)
    verb = "built" if report.built else "reused"
    return (
        f"雁云 yanyun demo city: {report.districts} districts, {report.stations} stations, "
        f"{report.grids} grids ({verb} in {{s}} s)"
    )
