"""How far an area's rosters meet a duty level, shift by shift.

A level raises the share of officers on duty; levels 1 and 2 cancel leave.
Its requirements (skills, certifications, posts) are checked against who is
rostered, shift by shift, so the duty manager sees the gap before it opens.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yanyun.core.clock import as_utc
from yanyun.duty.leave import leave_read
from yanyun.duty.models import DutyLevel, Leave, Officer, Post, RosterEntry, Shift
from yanyun.duty.officers import area_of
from yanyun.duty.schemas import (
    LEVEL_LABELS,
    LEVEL_ORDER,
    REQUIREMENT_LABELS,
    DutyLevelRead,
    Level,
    RequirementKind,
    RequirementRead,
    RequirementStaffing,
    ShiftStaffing,
)
from yanyun.duty.settings import DutySettings

LEVEL_CANCELS_LEAVE = (Level.level_2, Level.level_1)


def share_for(level: Level, settings: DutySettings) -> float:
    return {
        Level.normal: settings.normal_share,
        Level.level_3: settings.level3_share,
        Level.level_2: settings.level2_share,
        Level.level_1: settings.level1_share,
    }[level]


def _meets(kind: str, code: str, skills: set[str], certs: set[str], post: str) -> bool:
    if kind == RequirementKind.skill:
        return code in skills
    if kind == RequirementKind.certification:
        return code in certs
    return post == code


def _in_area(column: Any, path: str) -> Any:
    return (column == path) | column.startswith(path + "/")


Slot = tuple[date, str, datetime, datetime]
OnDuty = tuple[str, set[str], set[str], str]


def level_read(*, session: Session, level: DutyLevel, settings: DutySettings) -> DutyLevelRead:
    """A level with the staffing it needs, the roster's shortfall per shift, and leave to cancel."""
    start, end = as_utc(level.starts_at), as_utc(level.ends_at)
    lv = Level(level.level)
    strength = _strength(session, level.org_path)
    # Required on duty in each shift: a share of everyone who serves in the area.
    shares = {key: share_for(key, settings) for key in LEVEL_ORDER}
    required = math.ceil(shares[lv] * strength)
    rows = _rostered(session, level.org_path, start, end)
    leaves = _leave_over(session, level.org_path, start, end)
    requirements = list(level.requirements or [])
    slots = _slots(session, rows)
    staffing = [
        _shift_staffing(slot, officers, leaves, requirements, required)
        for slot, officers in sorted(slots.items(), key=lambda kv: kv[0][2])
    ]
    shortfall = max((s.shortfall for s in staffing), default=required)
    summary = _requirement_summary(requirements, staffing)
    name = area_of(session, level.area_kind, level.area_code)[1]
    cancel = lv in LEVEL_CANCELS_LEAVE
    label_zh, label_en = LEVEL_LABELS[lv]
    return DutyLevelRead(
        id=level.id,
        area_kind=level.area_kind,
        area_code=level.area_code,
        area_name_zh=name,
        level=lv,
        label_zh=label_zh,
        label_en=label_en,
        starts_at=start,
        ends_at=end,
        reason=level.reason,
        strength=strength,
        required_per_shift=required,
        shortfall=shortfall,
        shifts=staffing,
        requirements=summary,
        cancel_leave=cancel,
        leave_to_cancel=[leave_read(lv_, o) for lv_, o in leaves] if cancel else [],
    )


def _strength(session: Session, org_path: str) -> int:
    """Active officers serving in the area."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Officer)
            .where(Officer.active.is_(True), _in_area(Officer.org_path, org_path))
        )
        or 0
    )


def _rostered(session: Session, org_path: str, start: datetime, end: datetime) -> list[Any]:
    """Roster entries (not marked absent) of the area's shifts overlapping the window."""
    return session.execute(
        select(
            Shift.day, Shift.name, Shift.starts_at, Shift.ends_at, RosterEntry.officer_id,
            RosterEntry.unit_id, Officer.skills, Officer.certifications,
        )
        .join(RosterEntry, RosterEntry.shift_id == Shift.id)
        .join(Officer, Officer.id == RosterEntry.officer_id)
        .where(
            _in_area(Shift.org_path, org_path),
            Shift.starts_at < end,
            Shift.ends_at > start,
            RosterEntry.attendance != "absent",
        )
    ).all()


