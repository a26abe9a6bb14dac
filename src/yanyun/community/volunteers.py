"""Volunteers (衡阳义警): the registry, their hours, and the in-memory index calls select from.

Their organisation is in organisation.py, calling them out (一呼百应) in mobilisation.py.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.auth.permissions import Perm
from yanyun.auth.scope import visible
from yanyun.auth.service import Actor
from yanyun.community.models import (
    Mobilisation,
    MobilisationResponse,
    Volunteer,
    VolunteerActivity,
    VolunteerUnit,
)
from yanyun.community.selection import VolunteerIndex, skills_mask, skills_of
from yanyun.community.volunteer_schemas import (
    ActivityCreate,
    VolunteerCreate,
    VolunteerRead,
    VolunteerUpdate,
)
from yanyun.core.clock import Clock, as_utc
from yanyun.core.db import fetch_page
from yanyun.core.errors import Invalid
from yanyun.core.ids import new_id
from yanyun.geo import service as geo_service
from yanyun.geo.service import CityIndex


class IndexCache:
    """The process's volunteer index, rebuilt when older than its time to live."""

    def __init__(self, ttl_s: float) -> None:
        self.ttl_s = ttl_s
        self._index: VolunteerIndex | None = None
        self._lock = threading.Lock()

    def get(self, session: Session) -> VolunteerIndex:
        now = time.monotonic()
        with self._lock:
            if self._index is None or now - self._index.built_at_s > self.ttl_s:
                self._index = load_index(session=session, built_at_s=now)
            return self._index

    def forget(self) -> None:
        with self._lock:
            self._index = None


def load_index(*, session: Session, built_at_s: float = 0.0) -> VolunteerIndex:
    """Read every volunteer's position, skills and availability into arrays."""
    rows = session.execute(
        select(
            Volunteer.id, Volunteer.lng, Volunteer.lat, Volunteer.skills_mask, Volunteer.available
        )
    ).all()
    return VolunteerIndex.from_rows([tuple(r) for r in rows], built_at_s=built_at_s)


def volunteer_read(v: Volunteer, actor: Actor) -> VolunteerRead:
    """A volunteer as a reader sees them: the home point only for those who call volunteers out."""
    home = actor.can(Perm.volunteers_mobilise)
    return VolunteerRead(
        id=v.id,
        name_zh=v.name_zh,
        squad_id=v.squad_id,
        home_grid_code=v.home_grid_code,
        station_code=v.station_code,
        skills=skills_of(v.skills_mask),
        available=v.available,
        grid_patroller=v.grid_patroller,
        lng=v.lng if home else None,
        lat=v.lat if home else None,
        hours_total=round(v.hours_total, 1),
    )


def register_volunteer(
    *,
    session: Session,
    clock: Clock,
    index: CityIndex,
    actor: Actor | None,
    volunteer_in: VolunteerCreate,
) -> Volunteer:
    """Register a volunteer at their home; the grid and station come from the point.

    A station's users register volunteers who live in their own area only.
    """
    where = geo_service.place_in_scope(
        index=index, actor=actor, lng=volunteer_in.lng, lat=volunteer_in.lat
    )
    assert where.grid and where.station and where.org_path
    if volunteer_in.squad_id and session.get(VolunteerUnit, volunteer_in.squad_id) is None:
        raise Invalid("squad_id", "中队不存在", "no such squad")
    volunteer = Volunteer(
        id=new_id(clock),
        name_zh=volunteer_in.name_zh,
        squad_id=volunteer_in.squad_id,
        home_grid_code=where.grid.code,
        station_code=where.station.code,
        org_path=where.org_path,
        skills_mask=skills_mask(volunteer_in.skills),
        available=volunteer_in.available,
        grid_patroller=volunteer_in.grid_patroller,
        lng=volunteer_in.lng,
        lat=volunteer_in.lat,
        hours_total=0.0,
        registered_at=clock.now(),
    )
    session.add(volunteer)
    session.flush()
    return volunteer


def get_volunteer(*, session: Session, actor: Actor, volunteer_id: str) -> Volunteer:
    """The volunteer if the actor's area holds them, else NotFound."""
    volunteer = visible(session, Volunteer, volunteer_id, actor, what="volunteer")
    return volunteer


def update_volunteer(
    *,
    session: Session,
    actor: Actor,
    volunteer_id: str,
    update: VolunteerUpdate,
    cache: IndexCache | None = None,
) -> Volunteer:
    """Change a volunteer's availability, skills or patrol duty."""
    volunteer = get_volunteer(session=session, actor=actor, volunteer_id=volunteer_id)
    if update.available is not None:
        volunteer.available = update.available
    if update.skills is not None:
        volunteer.skills_mask = skills_mask(update.skills)
    if update.grid_patroller is not None:
        volunteer.grid_patroller = update.grid_patroller
    if cache is not None:
        cache.forget()
    return volunteer


def list_volunteers(
    *,
    session: Session,
    actor: Actor,
    grid_code: str | None = None,
    station_code: str | None = None,
    squad_id: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[Volunteer]]:
    """Volunteers in the actor's area by id, filtered by home grid, station or squad."""
    stmt = actor.scope(select(Volunteer), Volunteer.org_path)
    if grid_code:
        stmt = stmt.where(Volunteer.home_grid_code == grid_code)
    if station_code:
        stmt = stmt.where(Volunteer.station_code == station_code)
    if squad_id:
        stmt = stmt.where(Volunteer.squad_id == squad_id)
    total, rows = fetch_page(session, stmt, Volunteer.id, limit=limit, offset=offset)
    return total, rows


def record_activity(
    *, session: Session, actor: Actor, clock: Clock, volunteer_id: str, activity_in: ActivityCreate
) -> VolunteerActivity:
    """Record hours a volunteer gave; their total follows."""
    volunteer = get_volunteer(session=session, actor=actor, volunteer_id=volunteer_id)
    if as_utc(activity_in.started_at) > clock.now():
        raise Invalid(
            "started_at", "活动时间不能晚于当前时间", "activity cannot start in the future"
        )
    row = VolunteerActivity(
        id=new_id(clock),
        volunteer_id=volunteer.id,
        kind=activity_in.kind.value,
        started_at=activity_in.started_at,
        hours=activity_in.hours,
        grid_code=volunteer.home_grid_code,
        org_path=volunteer.org_path,
    )
    session.add(row)
    volunteer.hours_total += activity_in.hours
    return row


def credit_hours(
    session: Session, clock: Clock, call: Mobilisation, response: MobilisationResponse,
    now: datetime,
) -> None:
    """Time on scene counts as the volunteer's service hours (at least a quarter hour)."""
    assert response.arrived_at is not None
    hours = max(0.25, round((now - response.arrived_at).total_seconds() / 3600, 2))
    volunteer = session.get(Volunteer, response.volunteer_id)
    assert volunteer is not None
    session.add(VolunteerActivity(
        id=new_id(clock), volunteer_id=volunteer.id, kind="mobilisation",
        started_at=response.arrived_at, hours=hours, grid_code=call.grid_code,
        org_path=volunteer.org_path,
    ))
    volunteer.hours_total = (volunteer.hours_total or 0.0) + hours
