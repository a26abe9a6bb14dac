"""Officers, rosters and crews, swaps, leave and duty levels.

A unit may be sent only while someone on duty crews it. Duty owns who is on
duty; command owns units. Whenever the crew of a unit changes (a shift starts
or ends, a swap, an absence, leave) duty announces it in the outbox (one
`duty.crews_changed` per station) and command's consumer applies it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from yanyun.auth.models import OrgUnit
from yanyun.auth.scope import visible
from yanyun.auth.service import Actor, mask_phone
from yanyun.core import audit, events
from yanyun.core.clock import SHANGHAI, Clock, as_utc, local_date
from yanyun.core.db import fetch_page
from yanyun.core.errors import Conflict, Invalid, NotFound
from yanyun.core.ids import new_id
from yanyun.duty.models import (
    Leave,
    Officer,
    RosterEntry,
    Shift,
    Swap,
    UnitCrew,
)
from yanyun.duty.schemas import (
    AreaRead,
    LeaveCreate,
    LeaveRead,
    OfficerContact,
    OfficerRead,
    RosterEntryCreate,
    RosterEntryRead,
    RosterEntryUpdate,
    RosterRead,
    ShiftRead,
    StationStrength,
    SwapCreate,
    UnitCrewRead,
)
from yanyun.events.duty import CrewRef, CrewsChanged, ShiftRef
from yanyun.geo.models import District, Station

TEAMS = ("A", "B", "C")
# Day shift 08:00-20:00, night shift 20:00-08:00 (Asia/Shanghai); three teams
# rotate day, night, rest, the common pattern of a station's 24-hour duty.
SHIFT_TIMES = (("day", time(8), 12), ("night", time(20), 12))
ROTATION_EPOCH = date(2026, 1, 1)
# One event per station and change, listing the units crewed and uncrewed.
CREWS_CHANGED = "duty.crews_changed"


def _local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=SHANGHAI).astimezone(UTC)


def team_on(day: date, name: str) -> str:
    """The team working a shift: each team works a day, then the next night, then rests.

    A team never works two shifts in a row: 24 hours off between its day and
    its night, and after the night a full day off.

    >>> [team_on(date(2026, 1, d), n) for d in (1, 2, 3) for n in ("day", "night")]
    ['A', 'C', 'B', 'A', 'C', 'B']
    """
    n = (day - ROTATION_EPOCH).days
    return TEAMS[n % 3] if name == "day" else TEAMS[(n + 2) % 3]


def station_paths(session: Session) -> dict[str, str]:
    """Station code -> org path, from the org tree."""
    rows = session.execute(select(OrgUnit.code, OrgUnit.path).where(OrgUnit.kind == "station"))
    return {code: path for code, path in rows}


def officer_read(officer: Officer) -> OfficerRead:
    return OfficerRead(
        id=officer.id,
        badge_no=officer.badge_no,
        name_zh=officer.name_zh,
        kind=officer.kind,
        station_code=officer.station_code,
        rank=officer.rank,
        skills=list(officer.skills),
        certifications=list(officer.certifications),
        phone_masked=mask_phone(officer.phone),
        team=officer.team,
        default_unit_id=officer.default_unit_id,
        active=officer.active,
    )


def list_officers(
    *,
    session: Session,
    actor: Actor,
    station_code: str | None = None,
    kind: str | None = None,
    q: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[int, list[Officer]]:
    """Officers in the actor's scope, filtered; contacts stay masked."""
    stmt = actor.scope(select(Officer), Officer.org_path)
    if station_code:
        stmt = stmt.where(Officer.station_code == station_code)
    if kind:
        stmt = stmt.where(Officer.kind == kind)
    if q:
        stmt = stmt.where(Officer.name_zh.contains(q, autoescape=True) | (Officer.badge_no == q))
    total, rows = fetch_page(session, stmt, Officer.badge_no, limit=limit, offset=offset)
    return total, rows


def get_officer(*, session: Session, actor: Actor, officer_id: str) -> Officer:
    officer = visible(session, Officer, officer_id, actor, what="officer")
    return officer


def read_contact(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    officer_id: str,
    purpose: str | None,
    case_number: str | None,
) -> OfficerContact:
    """An officer's full phone number, only with a case and a purpose, and logged."""
    officer = get_officer(session=session, actor=actor, officer_id=officer_id)
    audit.record_personal_read(
        session,
        clock=clock,
        resource_type="duty_officer",
        resource_id=officer.id,
        purpose=purpose,
        case_number=case_number,
        detail={"field": "phone"},
    )
    return OfficerContact(id=officer.id, name_zh=officer.name_zh, phone=officer.phone)