def _leave_over(
    session: Session, org_path: str, start: datetime, end: datetime
) -> list[tuple[Leave, Officer]]:
    """Approved leave of the area's officers overlapping the window."""
    return [
        (leave, officer)
        for leave, officer in session.execute(
            select(Leave, Officer)
            .join(Officer, Officer.id == Leave.officer_id)
            .where(
                Leave.status == "approved",
                Leave.starts_at < end,
                Leave.ends_at > start,
                _in_area(Officer.org_path, org_path),
            )
            .order_by(Leave.starts_at)
        )
    ]


def _slots(session: Session, rows: list[Any]) -> dict[Slot, list[OnDuty]]:
    """Rostered officers per shift, each with skills, certifications and the post it holds."""
    unit_ids = {r.unit_id for r in rows if r.unit_id}
    post_of_unit = dict(
        session.execute(
            select(Post.unit_id, Post.kind).where(
                Post.unit_id.in_(sorted(unit_ids)), Post.kind.in_(["quick_response", "fixed_post"])
            )
        ).all()
    ) if unit_ids else {}
    slots: dict[Slot, list[OnDuty]] = defaultdict(list)
    for day, name, s_at, e_at, officer_id, unit_id, skills, certs in rows:
        post = "reserve" if unit_id is None else post_of_unit.get(unit_id, "patrol")
        slots[(day, name, as_utc(s_at), as_utc(e_at))].append(
            (officer_id, set(skills or ()), set(certs or ()), post)
        )
    return slots


def _shift_staffing(
    slot: Slot,
    officers: list[OnDuty],
    leaves: list[tuple[Leave, Officer]],
    requirements: list[dict[str, Any]],
    required: int,
) -> ShiftStaffing:
    """One shift against the level: who is on duty (not on leave), per requirement."""
    day, name, s_at, e_at = slot
    away = {
        lv_.officer_id
        for lv_, _ in leaves
        if as_utc(lv_.starts_at) < e_at and as_utc(lv_.ends_at) > s_at
    }
    on_duty = [o for o in officers if o[0] not in away]
    per_requirement = []
    for req in requirements:
        available = sum(
            1 for _, skills, certs, post in on_duty
            if _meets(req["kind"], req["code"], skills, certs, post)
        )
        per_requirement.append(
            RequirementStaffing(
                kind=req["kind"],
                code=req["code"],
                required=req["count"],
                available=available,
                shortfall=max(0, req["count"] - available),
            )
        )
    return ShiftStaffing(
        day=day,
        name=name,
        starts_at=s_at,
        ends_at=e_at,
        rostered=len(officers),
        on_leave=len(officers) - len(on_duty),
        required=required,
        shortfall=max(0, required - len(on_duty)),
        requirements=per_requirement,
    )


def _requirement_summary(
    requirements: list[dict[str, Any]], staffing: list[ShiftStaffing]
) -> list[RequirementRead]:
    """Each requirement at its worst shift of the window."""
    summary = []
    for j, req in enumerate(requirements):
        kind = RequirementKind(req["kind"])
        zh, en = REQUIREMENT_LABELS[kind].get(req["code"], (req["code"], req["code"]))
        worst = min(staffing, key=lambda s: s.requirements[j].available, default=None)
        available = worst.requirements[j].available if worst is not None else 0
        summary.append(
            RequirementRead(
                kind=kind,
                code=req["code"],
                label_zh=zh,
                label_en=en,
                required=req["count"],
                available_min=available,
                shortfall=max(0, req["count"] - available),
                worst_shift_starts_at=worst.starts_at if worst is not None else None,
            )
        )
    return summary

