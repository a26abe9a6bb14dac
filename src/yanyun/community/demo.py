"""The demo city's people: grid teams, 121,000 volunteers, villages, disputes, enterprises.

Sizes are the seed documents' (4,882 grid teams, 121,000 volunteer police,
2,372 village auxiliaries, 467 project officers, 31,000 disputes mediated a
year, 3,258 grid reports and 1,537 hazards removed this year). Everything is
drawn from one seed, inserted in bulk once on an empty database, and reused
on every later start.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from yanyun.auth import service as auth_service
from yanyun.auth.models import User
from yanyun.community import demo_enterprises, demo_grids, demo_villages, demo_volunteers
from yanyun.community.demo_spec import CommunitySpec, DemoCity
from yanyun.community.models import (
    CourtyardMeeting,
    Dispute,
    Enterprise,
    EnterpriseCase,
    GridReport,
    GridTeam,
    RallyPoint,
    ServiceDay,
    Village,
    Volunteer,
    VolunteerUnit,
)
from yanyun.core import audit, events
from yanyun.core.clock import Clock
from yanyun.events.community import CommunityBuilt
from yanyun.geo.models import District, Grid, Station

__all__ = ["CommunityReport", "CommunitySpec", "build_community", "build_demo"]


@dataclass(frozen=True)
class CommunityReport:
    built: bool
    volunteers: int
    grid_teams: int
    villages: int
    enterprises: int
    disputes: int


def build_community(
    *, session: Session, clock: Clock, seed: int, spec: CommunitySpec = CommunitySpec()
) -> CommunityReport:
    """Populate the community context once (idempotent: a second call changes nothing)."""
    existing = session.scalar(select(func.count()).select_from(GridTeam)) or 0
    if existing:
        return _already_built(session, existing)
    city = _read_city(session)
    if not city.grids:
        return CommunityReport(False, 0, 0, 0, 0, 0)
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    now = clock.now()
    # The draws follow one order from one seed: the same seed builds the same community.
    units, points = demo_volunteers.organisation(rng, city, spec)
    squads = {
        s.code: [u["id"] for u in units if u["level"] == "squad" and u["station_code"] == s.code]
        for s in city.stations
    }
    volunteers = demo_volunteers.volunteers(nrng, now, city, squads, spec)
    teams = demo_grids.teams(rng, city)
    reports = demo_grids.reports(rng, clock, city, spec)
    villages, meetings = demo_villages.villages(rng, now, city, spec)
    disputes = demo_villages.disputes(nrng, now, city, spec)
    enterprises, cases, days = demo_enterprises.enterprises(rng, now, city, spec)
    _insert(
        session,
        (
            (VolunteerUnit, units),
            (RallyPoint, points),
            (Volunteer, volunteers),
            (GridTeam, teams),
            (GridReport, reports),
            (Village, villages),
            (CourtyardMeeting, meetings),
            (Dispute, disputes),
            (Enterprise, enterprises),
            (EnterpriseCase, cases),
            (ServiceDay, days),
        ),
    )
    detail = {
        "seed": seed,
        "volunteers": len(volunteers),
        "grid_teams": len(teams),
        "villages": len(villages),
        "enterprises": len(enterprises),
        "disputes": len(disputes),
        "grid_reports": len(reports),
    }
    _announce(session, clock, city.bureau, detail)
    return CommunityReport(
        True, len(volunteers), len(teams), len(villages), len(enterprises), len(disputes)
    )


def _already_built(session: Session, grid_teams: int) -> CommunityReport:
    """What an earlier build left, counted."""
    count = lambda model: session.scalar(select(func.count()).select_from(model)) or 0  # noqa: E731
    return CommunityReport(
        False, count(Volunteer), grid_teams, count(Village), count(Enterprise), count(Dispute)
    )


def _read_city(session: Session) -> DemoCity:
    """The city's districts, stations and grids, with each station's and grid's org path."""
    bureau = auth_service.bureau_code(session=session)
    districts = list(session.scalars(select(District).order_by(District.code)))
    stations = list(session.scalars(select(Station).order_by(Station.code)))
    grids = session.execute(
        select(
            Grid.code,
            Grid.station_code,
            Grid.district_code,
            Grid.is_urban,
            Grid.lng,
            Grid.lat,
            Grid.min_lng,
            Grid.min_lat,
            Grid.max_lng,
            Grid.max_lat,
        ).order_by(Grid.code)
    ).all()
    station_path = {s.code: f"{bureau}/{s.district_code}/{s.code}" for s in stations}
    grid_path = {g.code: f"{station_path[g.station_code]}/{g.code}" for g in grids}
    by_station: dict[str, list[Any]] = {}
    for g in grids:
        by_station.setdefault(g.station_code, []).append(g)
    return DemoCity(
        bureau=bureau,
        districts=districts,
        stations=stations,
        grids=list(grids),
        station_path=station_path,
        grid_path=grid_path,
        by_station=by_station,
    )


def _insert(session: Session, tables: tuple[tuple[Any, Sequence[Mapping[str, Any]]], ...]) -> None:
    """Insert every table's rows in bulk, unaudited row by row (the build is audited once)."""
    connection = session.connection()
    session.info["audit_writes"] = False
    try:
        for model, rows in tables:
            # Core executemany on the table: the ORM's bulk path costs ~3x more here.
            if rows:
                connection.execute(insert(model.__table__), rows)
    finally:
        session.info.pop("audit_writes", None)


def _announce(session: Session, clock: Clock, bureau: str, detail: dict[str, Any]) -> None:
    """Audit the build once and announce it."""
    audit.record(
        session, clock=clock, action="build_community", resource_type="volunteer", detail=detail
    )
    events.publish(
        session,
        CommunityBuilt(**detail),
        clock=clock,
        resource_id="*",
        org_path=bureau,
    )


def build_demo(runtime: Any, options: Any) -> str | None:
    """The demo community, once: volunteers, grid teams, villages, enterprises, disputes."""
    from yanyun.core.db import session_scope

    with session_scope(runtime, actor_username="system") as session:
        report = build_community(
            session=session, clock=runtime.clock, seed=runtime.settings.city.seed,
            spec=CommunitySpec(volunteers=runtime.settings.community.volunteers),
        )
        link_demo_volunteer(session)
    if not report.built:
        return None
    return (
        f"community 群防群治: {report.volunteers} volunteers, {report.grid_teams} grid teams, "
        f"{report.villages} villages, {report.enterprises} enterprises ({{s}} s)"
    )


def link_demo_volunteer(session: Session) -> str | None:
    """Give the demo's volunteer account a registered volunteer of its station (once)."""
    user = session.scalar(select(User).where(User.username == "volunteer"))
    if user is None:
        return None
    linked = session.scalar(select(Volunteer.id).where(Volunteer.user_id == user.id))
    if linked is not None:
        return linked
    volunteer = session.scalar(
        select(Volunteer)
        .where(Volunteer.station_code == user.org_code, Volunteer.available.is_(True),
               Volunteer.user_id.is_(None))
        .order_by(Volunteer.id)
        .limit(1)
    )
    if volunteer is None:
        return None
    volunteer.user_id = user.id
    return volunteer.id
