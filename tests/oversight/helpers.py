"""Builders for supervision tests: plain functions over the test city and demo users."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import select

from yanyun.auth.models import OrgUnit, User
from yanyun.auth.service import Actor, actor_for
from yanyun.core.clock import SHANGHAI
from yanyun.oversight.settings import OversightSettings


def at(day: date, hh: int, mm: int = 0) -> datetime:
    """An instant in Asia/Shanghai."""
    return datetime.combine(day, time(hh, mm), tzinfo=SHANGHAI)


def actor(session, username: str) -> Actor:
    user = session.scalars(select(User).where(User.username == username)).one()
    return actor_for(session=session, user=user)


def unit(session, code: str) -> OrgUnit:
    return session.get(OrgUnit, code)


def station_of(session, username: str) -> OrgUnit:
    user = session.scalars(select(User).where(User.username == username)).one()
    return session.get(OrgUnit, user.org_code)


def other_station(session, not_code: str) -> OrgUnit:
    return session.scalars(
        select(OrgUnit).where(OrgUnit.kind == "station", OrgUnit.code != not_code)
        .order_by(OrgUnit.code.desc())
    ).first()


def settings(**overrides) -> OversightSettings:
    return OversightSettings(**overrides)
