"""The demo project officers, their enterprises and cases, and the last two service days."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from random import Random
from typing import Any, TypedDict

from yanyun.community.demo_spec import GIVEN, SURNAMES, CommunitySpec, DemoCity, person_name
from yanyun.core.clock import local_date

PARKS = (
    "衡阳高新区",
    "白沙洲工业园",
    "松木经济开发区",
    "衡山科学城",
    "西渡高新区",
    "水口山经济开发区",
    "衡东经济开发区",
    "祁东经济开发区",
    "耒阳经济开发区",
    "常宁工业园",
)
TRADES = ("机械", "电子", "化工", "纺织", "食品", "建材", "物流", "医药", "新能源", "有色金属")
PLAN_ITEMS = (
    "内部安全防范检查",
    "防范电信诈骗培训",
    "周边交通秩序整治",
    "劳资纠纷排查",
    "消防演练",
    "厂区视频监控接入",
)



class EnterpriseRow(TypedDict):
    id: str
    name_zh: str
    kind: str
    park: str | None
    station_code: str
    org_path: str
    officer_name: str
    lng: float
    lat: float
    plan_items: list[dict[str, Any]]


class CaseRow(TypedDict):
    id: str
    enterprise_id: str
    org_path: str
    title: str
    status: str
    amount_recovered_yuan: float
    opened_at: datetime


class ServiceDayRow(TypedDict):
    id: str
    station_code: str
    org_path: str
    day: date
    status: str
    planned_enterprises: list[str]
    report: str | None
    reported_at: datetime | None


def enterprises(
    rng: Random, now: datetime, city: DemoCity, spec: CommunitySpec
) -> tuple[list[EnterpriseRow], list[CaseRow], list[ServiceDayRow]]:
    """Enterprises and projects per project officer, their cases, and service days."""
    urban = [g for g in city.grids if g.is_urban] or list(city.grids)
    rows: list[EnterpriseRow] = []
    for i, officer in enumerate(_officers(rng, spec)):
        home = rng.choice(urban)
        for k in range(spec.enterprises_per_officer):
            rows.append(_enterprise(rng, i, k, officer, home, city.grid_path[home.code], spec))
    cases = _cases(rng, now, rows, spec)
    return rows, cases, _service_days(now, rows, city.station_path)


def _officers(rng: Random, spec: CommunitySpec) -> list[str]:
    officers: list[str] = []
    while len(officers) < spec.project_officers:
        # Officers are told apart by name on the page: draw until each is unique.
        name = person_name(rng)
        if name not in officers:
            officers.append(name)
    return officers


def _enterprise(
    rng: Random, i: int, k: int, officer: str, home: Any, org_path: str, spec: CommunitySpec
) -> EnterpriseRow:
    """The officer's k-th enterprise; every other officer's last one is a project site."""
    project = k == spec.enterprises_per_officer - 1 and i % 2 == 0
    name = (
        f"{rng.choice(PARKS)}{rng.choice(TRADES)}项目工地"
        if project
        else f"衡阳{rng.choice(SURNAMES)}{rng.choice(GIVEN)}{rng.choice(TRADES)}有限公司"
    )
    return {
        "id": f"EN{i + 1:04d}{k + 1}",
        "name_zh": name,
        "kind": "project" if project else "enterprise",
        "park": rng.choice(PARKS),
        "station_code": home.station_code,
        "org_path": org_path,
        "officer_name": officer,
        "lng": home.lng,
        "lat": home.lat,
        "plan_items": [
            {"text": t, "done": rng.random() < 0.5} for t in rng.sample(list(PLAN_ITEMS), 3)
        ],
    }


def _cases(
    rng: Random, now: datetime, enterprises: list[EnterpriseRow], spec: CommunitySpec
) -> list[CaseRow]:
    """Solved and prosecuted cases sharing the amount recovered."""
    per_case = spec.recovered_yuan / max(spec.solved_cases + spec.prosecuted_cases, 1)
    cases: list[CaseRow] = []
    for i in range(spec.solved_cases + spec.prosecuted_cases):
        e = enterprises[rng.randrange(len(enterprises))]
        cases.append(
            {
                "id": f"EC{i + 1:05d}",
                "enterprise_id": e["id"],
                "org_path": e["org_path"],
                "title": rng.choice(
                    ("合同诈骗", "职务侵占", "盗窃生产物资", "强揽工程", "阻工闹事")
                ),
                "status": "solved" if i < spec.solved_cases else "prosecution",
                "amount_recovered_yuan": round(per_case * rng.uniform(0.2, 1.8), 2),
                "opened_at": now - timedelta(days=rng.uniform(1, 300)),
            }
        )
    return cases


def _past_service_days(today: date) -> list[date]:
    """The last two 20ths on or before `today`, latest first."""
    past = []
    y, m = today.year, today.month
    if today.day < 20:
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    for _ in range(2):
        past.append(date(y, m, 20))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return past


def _service_days(
    now: datetime, enterprises: list[EnterpriseRow], station_path: dict[str, str]
) -> list[ServiceDayRow]:
    """The last two service days of every station with enterprises."""
    past = _past_service_days(local_date(now))
    by_station: dict[str, list[str]] = {}
    for e in enterprises:
        by_station.setdefault(e["station_code"], []).append(e["id"])
    days: list[ServiceDayRow] = []
    for code, ids in sorted(by_station.items()):
        for day in past:
            # The latest 20th waits for its report; the one before is reported.
            latest = day == past[0]
            days.append(
                {
                    "id": f"SD{len(days) + 1:06d}",
                    "station_code": code,
                    "org_path": station_path[code],
                    "day": day,
                    "status": "planned" if latest else "reported",
                    "planned_enterprises": ids,
                    "report": None if latest else f"走访企业{len(ids)}家，收集问题并现场答复",
                    "reported_at": None
                    if latest
                    else datetime.combine(day, datetime.min.time(), tzinfo=now.tzinfo)
                    + timedelta(hours=10),
                }
            )
    return days