def areas(*, session: Session, actor: Actor) -> list[AreaRead]:
    """Districts and stations in scope, for choosing where a duty level applies."""
    paths = station_paths(session)
    out = [
        AreaRead(kind="district", code=d.code, name_zh=d.name_zh, name_en=d.name_en)
        for d in session.scalars(select(District).order_by(District.code))
        if not actor.org_path or actor.org_path.split("/")[1:2] in ([], [d.code])
    ]
    out += [
        AreaRead(kind="station", code=s.code, name_zh=s.name_zh, name_en=s.name_en)
        for s in session.scalars(select(Station).order_by(Station.code))
        if actor.sees(paths.get(s.code, ""))
    ]
    return out


def station_strengths(*, session: Session, actor: Actor) -> list[StationStrength]:
    """How many 民警 and 辅警 each station in scope has."""
    stmt = actor.scope(
        select(Officer.station_code, Officer.kind, func.count()).where(Officer.active.is_(True)),
        Officer.org_path,
    ).group_by(Officer.station_code, Officer.kind)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"police": 0, "auxiliary": 0})
    for code, kind, n in session.execute(stmt):
        counts[code][kind] = n
    stations = {
        s.code: s for s in session.scalars(select(Station).where(Station.code.in_(sorted(counts))))
    }
    return [
        StationStrength(
            station_code=code,
            station_name_zh=stations[code].name_zh if code in stations else code,
            grade=stations[code].grade if code in stations else 3,
            police=c["police"],
            auxiliary=c["auxiliary"],
        )
        for code, c in sorted(counts.items())
    ]


# --- rosters -------------------------------------------------------------


def plan_rosters(
    *, session: Session, clock: Clock, days: list[date], stations: list[str] | None = None
) -> int:
    """Create the shifts of these days, each worked by its rotating team; returns shifts made.

    Idempotent per station and shift: a planned shift is never replanned, so
    swaps and changes made by hand survive.
    """
    paths = station_paths(session)
    stmt = select(Officer.id, Officer.station_code, Officer.team, Officer.default_unit_id).where(
        Officer.active.is_(True)
    )
    if stations is not None:
        stmt = stmt.where(Officer.station_code.in_(stations))
    teams: dict[tuple[str, str], list[tuple[str, str | None]]] = defaultdict(list)
    for oid, code, team, unit_id in session.execute(stmt.order_by(Officer.badge_no)):
        teams[(code, team)].append((oid, unit_id))
    codes = sorted({code for code, _ in teams})
    if not codes:
        return 0
    first = _local(min(days), time(0))
    existing = {
        (code, as_utc(at))
        for code, at in session.execute(
            select(Shift.station_code, Shift.starts_at).where(
                Shift.station_code.in_(codes), Shift.starts_at >= first
            )
        )
    }
    shifts: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    for day in days:
        for name, start, hours in SHIFT_TIMES:
            starts_at = _local(day, start)
            team = team_on(day, name)
            for code in codes:
                if (code, starts_at) in existing:
                    continue
                sid = new_id(clock)
                shifts.append(
                    dict(
                        id=sid,
                        station_code=code,
                        org_path=paths.get(code, code),
                        day=day,
                        name=name,
                        team=team,
                        starts_at=starts_at,
                        ends_at=starts_at + timedelta(hours=hours),
                    )
                )
                entries += [
                    dict(
                        id=new_id(clock),
                        shift_id=sid,
                        officer_id=oid,
                        unit_id=unit_id,
                        attendance="scheduled",
                        attendance_at=None,
                    )
                    for oid, unit_id in teams[(code, team)]
                ]
    if shifts:
        # Bulk rows: a city plans hundreds of shifts and thousands of entries at once.
        session.info["audit_writes"] = False
        try:
            session.execute(insert(Shift), shifts)
            if entries:
                session.execute(insert(RosterEntry), entries)
        finally:
            session.info.pop("audit_writes", None)
        audit.record(
            session,
            clock=clock,
            action="plan_rosters",
            resource_type="duty_shift",
            detail={"days": [d.isoformat() for d in days], "shifts": len(shifts)},
        )
    return len(shifts)


