"""Statistics' periodic work: the day's forecasts, computed before pages ask for them.

Each run builds today's forecast over the whole city (the bureau's scope) and
over every scope
and category pages asked for in the last two days, when it is missing or
when `products_refresh_incidents` incidents or more came in since it was
made; a day that turns makes every one of them anew (a new day, a new row).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from yanyun.auth.models import OrgUnit
from yanyun.auth.service import Actor
from yanyun.core import products
from yanyun.core.clock import SHANGHAI
from yanyun.core.db import read_session
from yanyun.core.jobs import Job
from yanyun.geo import service as geo_service
from yanyun.stats import service


def scope_actor(org_path: str) -> Actor:
    """Who a product is computed for: no one, seeing what `org_path` sees."""
    return Actor(
        user_id="system", username="system", roles=(), org_code="", org_path=org_path,
        permissions=frozenset(),
    )


def city_scopes(runtime: Any) -> list[str]:
    """The org paths of the top of the tree (the city's bureau): what city-wide users see."""
    with read_session(runtime) as session:
        return sorted(session.scalars(select(OrgUnit.path).where(OrgUnit.parent_code.is_(None))))


def wanted(runtime: Any, product: str, default_keys: list[str]) -> list[tuple[str, str]]:
    """The whole city with `default_keys`, and every (scope, key) read since yesterday."""
    today = runtime.clock.now().astimezone(SHANGHAI).date()
    found = [(scope, key) for scope in city_scopes(runtime) for key in default_keys]
    for pair in products.recently_read(runtime, product, today - timedelta(days=1)):
        if pair not in found:
            found.append(pair)
    return found


def daily_forecasts(runtime: Any) -> str:
    """Build today's forecasts that are missing or whose incidents moved enough."""
    stats = runtime.settings.stats
    today = runtime.clock.now().astimezone(SHANGHAI).date()
    built = 0
    pairs = wanted(runtime, service.FORECAST_PRODUCT, [""])
    with read_session(runtime) as session:
        index = geo_service.city_index(runtime=runtime, session=session)
        for scope, key in pairs:
            actor, category = scope_actor(scope), key or None

            def mark(actor=actor, category=category) -> int:
                return service.forecast_mark(
                    session=session, actor=actor, today=today, stats=stats, category=category
                )

            def build(actor=actor, category=category) -> products.Built:
                return service.build_forecast_product(
                    session=session, actor=actor, clock=runtime.clock, stats=stats,
                    category=category, grid_codes_of=service.grid_lookup(index),
                    score_cache=runtime.provide(service.SCORE_CACHE),
                )

            built += products.refresh(
                runtime, service.FORECAST_PRODUCT, today, scope, key, mark=mark, build=build,
                moved=stats.products_refresh_incidents,
            )
            # end the read (as a commit: in tests one connection holds the stored row too);
            # the next scope reads what is committed now
            session.commit()
    products.prune(runtime, today)
    return f"{built} of {len(pairs)} forecasts built"


def _every(settings: Any) -> float:
    return settings.stats.products_every_s


JOBS = [Job("stats.daily_products", daily_forecasts, every_s=_every,
            description="the day's forecasts and their scores, per scope read (daily_product)")]
