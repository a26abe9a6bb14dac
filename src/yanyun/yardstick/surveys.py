"""Sense-of-safety surveys (公众安全感测评) per district and quarter, imported from a file.

A survey office hands in a table (CSV in UTF-8 or GBK, or XLSX): district
(name or code), quarter, respondents, share who feel safe (as 0.93 or 93 %).
Every bad row is named with its line, field and reason; one bad row and
nothing is applied. A quarter imported again replaces its figures.
"""

from __future__ import annotations

import re

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from yanyun.auth.models import OrgUnit
from yanyun.auth.service import Actor
from yanyun.core.clock import Clock
from yanyun.core.errors import Invalid
from yanyun.core.sheets import read_sheet
from yanyun.geo.models import District
from yanyun.yardstick.models import SafetySurvey

COLUMNS = {
    "district": ("区县", "district"),
    "quarter": ("季度", "quarter"),
    "respondents": ("样本数", "respondents"),
    "safe_share": ("安全感", "safe_share"),
}
_QUARTER = re.compile(r"^(\d{4})\s*[-年]?\s*[Qq第]?\s*([1-4])\s*季?度?$")


def _columns(header: list[str]) -> dict[str, int]:
    found = {}
    for index, title in enumerate(header):
        for field, names in COLUMNS.items():
            if title.strip() in names:
                found[field] = index
    missing = [f for f in COLUMNS if f not in found]
    if missing:
        raise Invalid("file", f"缺少列：{'、'.join(COLUMNS[f][0] for f in missing)}",
                      f"missing columns: {', '.join(missing)}")
    return found


def quarter_of(text: str) -> str | None:
    """'2026Q3', '2026-Q3', '2026年第3季度' -> '2026Q3'."""
    match = _QUARTER.match(text.strip())
    return f"{match.group(1)}Q{match.group(2)}" if match else None


def _share(text: str) -> float | None:
    try:
        value = float(text.strip().rstrip("%％"))
    except ValueError:
        return None
    if text.strip().endswith(("%", "％")) or value > 1:
        value /= 100
    return value if 0 <= value <= 1 else None


def _parse_row(cell: dict[str, str], districts: dict[str, District]) -> tuple[list, tuple]:
    """A row's problems (field, zh, en) and, when it has none, its values."""
    by_name = {d.name_zh: d for d in districts.values()}
    district = districts.get(cell["district"]) or by_name.get(cell["district"])
    quarter = quarter_of(cell["quarter"])
    share = _share(cell["safe_share"])
    respondents = int(cell["respondents"]) if cell["respondents"].isdigit() else 0
    problems = []
    if district is None:
        problems.append(("district", f"未知区县：{cell['district']}",
                         f"unknown district: {cell['district']}"))
    if quarter is None:
        problems.append(("quarter", "季度格式应为 2026Q3", "quarter must look like 2026Q3"))
    if respondents <= 0:
        problems.append(("respondents", "样本数应为正整数",
                         "respondents must be a whole number > 0"))
    if share is None:
        problems.append(("safe_share", "安全感应为 0-1 或 0-100%",
                         "safe_share must be 0-1 or 0-100 %"))
    return problems, (district, quarter, respondents, share)


def import_surveys(session: Session, clock: Clock, actor: Actor, data: bytes) -> dict:
    """Load a survey table: all rows or none; the rows taken, or Invalid with each error."""
    sheet = read_sheet(data)
    where = _columns(sheet.header)
    districts = {d.code: d for d in session.scalars(select(District))}
    errors, rows, seen = [], [], {}
    for line, cells in enumerate(sheet.rows, start=2):
        cell = {f: (cells[i] if i < len(cells) else "") for f, i in where.items()}
        problems, values = _parse_row(cell, districts)
        key = (values[0].code if values[0] else cell["district"], values[1])
        if not problems and key in seen:
            problems.append(("district", f"与第{seen[key]}行重复",
                             f"duplicate of line {seen[key]}"))
        seen.setdefault(key, line)
        errors += [{"line": line, "field": f, "zh": zh, "en": en} for f, zh, en in problems]
        if not problems:
            rows.append(values)
    if errors:
        raise Invalid("file", f"{len(errors)}处错误，未导入任何数据",
                      f"{len(errors)} errors; nothing was imported", errors=errors[:200])
    for district, quarter, respondents, share in rows:
        session.execute(delete(SafetySurvey).where(SafetySurvey.district_code == district.code,
                                                   SafetySurvey.quarter == quarter))
        session.add(SafetySurvey(
            district_code=district.code, quarter=quarter,
            org_path=_district_path(session, district.code), respondents=respondents,
            safe_share=share, imported_at=clock.now(), imported_by=actor.username,
        ))
    session.flush()
    return {"imported": len(rows)}


def _district_path(session: Session, code: str) -> str:
    unit = session.get(OrgUnit, code)
    return unit.path if unit is not None else code