def _on_leave(session: Session, officer_ids: list[str] | None, start: datetime, end: datetime):
    stmt = select(Leave).where(
        Leave.status == "approved", Leave.starts_at < end, Leave.ends_at > start
    )
    if officer_ids is not None:
        stmt = stmt.where(Leave.officer_id.in_(officer_ids))
    return list(session.scalars(stmt))


def current_crews(session: Session, now: datetime) -> dict[str, tuple[list[str], Shift]]:
    """Unit id -> (officers on duty crewing it, their shift), at this instant."""
    rows = session.execute(
        select(RosterEntry.unit_id, RosterEntry.officer_id, Shift)
        .join(Shift, Shift.id == RosterEntry.shift_id)
        .where(
            Shift.starts_at <= now,
            Shift.ends_at > now,
            RosterEntry.unit_id.is_not(None),
            RosterEntry.attendance != "absent",
        )
    ).all()
    away = {leave.officer_id for leave in _on_leave(session, None, now, now + timedelta(seconds=1))}
    crews: dict[str, tuple[list[str], Shift]] = {}
    for unit_id, officer_id, shift in rows:
        if officer_id in away:
            continue
        crew, _ = crews.setdefault(unit_id, ([], shift))
        crew.append(officer_id)
    for crew, _ in crews.values():
        crew.sort()
    return crews


def apply_shift_changes(session: Session, clock: Clock) -> tuple[int, int]:
    """Announce every unit whose crew changed since last time; returns (crewed, uncrewed).

    Run periodically (shifts start and end on the clock) and after every
    roster change. Tomorrow's rosters are planned when missing, so the city
    never runs out of shifts. The changes are announced as one
    `duty.crews_changed` event per station: a shift change re-crews every
    unit of the city at once, and a thousand one-unit events would flood the
    outbox, command's consumer and every live page.
    """
    now = clock.now()
    tomorrow = local_date(now) + timedelta(days=1)
    has_officers = session.scalar(select(Officer.id).limit(1)) is not None
    if (
        has_officers
        and session.scalar(select(Shift.id).where(Shift.day == tomorrow).limit(1)) is None
    ):
        plan_rosters(session=session, clock=clock, days=[tomorrow])
    crews = current_crews(session, now)
    known = {row.unit_id: row for row in session.scalars(select(UnitCrew))}
    changed: dict[str, list[tuple[UnitCrew, Shift | None]]] = defaultdict(list)
    for unit_id, (crew, shift) in sorted(crews.items()):
        row = known.get(unit_id)
        if (
            row is not None
            and row.announced
            and list(row.crew) == crew
            and row.shift_id == shift.id
        ):
            continue
        if row is None:
            row = UnitCrew(
                unit_id=unit_id, station_code=shift.station_code, org_path=shift.org_path
            )
            session.add(row)
        row.crew, row.shift_id, row.changed_at, row.announced = crew, shift.id, now, True
        changed[row.station_code].append((row, shift))
    # Units duty knows but nobody crews now: announced once as uncrewed.
    for unit_id, row in sorted(known.items()):
        if unit_id in crews or (row.announced and not row.crew):
            continue
        row.crew, row.shift_id, row.changed_at, row.announced = [], None, now, True
        changed[row.station_code].append((row, None))
    for station_code, rows in sorted(changed.items()):
        _announce(session, clock, station_code, rows)
    crewed = sum(1 for rows in changed.values() for _, shift in rows if shift is not None)
    uncrewed = sum(1 for rows in changed.values() for _, shift in rows if shift is None)
    return crewed, uncrewed


def _announce(
    session: Session, clock: Clock, station_code: str, rows: list[tuple[UnitCrew, Shift | None]]
) -> None:
    shifts = {shift.id: shift for _, shift in rows if shift is not None}
    events.publish(
        session,
        CrewsChanged(
            station_code=station_code,
            shifts=[
                ShiftRef(id=shift.id, name=shift.name, starts_at=as_utc(shift.starts_at),
                         ends_at=as_utc(shift.ends_at))
                for shift in shifts.values()
            ],
            crewed=[
                CrewRef(unit_id=row.unit_id, crew=list(row.crew), shift_id=shift.id)
                for row, shift in rows
                if shift is not None
            ],
            uncrewed=[row.unit_id for row, shift in rows if shift is None],
        ),
        clock=clock,
        resource_id=station_code,
        org_path=rows[0][0].org_path,
    )


