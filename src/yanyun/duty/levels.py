"""Duty levels (勤务等级): raised over an area and a window, what each level requires, and
how far the area's rosters meet it.

A level raises the share of officers on duty; levels 1 and 2 cancel leave.
Its requirements (skills, certifications, posts) are checked against who is
rostered, shift by shift, so the duty manager sees the gap before it opens.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yanyun.auth.models import OrgUnit
from yanyun.auth.scope import visible
from yanyun.auth.service import Actor
from yanyun.core import events
from yanyun.core.clock import Clock, as_utc
from yanyun.core.errors import Conflict, Invalid, NotFound
from yanyun.core.ids import new_id
from yanyun.duty.crews import apply_shift_changes
from yanyun.duty.leave import leave_read
from yanyun.duty.models import (
    DutyLevel,
    Leave,
    Officer,
    Post,
    RosterEntry,
    Shift,
)
from yanyun.duty.officers import station_paths
from yanyun.duty.schemas import (
    LEVEL_LABELS,
    LEVEL_ORDER,
    REQUIREMENT_LABELS,
    DutyLevelCreate,
    DutyLevelRead,
    Level,
    Requirement,
    RequirementCatalogue,
    RequirementKind,
    RequirementOption,
    RequirementRead,
    RequirementStaffing,
    ShiftStaffing,
)
from yanyun.duty.settings import DutySettings
from yanyun.events.duty import DutyLevelRaised
from yanyun.geo.models import District, Station

LEVEL_CANCELS_LEAVE = (Level.level_2, Level.level_1)
MAX_LEVEL_WINDOW = timedelta(days=31)
KIND_ZH = {
    RequirementKind.skill: "技能",
    RequirementKind.certification: "资质",
    RequirementKind.post: "岗位",
}



def share_for(level: Level, settings: DutySettings) -> float:
    return {
        Level.normal: settings.normal_share,
        Level.level_3: settings.level3_share,
        Level.level_2: settings.level2_share,
        Level.level_1: settings.level1_share,
    }[level]


def area_of(session: Session, kind: str, code: str) -> tuple[str, str]:
    """(org path, Chinese name) of a district or station."""
    if kind == "district":
        district = session.get(District, code)
        bureau = session.scalar(select(OrgUnit.path).where(OrgUnit.kind == "bureau"))
        if district is None or bureau is None:
            raise Invalid("area_code", "未知辖区", "unknown district")
        path = session.scalar(select(OrgUnit.path).where(OrgUnit.code == code))
        return path or f"{bureau}/{code}", district.name_zh
    station = session.get(Station, code)
    if station is None:
        raise Invalid("area_code", "未知派出所", "unknown station")
    return station_paths(session).get(code, code), station.name_zh


def raise_level(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    level_in: DutyLevelCreate,
    settings: DutySettings,
) -> DutyLevel:
    """Set a duty level over an area for a window (节点警务: events, tourist peaks)."""
    if level_in.ends_at <= level_in.starts_at:
        raise Invalid("ends_at", "结束时间须晚于开始时间", "the end must come after the start")
    if level_in.ends_at - level_in.starts_at > MAX_LEVEL_WINDOW:
        raise Invalid("ends_at", "勤务等级时段不得超过31天", "a duty level lasts at most 31 days")
    path, _ = area_of(session, level_in.area_kind, level_in.area_code)
    if not actor.sees(path):
        raise NotFound("area", level_in.area_code)
    if level_in.requirements is None:
        requirements = [
            req.model_dump(mode="json")
            for req in default_requirements(
                session=session, level=level_in.level, org_path=path, settings=settings
            )
        ]
    else:
        requirements = _checked(level_in.requirements)
    row = DutyLevel(
        id=new_id(clock),
        area_kind=level_in.area_kind,
        area_code=level_in.area_code,
        org_path=path,
        level=level_in.level.value,
        starts_at=level_in.starts_at,
        ends_at=level_in.ends_at,
        reason=level_in.reason,
        raised_by=actor.user_id,
        raised_at=clock.now(),
        requirements=requirements,
    )
    session.add(row)
    events.publish(
        session,
        DutyLevelRaised(level=row.level, area_code=row.area_code,
                        starts_at=level_in.starts_at, ends_at=level_in.ends_at),
        clock=clock,
        resource_id=row.id,
        org_path=path,
    )
    return row


def requirement_catalogue(settings: DutySettings) -> RequirementCatalogue:
    """What a level can require, and each level's defaults per station and shift."""
    return RequirementCatalogue(
        options=[
            RequirementOption(kind=kind, code=code, label_zh=zh, label_en=en)
            for kind, codes in REQUIREMENT_LABELS.items()
            for code, (zh, en) in codes.items()
        ],
        defaults_per_station={
            level.value: [
                Requirement(kind=kind, code=code, count=count)
                for kind, code, count in _template(settings, level)
            ]
            for level in LEVEL_ORDER
        },
    )


def _template(settings: DutySettings, level: Level) -> list[tuple[str, str, int]]:
    out = []
    for key, count in settings.level_requirements.get(level.value, {}).items():
        kind, _, code = key.partition(":")
        if count > 0:
            out.append((kind, code, count))
    return out


def default_requirements(
    *, session: Session, level: Level, org_path: str, settings: DutySettings
) -> list[Requirement]:
    """A level's default requirements over an area: the per-station template times its
    stations."""
    stations = sum(
        1 for path in station_paths(session).values()
        if path == org_path or path.startswith(org_path + "/")
    )
    return [
        Requirement(kind=kind, code=code, count=count * max(stations, 1))
        for kind, code, count in _template(settings, level)
    ]


