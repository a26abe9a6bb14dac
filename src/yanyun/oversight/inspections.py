"""Daily inspection checklists (每日巡察) of the command center's functional areas.

A checklist is filled once a day per unit and area; each failed item is
announced as an `inspection.item_failed` event, which the consumer turns
into a task like any other context's event.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yanyun.auth.models import OrgUnit
from yanyun.auth.service import Actor
from yanyun.core import events
from yanyun.core.clock import Clock, local_date
from yanyun.core.errors import Conflict, Invalid
from yanyun.core.ids import new_id
from yanyun.events.oversight import InspectionItemFailed
from yanyun.oversight.models import Inspection
from yanyun.oversight.schemas import ChecklistItem, ChecklistTemplate, InspectionCreate


def _t(code: str, zh: str, en: str, items: list[tuple[str, str, str]]) -> ChecklistTemplate:
    return ChecklistTemplate(
        code=code,
        area_zh=zh,
        area_en=en,
        items=[ChecklistItem(code=c, label_zh=z, label_en=e) for c, z, e in items],
    )


TEMPLATES: dict[str, ChecklistTemplate] = {
    t.code: t
    for t in (
        _t("front_line", "一线指挥", "Front-line command", [
            ("duty_roster", "值班表在岗在位", "Duty roster staffed as planned"),
            ("radio_check", "电台点名全部应答", "Radio roll call answered by all"),
            ("open_incidents", "在办警情均有人跟进", "Every open incident has a handler"),
            ("handover", "交接班记录完整", "Shift handover log complete"),
        ]),
        _t("support", "勤务保障", "Support", [
            ("vehicles", "巡逻车辆状态良好", "Patrol vehicles serviceable"),
            ("equipment", "单警装备齐全", "Officers' kit complete"),
            ("reserve", "备勤力量到位", "Reserve force on standby"),
        ]),
        _t("technical", "技术保障", "Technical support", [
            ("video", "视频监控在线率达标", "Video cameras online at target rate"),
            ("network", "专网与系统运行正常", "Private network and systems up"),
            ("avl", "车载定位回传正常", "Vehicle positions reporting"),
        ]),
        _t("intelligence", "情报研判", "Intelligence", [
            ("daily_brief", "每日研判报告已发布", "Daily analysis brief published"),
            ("warnings", "预警信息均已签收", "Every warning acknowledged"),
        ]),
        _t("opinion", "舆情处置", "Opinion", [
            ("monitoring", "舆情监测全时段覆盖", "Opinion monitoring covers all hours"),
            ("responses", "敏感舆情均已处置回应", "Every sensitive item handled"),
        ]),
    )
}


def fill_checklist(
    *, session: Session, clock: Clock, actor: Actor, inspection_in: InspectionCreate
) -> Inspection:
    """Record today's checklist of an area at a unit; announce every failed item."""
    template = TEMPLATES.get(inspection_in.template_code)
    if template is None:
        raise Invalid(
            "template_code",
            f"未知检查表：{inspection_in.template_code}",
            f"unknown checklist: {inspection_in.template_code}",
        )
    code = inspection_in.org_code or actor.org_code
    unit = session.get(OrgUnit, code)
    if unit is None or not actor.sees(unit.path):
        raise Invalid("org_code", f"单位不在本辖区：{code}", f"org unit not in your scope: {code}")
    known = {item.code: item for item in template.items}
    given = [r.code for r in inspection_in.results]
    unknown = [c for c in given if c not in known]
    if unknown:
        raise Invalid("results", f"未知检查项：{', '.join(unknown)}",
                      f"unknown checklist items: {', '.join(unknown)}")
    missing = [c for c in known if c not in given]
    if missing or len(set(given)) != len(given):
        raise Invalid("results", f"每个检查项须填写一次，缺少：{', '.join(missing) or '无'}",
                      f"fill every item exactly once; missing: {', '.join(missing) or 'none'}")
    now = clock.now()
    day = local_date(now)
    results = [r.model_dump() for r in inspection_in.results]
    row = Inspection(
        id=new_id(clock), template_code=template.code, org_code=unit.code, org_path=unit.path,
        day=day, filled_at=now, filled_by=actor.user_id, results=results,
        failed=sum(1 for r in results if not r["ok"]),
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError as exc:
        raise Conflict(
            f"{unit.name_zh}今日“{template.area_zh}”检查表已填报",
            f"today's {template.area_en} checklist of {unit.name_en} is already filled",
        ) from exc
    for result in results:
        if result["ok"]:
            continue
        item = known[result["code"]]
        events.publish(
            session,
            InspectionItemFailed(
                title=f"巡察发现：{template.area_zh}·{item.label_zh}未达标",
                detail=result.get("note"),
                owner_org_code=unit.code,
                template_code=template.code,
                item=item.code,
            ),
            clock=clock,
            resource_id=f"{row.id}:{item.code}",
            org_path=unit.path,
            resource_type="inspection",
        )
    return row


def list_inspections(
    *, session: Session, actor: Actor, day: date | None = None, limit: int = 200
) -> list[Inspection]:
    stmt = actor.scope(select(Inspection), Inspection.org_path)
    if day is not None:
        stmt = stmt.where(Inspection.day == day)
    return list(session.scalars(stmt.order_by(Inspection.filled_at.desc()).limit(limit)))