def _station(session: Session, actor: Actor, code: str) -> Station:
    station = session.get(Station, code)
    paths = station_paths(session)
    if station is None or not actor.sees(paths.get(code, "")):
        raise NotFound("station", code)
    return station


def roster(
    *, session: Session, actor: Actor, clock: Clock, station_code: str, day: date | None = None
) -> RosterRead:
    """A station's shifts of a day (the current one marked) and its units' crews."""
    station = _station(session, actor, station_code)
    now = clock.now()
    day = day or local_date(now)
    shifts = list(
        session.scalars(
            select(Shift)
            .where(Shift.station_code == station_code, Shift.day == day)
            .order_by(Shift.starts_at)
        )
    )
    # The night shift of the day before is still on until 08:00.
    earlier = session.scalars(
        select(Shift).where(
            Shift.station_code == station_code,
            Shift.day == day - timedelta(days=1),
            Shift.ends_at > now,
            Shift.starts_at <= now,
        )
    ).first()
    if earlier is not None:
        shifts.insert(0, earlier)
    ids = [s.id for s in shifts]
    rows = session.execute(
        select(RosterEntry, Officer)
        .join(Officer, Officer.id == RosterEntry.officer_id)
        .where(RosterEntry.shift_id.in_(ids))
        .order_by(Officer.kind.desc(), Officer.badge_no)
    ).all()
    by_shift: dict[str, list[tuple[RosterEntry, Officer]]] = defaultdict(list)
    for entry, officer in rows:
        by_shift[entry.shift_id].append((entry, officer))
    out = []
    for s in shifts:
        members = by_shift[s.id]
        away = {
            lv.officer_id
            for lv in _on_leave(
                session, [o.id for _, o in members], as_utc(s.starts_at), as_utc(s.ends_at)
            )
        }
        out.append(
            ShiftRead(
                id=s.id,
                station_code=s.station_code,
                day=s.day,
                name=s.name,
                team=s.team,
                starts_at=as_utc(s.starts_at),
                ends_at=as_utc(s.ends_at),
                current=as_utc(s.starts_at) <= now < as_utc(s.ends_at),
                entries=[
                    RosterEntryRead(
                        id=e.id,
                        officer_id=o.id,
                        officer_name_zh=o.name_zh,
                        officer_kind=o.kind,
                        rank=o.rank,
                        unit_id=e.unit_id,
                        attendance=e.attendance,
                        on_leave=o.id in away,
                    )
                    for e, o in members
                ],
            )
        )
    crews = [
        UnitCrewRead(
            unit_id=c.unit_id,
            crew=list(c.crew),
            crewed=bool(c.crew),
            shift_id=c.shift_id,
            changed_at=as_utc(c.changed_at),
        )
        for c in session.scalars(
            select(UnitCrew).where(UnitCrew.station_code == station_code).order_by(UnitCrew.unit_id)
        )
    ]
    return RosterRead(
        station_code=station.code, station_name_zh=station.name_zh, shifts=out, crews=crews
    )


def _shift(session: Session, actor: Actor, shift_id: str) -> Shift:
    shift = visible(session, Shift, shift_id, actor, what="shift")
    return shift


def _entry(session: Session, actor: Actor, entry_id: str) -> tuple[RosterEntry, Shift]:
    entry = session.get(RosterEntry, entry_id)
    if entry is None:
        raise NotFound("roster_entry", entry_id)
    return entry, _shift(session, actor, entry.shift_id)


def _check_unit_station(session: Session, unit_id: str | None, station_code: str) -> None:
    if unit_id is None:
        return
    crew = session.get(UnitCrew, unit_id)
    if crew is not None and crew.station_code != station_code:
        raise Invalid("unit_id", "该警力单元不属于本派出所", "the unit belongs to another station")


def add_entry(
    *, session: Session, actor: Actor, clock: Clock, shift_id: str, entry_in: RosterEntryCreate
) -> RosterEntry:
    """Put an officer of the station on a shift, crewing a unit or as reserve."""
    shift = _shift(session, actor, shift_id)
    officer = session.get(Officer, entry_in.officer_id)
    if officer is None or officer.station_code != shift.station_code:
        raise Invalid("officer_id", "该警员不属于本派出所", "the officer serves at another station")
    if as_utc(shift.ends_at) <= clock.now():
        raise Invalid("shift_id", "该班次已结束", "the shift has ended")
    if session.scalar(
        select(RosterEntry.id).where(
            RosterEntry.shift_id == shift_id, RosterEntry.officer_id == officer.id
        )
    ):
        raise Conflict("该警员已在本班次", "the officer is already on this shift")
    _check_unit_station(session, entry_in.unit_id, shift.station_code)
    entry = RosterEntry(
        id=new_id(clock),
        shift_id=shift_id,
        officer_id=officer.id,
        unit_id=entry_in.unit_id,
        attendance="scheduled",
    )
    session.add(entry)
    session.flush()
    apply_shift_changes(session, clock)
    return entry


