"""Routes of duty: officers, rosters and crews, swaps, leave, duty levels, posts and clock-in."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from yanyun.auth.deps import require
from yanyun.auth.permissions import Perm
from yanyun.auth.service import Actor
from yanyun.core.clock import local_date
from yanyun.core.http import ClockDep, SessionDep, SettingsDep
from yanyun.core.params import Code, Day, Offset, PathKey
from yanyun.duty import level_staffing, levels, phone, posts, service
from yanyun.duty.models import Swap
from yanyun.duty.schemas import (
    AreaRead,
    ClockInCreate,
    ClockInRead,
    ComplianceReport,
    DutyLevelCreate,
    DutyLevelRead,
    LeaveCancelled,
    LeaveCreate,
    LeaveRead,
    OfficerContact,
    OfficerPage,
    OfficerRead,
    PostKind,
    PostPage,
    PostRead,
    PostUpdate,
    RequirementCatalogue,
    RequirementsUpdate,
    RosterEntryCreate,
    RosterEntryRead,
    RosterEntryUpdate,
    RosterRead,
    StationStrength,
    SwapCreate,
    SwapDecision,
    SwapRead,
)

router = APIRouter(prefix="/api/v1/duty", tags=["duty"])

Reader = Annotated[Actor, Depends(require(Perm.duty_read))]
Writer = Annotated[Actor, Depends(require(Perm.duty_write))]
Self = Annotated[Actor, Depends(require(Perm.duty_self))]
PersonalReader = Annotated[Actor, Depends(require(Perm.personal_read))]


def _swap_read(swap: Swap) -> SwapRead:
    return SwapRead.model_validate(swap, from_attributes=True)


@router.get("/officers", response_model=OfficerPage)
def list_officers(
    session: SessionDep,
    actor: Reader,
    station_code: Code | None = None,
    kind: Code | None = Query(None, pattern="^(police|auxiliary)$"),
    q: Code | None = Query(None, max_length=32),
    limit: int = Query(100, ge=1, le=1000),
    offset: Offset = 0,
) -> OfficerPage:
    """Officers (民警/辅警) in scope; phone numbers masked."""
    total, rows = service.list_officers(
        session=session,
        actor=actor,
        station_code=station_code,
        kind=kind,
        q=q,
        limit=limit,
        offset=offset,
    )
    return OfficerPage(total=total, items=[service.officer_read(o) for o in rows])


@router.get("/officers/{officer_id}", response_model=OfficerRead)
def get_officer(officer_id: PathKey, session: SessionDep, actor: Reader) -> OfficerRead:
    return service.officer_read(
        service.get_officer(session=session, actor=actor, officer_id=officer_id)
    )


@router.get("/officers/{officer_id}/contact", response_model=OfficerContact)
def officer_contact(
    officer_id: PathKey,
    session: SessionDep,
    clock: ClockDep,
    actor: PersonalReader,
    case_number: Annotated[str | None, Query(max_length=64)] = None,
    purpose: Annotated[str | None, Query(max_length=500)] = None,
) -> OfficerContact:
    """An officer's full phone number: names a case and a purpose, written to the audit log."""
    return service.read_contact(
        session=session,
        actor=actor,
        clock=clock,
        officer_id=officer_id,
        purpose=purpose,
        case_number=case_number,
    )


@router.get("/areas", response_model=list[AreaRead])
def areas(session: SessionDep, actor: Reader) -> list[AreaRead]:
    """Districts and stations a duty level can be raised over."""
    return service.areas(session=session, actor=actor)


@router.get("/stations", response_model=list[StationStrength])
def stations(session: SessionDep, actor: Reader) -> list[StationStrength]:
    """Each station's strength: 民警 and 辅警."""
    return service.station_strengths(session=session, actor=actor)


@router.get("/stations/{station_code}/roster", response_model=RosterRead)
def roster(
    station_code: PathKey,
    session: SessionDep,
    clock: ClockDep,
    actor: Reader,
    day: Day | None = None,
) -> RosterRead:
    """A station's shifts of a day, who is on each, which unit each crews, and the crews now."""
    return service.roster(
        session=session, actor=actor, clock=clock, station_code=station_code, day=day
    )


