"""Builders for community tests: plain functions, not a fixture per model."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.auth.service import Actor
from yanyun.community.demo import CommunitySpec, build_community
from yanyun.community.models import Volunteer
from yanyun.community.selection import skills_mask
from yanyun.geo.models import Grid, Station

# A few hundred people: enough to rank, small enough to stay quick.
SMALL = CommunitySpec(
    volunteers=300,
    villages=20,
    project_officers=6,
    disputes_per_year=120,
    reports_this_year=40,
    hazards_removed_this_year=20,
    hazards_open=6,
    solved_cases=3,
    prosecuted_cases=4,
    recovered_yuan=1_000_000.0,
)
CITY = Actor(
    user_id="u-admin",
    username="admin",
    roles=("admin",),
    org_code="",
    org_path="",
    permissions=frozenset(),
)


def build_small(session: Session, clock: Any, spec: CommunitySpec = SMALL) -> None:
    build_community(session=session, clock=clock, seed=7, spec=spec)
    session.flush()


def urban_grid(session: Session, offset: int = 0) -> Grid:
    return session.scalars(
        select(Grid).where(Grid.is_urban.is_(True)).order_by(Grid.code).offset(offset)
    ).first()


def place_volunteer(
    session: Session,
    grid: Grid,
    vid: str,
    *,
    metres_east: float,
    skills: tuple[str, ...] = ("patrol",),
    available: bool = True,
) -> Volunteer:
    """A volunteer `metres_east` of the grid's centre (about 111 km per degree x cos lat)."""
    import math

    lng = grid.lng + metres_east / (111_320 * math.cos(math.radians(grid.lat)))
    v = Volunteer(
        id=vid,
        name_zh=f"测试{vid}",
        squad_id=None,
        home_grid_code=grid.code,
        station_code=grid.station_code,
        org_path=f"x/{grid.district_code}/{grid.station_code}",
        skills_mask=skills_mask(list(skills)),
        available=available,
        grid_patroller=False,
        lng=lng,
        lat=grid.lat,
        hours_total=0.0,
        registered_at=session.info["clock"].now(),
    )
    session.add(v)
    session.flush()
    return v


def station_with_room(session: Session, has_room: bool) -> Station:
    return session.scalars(
        select(Station).where(Station.has_mediation_room.is_(has_room)).order_by(Station.code)
    ).first()
