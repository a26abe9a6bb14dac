"""Command's part of the demo city: the fleet of units and their quick-response circles."""

from __future__ import annotations

from typing import Any

from yanyun.command.fleet import build_fleet
from yanyun.core.db import session_scope


def build_fleet_demo(runtime: Any, options: Any) -> str | None:
    """Build the fleet once; nothing to say when it is already there."""
    with session_scope(runtime, actor_username="system") as session:
        report = build_fleet(session=session, clock=runtime.clock, seed=runtime.settings.city.seed)
    if not report.built:
        return None
    return f"fleet 警力: {report.units} units, {report.circles} quick-response circles ({{s}} s)"
