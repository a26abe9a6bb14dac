"""Tidal deployment's periodic work: today's and tomorrow's plans, made before pages ask.

Each run makes the forecast-based plan of today and of tomorrow over the
whole city, over the scope of every user who may open the tidal page, and
over every (scope, demand) pages asked for since yesterday,
when it is missing or when `products_refresh_incidents` incidents or more
came in before its day since it was made.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from yanyun.auth.permissions import Perm
from yanyun.core import products
from yanyun.core.clock import SHANGHAI
from yanyun.core.db import read_session
from yanyun.core.jobs import Job
from yanyun.stats.jobs import scope_actor, wanted
from yanyun.tidal import service
from yanyun.tidal.schemas import TidalDemand


def daily_plans(runtime: Any) -> str:
    """Make today's and tomorrow's plans that are missing or whose incidents moved enough."""
    settings = runtime.settings
    today = runtime.clock.now().astimezone(SHANGHAI).date()
    cache = runtime.provide(service.PLANS)
    built = 0
    pairs = wanted(runtime, service.PLAN_PRODUCT, [TidalDemand.forecast.value], Perm.duty_read)
    with read_session(runtime) as session:
        for day in (today, today + timedelta(days=1)):
            for scope, key in pairs:
                actor, demand = scope_actor(scope), TidalDemand(key)

                def mark(actor=actor, day=day) -> int:
                    return service.plan_mark(session, actor, day)

                def build(actor=actor, day=day, demand=demand) -> products.Built:
                    return service.build_plan_product(
                        session=session, actor=actor, clock=runtime.clock,
                        stats=settings.stats, duty=settings.duty, cache=cache, day=day,
                        demand=demand,
                    )

                built += products.refresh(
                    runtime, service.PLAN_PRODUCT, day, scope, key, mark=mark, build=build,
                    moved=settings.stats.products_refresh_incidents,
                )
                session.commit()  # end the read; the next one sees what is committed now
    return f"{built} of {2 * len(pairs)} plans made"


def _every(settings: Any) -> float:
    return settings.stats.products_every_s


JOBS = [Job("tidal.daily_plans", daily_plans, every_s=_every,
            description="today's and tomorrow's tidal plans, per scope read (daily_product)")]


def build_demo_step(runtime: Any, options: Any) -> str:
    """Today's and tomorrow's plans, made once the demo's history is in."""
    return f"潮汐 tidal plans: {daily_plans(runtime)} ({{s}} s)"
