"""Rosters: a station's shifts of a day with who is on each, roster entries and swaps."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.auth.scope import visible
from yanyun.auth.service import Actor
from yanyun.core.clock import Clock, as_utc, local_date
from yanyun.core.errors import Conflict, Invalid, NotFound
from yanyun.core.ids import new_id
from yanyun.duty.crews import apply_shift_changes, on_leave
from yanyun.duty.models import Officer, RosterEntry, Shift, Swap, UnitCrew
from yanyun.duty.officers import station_paths
from yanyun.duty.schemas import (
    RosterEntryCreate,
    RosterEntryRead,
    RosterEntryUpdate,
    RosterRead,
    ShiftRead,
    SwapCreate,
    UnitCrewRead,
)
from yanyun.geo.models import Station


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
    shifts = _shifts_of_day(session, station_code, day or local_date(now), now)
    by_shift = _members_by_shift(session, [s.id for s in shifts])
    out = [_shift_read(session, s, by_shift[s.id], now) for s in shifts]
    return RosterRead(
        station_code=station.code,
        station_name_zh=station.name_zh,
        shifts=out,
        crews=_crews_of(session, station_code),
    )


def _shifts_of_day(session: Session, station_code: str, day: date, now: datetime) -> list[Shift]:
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
    return shifts


def _members_by_shift(
    session: Session, shift_ids: list[str]
) -> dict[str, list[tuple[RosterEntry, Officer]]]:
    rows = session.execute(
        select(RosterEntry, Officer)
        .join(Officer, Officer.id == RosterEntry.officer_id)
        .where(RosterEntry.shift_id.in_(shift_ids))
        .order_by(Officer.kind.desc(), Officer.badge_no)
    ).all()
    by_shift: dict[str, list[tuple[RosterEntry, Officer]]] = defaultdict(list)
    for entry, officer in rows:
        by_shift[entry.shift_id].append((entry, officer))
    return by_shift


def _shift_read(
    session: Session, s: Shift, members: list[tuple[RosterEntry, Officer]], now: datetime
) -> ShiftRead:
    away = {
        lv.officer_id
        for lv in on_leave(
            session, [o.id for _, o in members], as_utc(s.starts_at), as_utc(s.ends_at)
        )
    }
    return ShiftRead(
        id=s.id,
        station_code=s.station_code,
        day=s.day,
        name=s.name,
        team=s.team,
        starts_at=as_utc(s.starts_at),
        ends_at=as_utc(s.ends_at),
        current=as_utc(s.starts_at) <= now < as_utc(s.ends_at),
        entries=[_member_read(e, o, on_leave=o.id in away) for e, o in members],
    )


def _member_read(entry: RosterEntry, officer: Officer, *, on_leave: bool) -> RosterEntryRead:
    return RosterEntryRead(
        id=entry.id,
        officer_id=officer.id,
        officer_name_zh=officer.name_zh,
        officer_kind=officer.kind,
        rank=officer.rank,
        unit_id=entry.unit_id,
        attendance=entry.attendance,
        on_leave=on_leave,
    )


def entry_read(session: Session, entry: RosterEntry) -> RosterEntryRead:
    """A roster entry just added or changed, as its route returns it."""
    return _member_read(entry, session.get(Officer, entry.officer_id), on_leave=False)


def _crews_of(session: Session, station_code: str) -> list[UnitCrewRead]:
    return [
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

