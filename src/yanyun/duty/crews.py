"""Crews: who crews each unit now, and the announcement when that changes.

A unit may be sent only while someone on duty crews it. Duty owns who is on
duty; command owns units. Whenever the crew of a unit changes (a shift starts
or ends, a swap, an absence, leave) duty announces it in the outbox (one
`duty.crews_changed` per station) and command's consumer applies it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.core import events
from yanyun.core.clock import Clock, as_utc, local_date
from yanyun.duty.models import Leave, Officer, RosterEntry, Shift, UnitCrew
from yanyun.duty.rotation import plan_rosters
from yanyun.events.duty import CrewRef, CrewsChanged, ShiftRef

# One event per station and change, listing the units crewed and uncrewed.
CREWS_CHANGED = "duty.crews_changed"


def on_leave(
    session: Session, officer_ids: list[str] | None, start: datetime, end: datetime
) -> list[Leave]:
    """Approved leave overlapping [start, end), of these officers (or of everyone)."""
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
    away = {
        leave.officer_id for leave in on_leave(session, None, now, now + timedelta(seconds=1))
    }
    crews: dict[str, tuple[list[str], Shift]] = {}
    for unit_id, officer_id, shift in rows:
        if officer_id in away:
            continue
        crew, _ = crews.setdefault(unit_id, ([], shift))
        crew.append(officer_id)
    for crew, _ in crews.values():
        crew.sort()
    return crews


def _tomorrow_unplanned(session: Session, now: datetime) -> bool:
    """Whether the city has officers but no shift planned for tomorrow yet."""
    tomorrow = local_date(now) + timedelta(days=1)
    has_officers = session.scalar(select(Officer.id).limit(1)) is not None
    return has_officers and (
        session.scalar(select(Shift.id).where(Shift.day == tomorrow).limit(1)) is None
    )


def _crew_changes(
    session: Session, now: datetime
) -> tuple[list[tuple[str, list[str], Shift]], list[str], dict[str, UnitCrew]]:
    """What the announcement would say, without changing anything.

    (units whose crew changed, with the new crew and shift), (units no one crews
    any more, not yet announced as uncrewed), and duty's rows by unit.
    """
    crews = current_crews(session, now)
    known = {row.unit_id: row for row in session.scalars(select(UnitCrew))}
    crewed = [
        (unit_id, crew, shift)
        for unit_id, (crew, shift) in sorted(crews.items())
        if not (
            (row := known.get(unit_id)) is not None
            and row.announced
            and list(row.crew) == crew
            and row.shift_id == shift.id
        )
    ]
    uncrewed = [
        unit_id
        for unit_id, row in sorted(known.items())
        if unit_id not in crews and not (row.announced and not row.crew)
    ]
    return crewed, uncrewed, known


def shift_changes_due(session: Session, clock: Clock) -> bool:
    """Whether :func:`apply_shift_changes` would change anything now (it only reads).

    The periodic job asks this first in a read session: most runs find nothing
    to do, and on SQLite a write transaction, even one that writes nothing,
    holds the one writer (every 110 call waits behind it) while it reads the
    city's rosters.
    """
    now = clock.now()
    if _tomorrow_unplanned(session, now):
        return True
    crewed, uncrewed, _ = _crew_changes(session, now)
    return bool(crewed or uncrewed)


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
    if _tomorrow_unplanned(session, now):
        plan_rosters(session=session, clock=clock, days=[local_date(now) + timedelta(days=1)])
    crewed, uncrewed, known = _crew_changes(session, now)
    changed: dict[str, list[tuple[UnitCrew, Shift | None]]] = defaultdict(list)
    for unit_id, crew, shift in crewed:
        row = known.get(unit_id)
        if row is None:
            row = UnitCrew(
                unit_id=unit_id, station_code=shift.station_code, org_path=shift.org_path
            )
            session.add(row)
        row.crew, row.shift_id, row.changed_at, row.announced = crew, shift.id, now, True
        changed[row.station_code].append((row, shift))
    # Units duty knows but nobody crews now: announced once as uncrewed.
    for unit_id in uncrewed:
        row = known[unit_id]
        row.crew, row.shift_id, row.changed_at, row.announced = [], None, now, True
        changed[row.station_code].append((row, None))
    for station_code, rows in sorted(changed.items()):
        _announce(session, clock, station_code, rows)
    return len(crewed), len(uncrewed)


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