def update_entry(
    *, session: Session, actor: Actor, clock: Clock, entry_id: str, entry_in: RosterEntryUpdate
) -> RosterEntry:
    """Move an officer to another unit (or none), or record attendance."""
    entry, shift = _entry(session, actor, entry_id)
    fields = entry_in.model_fields_set
    if "unit_id" in fields:
        _check_unit_station(session, entry_in.unit_id, shift.station_code)
        entry.unit_id = entry_in.unit_id
    if "attendance" in fields and entry_in.attendance is not None:
        entry.attendance = entry_in.attendance
        entry.attendance_at = clock.now()
    session.flush()
    apply_shift_changes(session, clock)
    return entry


def remove_entry(*, session: Session, actor: Actor, clock: Clock, entry_id: str) -> None:
    entry, _ = _entry(session, actor, entry_id)
    session.delete(entry)
    session.flush()
    apply_shift_changes(session, clock)


def request_swap(*, session: Session, actor: Actor, clock: Clock, swap_in: SwapCreate) -> Swap:
    """Ask to hand a roster entry to another officer of the station; a manager approves."""
    entry, shift = _entry(session, actor, swap_in.entry_id)
    other = session.get(Officer, swap_in.to_officer_id)
    if other is None or other.station_code != shift.station_code:
        raise Invalid(
            "to_officer_id", "换班对象须为本所警员", "swap with an officer of the same station"
        )
    if other.id == entry.officer_id:
        raise Invalid("to_officer_id", "不能与本人换班", "cannot swap with oneself")
    swap = Swap(
        id=new_id(clock),
        entry_id=entry.id,
        from_officer_id=entry.officer_id,
        to_officer_id=other.id,
        reason=swap_in.reason,
        status="pending",
        requested_at=clock.now(),
        requested_by=actor.user_id,
    )
    session.add(swap)
    return swap


def decide_swap(
    *, session: Session, actor: Actor, clock: Clock, swap_id: str, approve: bool
) -> Swap:
    """Approve (the entry passes to the other officer) or refuse a pending swap."""
    swap = session.get(Swap, swap_id)
    if swap is None:
        raise NotFound("swap", swap_id)
    entry, shift = _entry(session, actor, swap.entry_id)
    if swap.status != "pending":
        raise Conflict("该换班申请已处理", "the swap was already decided")
    if approve:
        if session.scalar(
            select(RosterEntry.id).where(
                RosterEntry.shift_id == shift.id, RosterEntry.officer_id == swap.to_officer_id
            )
        ):
            raise Conflict("换班对象已在该班次", "the other officer is already on that shift")
        entry.officer_id = swap.to_officer_id
        entry.attendance = "scheduled"
    swap.status = "approved" if approve else "refused"
    swap.decided_at, swap.decided_by = clock.now(), actor.user_id
    session.flush()
    apply_shift_changes(session, clock)
    return swap


# --- leave ---------------------------------------------------------------


def leave_read(leave: Leave, officer: Officer) -> LeaveRead:
    return LeaveRead(
        id=leave.id,
        officer_id=officer.id,
        officer_name_zh=officer.name_zh,
        station_code=officer.station_code,
        kind=leave.kind,
        starts_at=as_utc(leave.starts_at),
        ends_at=as_utc(leave.ends_at),
        status=leave.status,
    )


def grant_leave(*, session: Session, actor: Actor, clock: Clock, leave_in: LeaveCreate) -> Leave:
    officer = get_officer(session=session, actor=actor, officer_id=leave_in.officer_id)
    if leave_in.ends_at <= leave_in.starts_at:
        raise Invalid("ends_at", "结束时间须晚于开始时间", "the end must come after the start")
    leave = Leave(
        id=new_id(clock),
        officer_id=officer.id,
        kind=leave_in.kind,
        starts_at=leave_in.starts_at,
        ends_at=leave_in.ends_at,
        status="approved",
    )
    session.add(leave)
    session.flush()
    apply_shift_changes(session, clock)
    return leave