@router.post("/shifts/{shift_id}/entries", response_model=RosterEntryRead, status_code=201)
def add_entry(
    shift_id: PathKey, body: RosterEntryCreate, session: SessionDep, clock: ClockDep, actor: Writer
) -> RosterEntryRead:
    """Put an officer on a shift, crewing a unit (which becomes available in command)."""
    entry = service.add_entry(
        session=session, actor=actor, clock=clock, shift_id=shift_id, entry_in=body
    )
    return service.entry_read(session, entry)


@router.patch("/entries/{entry_id}", response_model=RosterEntryRead)
def update_entry(
    entry_id: PathKey, body: RosterEntryUpdate, session: SessionDep, clock: ClockDep, actor: Writer
) -> RosterEntryRead:
    """Move an officer to another unit, or record attendance (present / absent)."""
    entry = service.update_entry(
        session=session, actor=actor, clock=clock, entry_id=entry_id, entry_in=body
    )
    return service.entry_read(session, entry)


@router.delete("/entries/{entry_id}", status_code=204)
def remove_entry(
    entry_id: PathKey, session: SessionDep, clock: ClockDep, actor: Writer
) -> Response:
    service.remove_entry(session=session, actor=actor, clock=clock, entry_id=entry_id)
    return Response(status_code=204)


@router.post("/swaps", response_model=SwapRead, status_code=201)
def request_swap(body: SwapCreate, session: SessionDep, clock: ClockDep, actor: Self) -> SwapRead:
    """Ask to hand a shift to a colleague; it takes effect when a duty manager approves."""
    return _swap_read(service.request_swap(session=session, actor=actor, clock=clock, swap_in=body))


@router.post("/swaps/{swap_id}/decision", response_model=SwapRead)
def decide_swap(
    swap_id: PathKey, body: SwapDecision, session: SessionDep, clock: ClockDep, actor: Writer
) -> SwapRead:
    return _swap_read(
        service.decide_swap(
            session=session, actor=actor, clock=clock, swap_id=swap_id, approve=body.approve
        )
    )


@router.post("/leave", response_model=LeaveRead, status_code=201)
def grant_leave(
    body: LeaveCreate, session: SessionDep, clock: ClockDep, actor: Writer
) -> LeaveRead:
    leave = service.grant_leave(session=session, actor=actor, clock=clock, leave_in=body)
    return service.granted_read(session, leave)


@router.get("/levels", response_model=list[DutyLevelRead])
def list_levels(
    session: SessionDep, clock: ClockDep, settings: SettingsDep, actor: Reader, active: bool = True
) -> list[DutyLevelRead]:
    """Duty levels in force (or all), each with its shortfall against the roster."""
    return [
        level_staffing.level_read(session=session, level=lv, settings=settings.duty)
        for lv in levels.list_levels(session=session, actor=actor, clock=clock, active_only=active)
    ]


@router.post("/levels", response_model=DutyLevelRead, status_code=201)
def raise_level(
    body: DutyLevelCreate,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Writer,
) -> DutyLevelRead:
    """Raise a duty level (勤务等级) over a district or station for a window."""
    level = levels.raise_level(
        session=session, actor=actor, clock=clock, level_in=body, settings=settings.duty
    )
    session.flush()
    return level_staffing.level_read(session=session, level=level, settings=settings.duty)


@router.get("/levels/{level_id}", response_model=DutyLevelRead)
def get_level(
    level_id: PathKey, session: SessionDep, settings: SettingsDep, actor: Reader
) -> DutyLevelRead:
    level = levels.get_level(session=session, actor=actor, level_id=level_id)
    return level_staffing.level_read(session=session, level=level, settings=settings.duty)


@router.put("/levels/{level_id}/requirements", response_model=DutyLevelRead)
def set_requirements(
    level_id: PathKey,
    body: RequirementsUpdate,
    session: SessionDep,
    settings: SettingsDep,
    actor: Writer,
) -> DutyLevelRead:
    """Replace what a level requires per shift by skill, certification and post."""
    level = levels.set_requirements(
        session=session, actor=actor, level_id=level_id, requirements=body.requirements
    )
    return level_staffing.level_read(session=session, level=level, settings=settings.duty)


