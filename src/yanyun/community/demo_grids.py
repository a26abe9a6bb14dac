"""The demo grids' 1 + 1 + N teams, and this year's grid reports and hazards."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from random import Random
from typing import Any, TypedDict

from yanyun.community.demo_spec import CommunitySpec, DemoCity, person_name
from yanyun.core.clock import Clock, local_date

DYNAMICS = (
    "外来人员租住情况",
    "邻里矛盾苗头",
    "重点人员动态",
    "群众安全感走访",
    "出租屋变化",
    "婚丧嫁娶聚集",
    "夜间噪音反映",
    "快递网点新设",
)
HAZARDS = {
    "fire": ("电动车楼道充电", "消防通道堵塞", "灭火器过期", "电线私拉乱接", "液化气罐违规存放"),
    "public_order": (
        "路灯损坏",
        "监控盲区",
        "娱乐场所超时营业",
        "学校周边摊贩聚集",
        "无人看管的工地",
    ),
}


class GridTeamRow(TypedDict):
    grid_code: str
    station_code: str
    org_path: str
    officer_name: str
    auxiliary_name: str


class GridReportRow(TypedDict, total=False):
    id: str
    kind: str
    hazard_type: str | None
    title: str
    detail: str | None
    grid_code: str
    station_code: str
    org_path: str
    lng: float
    lat: float
    status: str
    photos: list[str]
    reported_by: str | None
    found_at: datetime
    deadline: datetime | None
    assignee: str | None
    assigned_at: datetime | None
    removed_at: datetime | None
    verified_at: datetime | None
    overdue_at: datetime | None
    note: str | None


def teams(rng: Random, city: DemoCity) -> list[GridTeamRow]:
    """Each grid's officer and auxiliary (the N are its patrolling volunteers)."""
    return [
        {
            "grid_code": g.code,
            "station_code": g.station_code,
            "org_path": city.grid_path[g.code],
            "officer_name": person_name(rng),
            "auxiliary_name": person_name(rng),
        }
        for g in city.grids
    ]


def _year_start(now: datetime) -> datetime:
    local = local_date(now)
    return now - timedelta(days=(local - date(local.year, 1, 1)).days + 1)


def reports(rng: Random, clock: Clock, city: DemoCity, spec: CommunitySpec) -> list[GridReportRow]:
    """This year's social-dynamics reports, hazards removed, and hazards still open."""
    now = clock.now()
    start = _year_start(now)
    span_s = max((now - start).total_seconds() - 7 * 86400, 86400)
    rows: list[GridReportRow] = []
    n_rows = spec.reports_this_year + spec.hazards_removed_this_year + spec.hazards_open
    for i in range(n_rows):
        g = rng.choice(city.grids)
        base = _report_base(i, g, city.grid_path[g.code])
        if i < spec.reports_this_year:
            found = start + timedelta(seconds=rng.uniform(0, span_s))
            rows.append(
                base
                | {
                    "kind": "dynamics",
                    "title": rng.choice(DYNAMICS),
                    "status": "recorded",
                    "found_at": found,
                }
            )
            continue
        removed = i < spec.reports_this_year + spec.hazards_removed_this_year
        rows.append(_hazard(rng, i, base, removed=removed, start=start, span_s=span_s, now=now))
    return rows


def _report_base(i: int, g: Any, org_path: str) -> GridReportRow:
    """The columns every report shares, at the centre of its grid."""
    return {
        "id": f"GR{i + 1:07d}",
        "grid_code": g.code,
        "station_code": g.station_code,
        "org_path": org_path,
        "lng": g.lng,
        "lat": g.lat,
        "detail": None,
        "photos": [],
        "reported_by": "grid",
        "assignee": None,
        "assigned_at": None,
        "removed_at": None,
        "verified_at": None,
        "overdue_at": None,
        "note": None,
        "deadline": None,
        "hazard_type": None,
    }


def _hazard(
    rng: Random,
    i: int,
    base: GridReportRow,
    *,
    removed: bool,
    start: datetime,
    span_s: float,
    now: datetime,
) -> GridReportRow:
    """A hazard: removed and verified within its 72 hours, or found lately and still open."""
    kind = rng.choice(("fire", "public_order"))
    found = (
        start + timedelta(seconds=rng.uniform(0, span_s))
        if removed
        else now - timedelta(hours=rng.uniform(1, 120))
    )
    deadline = found + timedelta(hours=72)
    row = base | {
        "kind": "hazard",
        "hazard_type": kind,
        "title": rng.choice(HAZARDS[kind]),
        "found_at": found,
        "deadline": deadline,
        "photos": [f"photo://grid/{base['grid_code']}/{i + 1}.jpg"],
    }
    if removed:
        return row | {
            "status": "verified",
            "assignee": "网格辅警",
            "assigned_at": found + timedelta(hours=2),
            "removed_at": found + timedelta(hours=rng.uniform(4, 70)),
            "verified_at": found + timedelta(hours=71),
        }
    status = rng.choice(("found", "assigned"))
    return row | {
        "status": status,
        "assignee": "网格辅警" if status == "assigned" else None,
        "assigned_at": found + timedelta(hours=1) if status == "assigned" else None,
    }
