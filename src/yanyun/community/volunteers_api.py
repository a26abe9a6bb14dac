"""Routes of the volunteer registry: volunteers, their hours, their organisation."""

from __future__ import annotations

from yanyun.community import organisation as units
from yanyun.community import volunteers
from yanyun.community.routes import CacheDep, Limit, Offset, Reader, Writer, router
from yanyun.community.volunteer_schemas import (
    ActivityCreate,
    ActivityRead,
    UnitRead,
    VolunteerCreate,
    VolunteerPage,
    VolunteerRead,
    VolunteerUpdate,
)
from yanyun.core.http import ClockDep, SessionDep
from yanyun.core.params import Code, PathKey
from yanyun.geo.api import IndexDep


@router.get("/volunteers", response_model=VolunteerPage)
def list_volunteers(
    session: SessionDep,
    actor: Reader,
    grid_code: Code | None = None,
    station_code: Code | None = None,
    squad_id: Code | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> VolunteerPage:
    """Registered volunteers in the actor's area."""
    total, rows = volunteers.list_volunteers(
        session=session,
        actor=actor,
        grid_code=grid_code,
        station_code=station_code,
        squad_id=squad_id,
        limit=limit,
        offset=offset,
    )
    return VolunteerPage(total=total, items=[volunteers.volunteer_read(v, actor) for v in rows])


@router.post("/volunteers", response_model=VolunteerRead, status_code=201)
def register_volunteer(
    body: VolunteerCreate,
    session: SessionDep,
    clock: ClockDep,
    actor: Writer,
    city: IndexDep,
    cache: CacheDep,
) -> VolunteerRead:
    """Register a volunteer; home grid and station follow from where they live."""
    v = volunteers.register_volunteer(
        session=session, clock=clock, index=city, actor=actor, volunteer_in=body
    )
    cache.forget()
    return volunteers.volunteer_read(v, actor)


@router.patch("/volunteers/{volunteer_id}", response_model=VolunteerRead)
def update_volunteer(
    volunteer_id: PathKey,
    body: VolunteerUpdate,
    session: SessionDep,
    actor: Writer,
    cache: CacheDep,
) -> VolunteerRead:
    """Change availability, skills or grid patrol duty."""
    v = volunteers.update_volunteer(
        session=session, actor=actor, volunteer_id=volunteer_id, update=body, cache=cache
    )
    return volunteers.volunteer_read(v, actor)


@router.post("/volunteers/{volunteer_id}/activities", response_model=ActivityRead, status_code=201)
def record_activity(
    volunteer_id: PathKey, body: ActivityCreate, session: SessionDep, clock: ClockDep, actor: Writer
) -> ActivityRead:
    """Record hours of patrol, mediation, civility guidance, school gate or publicity."""
    row = volunteers.record_activity(
        session=session, actor=actor, clock=clock, volunteer_id=volunteer_id, activity_in=body
    )
    return ActivityRead.model_validate(row)


@router.get("/organisation", response_model=list[UnitRead])
def organisation(
    session: SessionDep, actor: Reader, parent_id: Code | None = None
) -> list[UnitRead]:
    """One level of 总队 / 支队 / 大队 / 中队, with head counts and rally points."""
    return units.organisation(session=session, actor=actor, parent_id=parent_id)
