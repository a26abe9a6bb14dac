"""Shift planning: three teams rotate day, night and rest, and each day's shifts are
planned with the team whose turn it is."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from yanyun.core import audit
from yanyun.core.clock import SHANGHAI, Clock, as_utc
from yanyun.core.ids import new_id
from yanyun.duty.models import Officer, RosterEntry, Shift
from yanyun.duty.officers import station_paths

TEAMS = ("A", "B", "C")
# Day shift 08:00-20:00, night shift 20:00-08:00 (Asia/Shanghai); three teams
# rotate day, night, rest, the common pattern of a station's 24-hour duty.
SHIFT_TIMES = (("day", time(8), 12), ("night", time(20), 12))
ROTATION_EPOCH = date(2026, 1, 1)


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


Team = dict[tuple[str, str], list[tuple[str, str | None]]]


def plan_rosters(
    *, session: Session, clock: Clock, days: list[date], stations: list[str] | None = None
) -> int:
    """Create the shifts of these days, each worked by its rotating team; returns shifts made.

    Idempotent per station and shift: a planned shift is never replanned, so
    swaps and changes made by hand survive.
    """
    paths = station_paths(session)
    teams = _teams(session, stations)
    codes = sorted({code for code, _ in teams})
    if not codes:
        return 0
    existing = _planned(session, codes, since=_local(min(days), time(0)))
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
                entries += _entries(clock, sid, teams[(code, team)])
    if shifts:
        _insert_planned(session, clock, days, shifts, entries)
    return len(shifts)


def _teams(session: Session, stations: list[str] | None) -> Team:
    """(station, team) -> its active officers and the unit each crews by default."""
    stmt = select(Officer.id, Officer.station_code, Officer.team, Officer.default_unit_id).where(
        Officer.active.is_(True)
    )
    if stations is not None:
        stmt = stmt.where(Officer.station_code.in_(stations))
    teams: Team = defaultdict(list)
    for oid, code, team, unit_id in session.execute(stmt.order_by(Officer.badge_no)):
        teams[(code, team)].append((oid, unit_id))
    return teams


def _planned(session: Session, codes: list[str], *, since: datetime) -> set[tuple[str, datetime]]:
    return {
        (code, as_utc(at))
        for code, at in session.execute(
            select(Shift.station_code, Shift.starts_at).where(
                Shift.station_code.in_(codes), Shift.starts_at >= since
            )
        )
    }


def _entries(
    clock: Clock, shift_id: str, members: list[tuple[str, str | None]]
) -> list[dict[str, Any]]:
    return [
        dict(
            id=new_id(clock),
            shift_id=shift_id,
            officer_id=oid,
            unit_id=unit_id,
            attendance="scheduled",
            attendance_at=None,
        )
        for oid, unit_id in members
    ]


def _insert_planned(
    session: Session,
    clock: Clock,
    days: list[date],
    shifts: list[dict[str, Any]],
    entries: list[dict[str, Any]],
) -> None:
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