@router.get("/requirements", response_model=RequirementCatalogue)
def requirement_catalogue(settings: SettingsDep, actor: Reader) -> RequirementCatalogue:
    """What a duty level can require (skills, certifications, posts) and each level's
    default per station and shift."""
    return levels.requirement_catalogue(settings.duty)


@router.post("/levels/{level_id}/cancel-leave", response_model=LeaveCancelled)
def cancel_leave(
    level_id: PathKey, session: SessionDep, clock: ClockDep, settings: SettingsDep, actor: Writer
) -> LeaveCancelled:
    """Cancel the leave a level-2-or-above window flags (取消休假)."""
    level = levels.get_level(session=session, actor=actor, level_id=level_id)
    n = levels.cancel_leave(
        session=session, actor=actor, clock=clock, level=level, settings=settings.duty
    )
    return LeaveCancelled(cancelled=n)


@router.get("/posts", response_model=PostPage)
def list_posts(
    session: SessionDep,
    actor: Reader,
    kind: PostKind | None = None,
    station_code: Code | None = None,
    limit: int = Query(500, ge=1, le=5000),
    offset: Offset = 0,
) -> PostPage:
    """Fixed posts, quick-response platforms and school-gate posts with their windows."""
    total, rows = posts.list_posts(
        session=session,
        actor=actor,
        kind=kind.value if kind else None,
        station_code=station_code,
        limit=limit,
        offset=offset,
    )
    return PostPage(total=total, items=[posts.post_read(p) for p in rows])


@router.patch("/posts/{post_id}", response_model=PostRead)
def update_post(post_id: PathKey, body: PostUpdate, session: SessionDep, actor: Writer) -> PostRead:
    """Change a post's settings: a school's peak windows, school days, radius, officers."""
    return posts.post_read(
        posts.update_post(session=session, actor=actor, post_id=post_id, post_in=body)
    )


@router.post("/posts/{post_id}/clock-ins", response_model=ClockInRead, status_code=201)
def clock_in(
    post_id: PathKey,
    body: ClockInCreate,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Self,
) -> ClockInRead:
    """Proof of presence: counts only inside the geofence and window, else 422 with the reason."""
    row = posts.clock_in(
        session=session,
        actor=actor,
        clock=clock,
        settings=settings.duty,
        post_id=post_id,
        clock_in_in=body,
    )
    return ClockInRead.model_validate(row, from_attributes=True)


@router.get("/compliance", response_model=ComplianceReport)
def compliance(
    session: SessionDep,
    clock: ClockDep,
    actor: Reader,
    day: Day | None = None,
    kind: PostKind = PostKind.school_post,
    station_code: Code | None = None,
) -> ComplianceReport:
    """Clock-in compliance per post window, per station, for a day (school posts by default)."""
    return posts.compliance(
        session=session,
        actor=actor,
        day=day or local_date(clock.now()),
        kind=kind.value,
        station_code=station_code,
    )


@router.get("/me/posts", response_model=phone.MyPosts)
def my_posts(
    session: SessionDep, clock: ClockDep, settings: SettingsDep, actor: Self,
    lng: Annotated[float | None, Query(ge=-180, le=180)] = None,
    lat: Annotated[float | None, Query(ge=-90, le=90)] = None,
) -> phone.MyPosts:
    """The officer's own posts, nearest to the phone first, with today's clock-ins."""
    return phone.my_posts(session=session, clock=clock, actor=actor, settings=settings.duty,
                          lng=lng, lat=lat)


@router.post("/me/clock-ins", response_model=ClockInRead, status_code=201)
def clock_in_here(
    body: phone.PhoneClockIn, session: SessionDep, clock: ClockDep, settings: SettingsDep,
    actor: Self,
) -> ClockInRead:
    """Clock in from the officer's own phone, as the officer the account belongs to."""
    row = phone.clock_in_here(session=session, clock=clock, actor=actor,
                              settings=settings.duty, body=body)
    return ClockInRead.model_validate(row, from_attributes=True)
