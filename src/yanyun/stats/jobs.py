"""Statistics' periodic work: the day's forecasts, computed before pages ask for them.

Each run builds today's forecast over the whole city (the bureau's scope),
over the scope of every user who may open the forecast page (a station
chief's station), and over every scope and category pages asked for in the
last two days, when it is missing or when `products_refresh_incidents`
incidents or more came in since it was made. In the day's last
`products_ahead_h` hours it makes tomorrow's as well, as at midnight, so a
day never starts with a page waiting on a year of history.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from yanyun.auth.models import OrgUnit, User
from yanyun.auth.permissions import Perm, permissions_of
from yanyun.auth.service import Actor
from yanyun.core import products
from yanyun.core.clock import SHANGHAI, Clock, FrozenClock
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


def reader_scopes(runtime: Any, permission: Perm) -> list[str]:
    """The org paths of active users whose roles may open a product's page: where it will
    be asked for, whether or not anyone asked yesterday."""
    with read_session(runtime) as session:
        rows = session.execute(
            select(User.roles, OrgUnit.path)
            .join(OrgUnit, OrgUnit.code == User.org_code)
            .where(User.active.is_(True))
        ).all()
    return sorted({path for roles, path in rows if permission in permissions_of(list(roles))})


def wanted(
    runtime: Any, product: str, default_keys: list[str], permission: Perm
) -> list[tuple[str, str]]:
    """The whole city and every reader's scope with `default_keys`, and every (scope, key)
    read since yesterday."""
    today = runtime.clock.now().astimezone(SHANGHAI).date()
    scopes = city_scopes(runtime)
    scopes += [s for s in reader_scopes(runtime, permission) if s not in scopes]
    found = [(scope, key) for scope in scopes for key in default_keys]
    for pair in products.recently_read(runtime, product, today - timedelta(days=1)):
        if pair not in found:
            found.append(pair)
    return found


def days_to_make(clock: Clock, ahead_h: int) -> list[tuple[date, Clock]]:
    """Today with the clock, and tomorrow as seen at its midnight when the day's last
    `ahead_h` hours have begun."""
    now = clock.now().astimezone(SHANGHAI)
    days: list[tuple[date, Clock]] = [(now.date(), clock)]
    if ahead_h and now.hour >= 24 - ahead_h:
        tomorrow = now.date() + timedelta(days=1)
        days.append((tomorrow, FrozenClock(datetime.combine(tomorrow, time(0), SHANGHAI))))
    return days


def daily_forecasts(runtime: Any) -> str:
    """Build today's (and, late in the day, tomorrow's) forecasts that are missing or whose
    incidents moved enough."""
    stats = runtime.settings.stats
    today = runtime.clock.now().astimezone(SHANGHAI).date()
    built = tried = 0
    pairs = wanted(runtime, service.FORECAST_PRODUCT, [""], Perm.forecast_read)
    with read_session(runtime) as session:
        index = geo_service.city_index(runtime=runtime, session=session)
        for (day, clock), (scope, key) in (
            (d, p) for d in days_to_make(runtime.clock, stats.products_ahead_h) for p in pairs
        ):
            actor, category = scope_actor(scope), key or None
            tried += 1

            def mark(actor=actor, category=category, day=day) -> int:
                return service.forecast_mark(
                    session=session, actor=actor, today=day, stats=stats, category=category
                )

            def build(actor=actor, category=category, clock=clock) -> products.Built:
                return service.build_forecast_product(
                    session=session, actor=actor, clock=clock, stats=stats,
                    category=category, grid_codes_of=service.grid_lookup(index),
                    score_cache=runtime.provide(service.SCORE_CACHE),
                )

            built += products.refresh(
                runtime, service.FORECAST_PRODUCT, day, scope, key, mark=mark, build=build,
                moved=stats.products_refresh_incidents,
            )
            # end the read (as a commit: in tests one connection holds the stored row too);
            # the next scope reads what is committed now
            session.commit()
    products.prune(runtime, today)
    return f"{built} of {tried} forecasts built"


def _every(settings: Any) -> float:
    return settings.stats.products_every_s


JOBS = [Job("stats.daily_products", daily_forecasts, every_s=_every,
            description="the day's forecasts and their scores, per scope read (daily_product)")]


def build_demo_step(runtime: Any, options: Any) -> str:
    """The day's forecasts, made once the demo's history is in: the first page finds them."""
    return f"预测 forecasts: {daily_forecasts(runtime)} ({{s}} s)"
