"""Duty levels (勤务等级): raised over an area and a window, what each level requires,
and the leave a level-2-or-above window cancels.

How far the area's rosters meet a level is read in `level_staffing`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.auth.scope import visible
from yanyun.auth.service import Actor
from yanyun.core import events
from yanyun.core.clock import Clock
from yanyun.core.errors import Conflict, Invalid, NotFound
from yanyun.core.ids import new_id
from yanyun.duty.crews import apply_shift_changes
from yanyun.duty.level_staffing import level_read
from yanyun.duty.models import (
    DutyLevel,
    Leave,
)
from yanyun.duty.officers import area_of, station_paths
from yanyun.duty.schemas import (
    LEVEL_LABELS,
    LEVEL_ORDER,
    REQUIREMENT_LABELS,
    DutyLevelCreate,
    Level,
    Requirement,
    RequirementCatalogue,
    RequirementKind,
    RequirementOption,
)
from yanyun.duty.settings import DutySettings
from yanyun.events.duty import DutyLevelRaised

MAX_LEVEL_WINDOW = timedelta(days=31)
KIND_ZH = {
    RequirementKind.skill: "技能",
    RequirementKind.certification: "资质",
    RequirementKind.post: "岗位",
}


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
