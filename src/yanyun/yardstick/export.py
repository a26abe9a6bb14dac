"""A yardstick view as an XLSX workbook: the figures, then the definitions they were read with."""

from __future__ import annotations

import io
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from yanyun.yardstick.definitions import GROUPS, MEASURES, Yardstick
from yanyun.yardstick.measure import Place, Reading

FIGURE_HEADERS = (
    "分组", "指标", "指标（英文）", "单位", "本期", "去年同期", "同比", "上期", "环比", "目标",
    "方向", "记录数",
)
DEFINITION_HEADERS = ("指标编号", "指标", "计量方式", "警情类别", "警情细类", "好的方向", "目标")


def _cell(value: float | None, share: bool) -> float | str:
    if value is None:
        return "—"
    return round(value, 4) if share else round(value, 1)


def workbook(
    yardstick: Yardstick, readings: list[Reading], place: Place, first: date, last: date,
    generated_at: datetime,
) -> bytes:
    """The view's figures (sheet 1: 考核指标) and definitions (sheet 2: 指标定义), as bytes."""
    book = Workbook()
    sheet = book.active
    sheet.title = "考核指标"
    sheet.append([f"{place.name_zh} 考核指标 {first:%Y-%m-%d} 至 {last:%Y-%m-%d}"])
    sheet.append([f"指标版本 {yardstick.version}，生成于 {generated_at:%Y-%m-%d %H:%M}"])
    sheet.append(list(FIGURE_HEADERS))
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for r in readings:
        ind = r.indicator
        share = ind.measure in ("within_target", "dispatch_breach", "satisfaction", "safety")
        sheet.append([
            GROUPS[ind.group][0], ind.name_zh, ind.name_en, MEASURES[ind.measure][0],
            _cell(r.value, share), _cell(r.last_year, share),
            _cell(r.yoy, True), _cell(r.previous, share), _cell(r.pop, True),
            _cell(ind.target_for(place.code), share)
            if ind.target_for(place.code) is not None else "",
            "下降为好" if ind.good == "down" else "上升为好", r.records,
        ])
    sheet.column_dimensions["B"].width = 24
    sheet.column_dimensions["C"].width = 36
    defs = book.create_sheet("指标定义")
    defs.append(list(DEFINITION_HEADERS))
    for cell in defs[1]:
        cell.font = Font(bold=True)
    for ind in yardstick.indicators:
        defs.append([
            ind.id, ind.name_zh, MEASURES[ind.measure][0], "、".join(ind.categories),
            "、".join(ind.subs), "下降" if ind.good == "down" else "上升",
            ind.target if ind.target is not None else "",
        ])
    for row in defs.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