def _checked(requirements: list[Requirement]) -> list[dict[str, Any]]:
    seen = set()
    out = []
    for i, req in enumerate(requirements):
        if req.code not in REQUIREMENT_LABELS[req.kind]:
            raise Invalid(
                f"requirements.{i}.code",
                f"未知的{KIND_ZH[req.kind]}：{req.code}",
                f"unknown {req.kind.value}: {req.code}",
            )
        if (req.kind, req.code) in seen:
            raise Invalid(
                f"requirements.{i}", "同一要求重复填写", "the same requirement is given twice"
            )
        seen.add((req.kind, req.code))
        out.append({"kind": req.kind.value, "code": req.code, "count": req.count})
    return out


def set_requirements(
    *, session: Session, actor: Actor, level_id: str, requirements: list[Requirement]
) -> DutyLevel:
    """Replace what a level requires by skill, certification and post."""
    level = get_level(session=session, actor=actor, level_id=level_id)
    level.requirements = _checked(requirements)
    session.flush()
    return level


def _meets(kind: str, code: str, skills: set[str], certs: set[str], post: str) -> bool:
    if kind == RequirementKind.skill:
        return code in skills
    if kind == RequirementKind.certification:
        return code in certs
    return post == code


def _in_area(column: Any, path: str) -> Any:
    return (column == path) | column.startswith(path + "/")


def level_read(*, session: Session, level: DutyLevel, settings: DutySettings) -> DutyLevelRead:
    """A level with the staffing it needs, the roster's shortfall per shift, and leave to cancel."""
    start, end = as_utc(level.starts_at), as_utc(level.ends_at)
    lv = Level(level.level)
    strength = (
        session.scalar(
            select(func.count())
            .select_from(Officer)
            .where(Officer.active.is_(True), _in_area(Officer.org_path, level.org_path))
        )
        or 0
    )
    # Required on duty in each shift: a share of everyone who serves in the area.
    shares = {key: share_for(key, settings) for key in LEVEL_ORDER}
    required = math.ceil(shares[lv] * strength)
    rows = session.execute(
        select(
            Shift.day, Shift.name, Shift.starts_at, Shift.ends_at, RosterEntry.officer_id,
            RosterEntry.unit_id, Officer.skills, Officer.certifications,
        )
        .join(RosterEntry, RosterEntry.shift_id == Shift.id)
        .join(Officer, Officer.id == RosterEntry.officer_id)
        .where(
            _in_area(Shift.org_path, level.org_path),
            Shift.starts_at < end,
            Shift.ends_at > start,
            RosterEntry.attendance != "absent",
        )
    ).all()
    leaves = session.execute(
        select(Leave, Officer)
        .join(Officer, Officer.id == Leave.officer_id)
        .where(
            Leave.status == "approved",
            Leave.starts_at < end,
            Leave.ends_at > start,
            _in_area(Officer.org_path, level.org_path),
        )
        .order_by(Leave.starts_at)
    ).all()
    requirements = list(level.requirements or [])
    unit_ids = {r.unit_id for r in rows if r.unit_id}
    post_of_unit = dict(
        session.execute(
            select(Post.unit_id, Post.kind).where(
                Post.unit_id.in_(sorted(unit_ids)), Post.kind.in_(["quick_response", "fixed_post"])
            )
        ).all()
    ) if unit_ids else {}
    slots: dict[tuple, list[tuple]] = defaultdict(list)
    for day, name, s_at, e_at, officer_id, unit_id, skills, certs in rows:
        post = "reserve" if unit_id is None else post_of_unit.get(unit_id, "patrol")
        slots[(day, name, as_utc(s_at), as_utc(e_at))].append(
            (officer_id, set(skills or ()), set(certs or ()), post)
        )
    staffing = []
    for (day, name, s_at, e_at), officers in sorted(slots.items(), key=lambda kv: kv[0][2]):
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
        staffing.append(
            ShiftStaffing(
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
        )
    shortfall = max((s.shortfall for s in staffing), default=required)
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


def list_levels(
    *, session: Session, actor: Actor, clock: Clock, active_only: bool = False
) -> list[DutyLevel]:
    stmt = actor.scope(select(DutyLevel), DutyLevel.org_path)
    if active_only:
        stmt = stmt.where(DutyLevel.ends_at > clock.now())
    return list(session.scalars(stmt.order_by(DutyLevel.starts_at.desc()).limit(200)))


def get_level(*, session: Session, actor: Actor, level_id: str) -> DutyLevel:
    level = visible(session, DutyLevel, level_id, actor, what="duty_level")
    return level


def cancel_leave(
    *, session: Session, actor: Actor, clock: Clock, level: DutyLevel, settings: DutySettings
) -> int:
    """Cancel the leave a level-2-or-above window flags; returns how many were cancelled."""
    read = level_read(session=session, level=level, settings=settings)
    if not read.cancel_leave:
        raise Conflict("二级以下勤务不取消休假", "leave is cancelled only from level-2 duty up")
    label = LEVEL_LABELS[Level(level.level)][0]
    for item in read.leave_to_cancel:
        leave = session.get(Leave, item.id)
        leave.status = "cancelled"
        leave.cancelled_reason = f"{label}：{level.reason}"[:200]
    session.flush()
    apply_shift_changes(session, clock)
    return len(read.leave_to_cancel)
