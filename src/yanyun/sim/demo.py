"""The demo city's joins between contexts: officers crew the fleet, and a past to forecast from.

The simulator may read every context (it sits above them): it hands duty
the fleet's units to crew, runs the first shift change and command's crewing
handler, and replays months of calls as the city's past incidents.
"""

from __future__ import annotations

from typing import Any

from yanyun.command.handlers import SUBSCRIPTIONS as COMMAND_HANDLERS
from yanyun.core.bus import drain
from yanyun.core.db import session_scope
from yanyun.duty.phone import link_demo_officers
from yanyun.duty.staffing import StaffingSpec
from yanyun.geo import service as geo_service
from yanyun.sim.history import ensure_history
from yanyun.sim.staffing import staff_city


def staff_the_fleet(runtime: Any, options: Any) -> str | None:
    """Officers, rosters and posts for every station, crewing the units now (once)."""
    with session_scope(runtime, actor_username="system") as session:
        report = staff_city(
            session=session, clock=runtime.clock, seed=runtime.settings.city.seed,
            spec=StaffingSpec(duty=runtime.settings.duty),
        )
        link_demo_officers(session)
    crewed = drain(runtime, COMMAND_HANDLERS, "command.crewing")
    if not report.built:
        return None
    return f"duty 勤务: {report.officers} officers and auxiliaries; {crewed} crew changes ({{s}} s)"


def past_incidents(runtime: Any, options: Any) -> str | None:
    """Days of past incidents up to an hour ago, if there are none yet."""
    if not options.history_days:
        return None
    with session_scope(runtime, actor_username="system") as session:
        past = ensure_history(
            session=session, clock=runtime.clock, seed=runtime.settings.city.seed,
            days=options.history_days,
            incidents_per_day=options.history_per_day,
            index=geo_service.city_index(runtime=runtime, session=session),
        )
    if not past:
        return None
    return f"demo history: {past} past incidents for the forecast 历史警情 ({{s}} s)"
