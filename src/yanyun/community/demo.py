"""The demo city's people: grid teams, 121,000 volunteers, villages, disputes, enterprises.

Sizes are the seed documents' (4,882 grid teams, 121,000 volunteer police,
2,372 village auxiliaries, 467 project officers, 31,000 disputes mediated a
year, 3,258 grid reports and 1,537 hazards removed this year). Everything is
drawn from one seed, inserted in bulk once on an empty database, and reused
on every later start.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from yanyun.auth import service as auth_service
from yanyun.community.models import (
    CourtyardMeeting,
    Dispute,
    Enterprise,
    EnterpriseCase,
    GridReport,
    GridTeam,
    RallyPoint,
    ServiceDay,
    Village,
    Volunteer,
    VolunteerUnit,
)
from yanyun.community.selection import SKILLS
from yanyun.core import audit, events
from yanyun.core.clock import Clock, local_date
from yanyun.events.community import CommunityBuilt
from yanyun.geo.models import District, Grid, Station

SURNAMES = (
    "王李张刘陈杨黄赵周吴徐孙朱马胡郭林何高罗郑梁谢宋唐许邓冯韩曹"
    "曾彭萧蔡潘田董袁于余叶蒋杜苏魏程吕丁沈任姚卢傅钟姜崔谭廖范汪"
    "陆金石戴贾韦夏邱方侯邹熊孟秦白江阎薛尹段雷黎史龙陶贺顾毛郝龚"
    "邵万钱严覃武"
)
GIVEN = (
    "建国华军平伟芳敏静丽强磊洋艳勇杰娟涛明超秀霞刚桂英玉兰辉鹏飞"
    "云红梅亮林斌波宇浩凯俊文志新春海燕晨阳婷雪琳"
)
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
DISPUTE_KINDS = ("family", "neighbour", "labour", "debt", "consumer", "land", "other")
DISPUTE_TEXT = {
    "family": "家庭矛盾",
    "neighbour": "邻里纠纷",
    "labour": "劳资纠纷",
    "debt": "债务纠纷",
    "consumer": "消费纠纷",
    "land": "土地山林纠纷",
    "other": "其他纠纷",
}


@dataclass(frozen=True)
class CommunitySpec:
    volunteers: int = 121_000
    villages: int = 2_372
    project_officers: int = 467
    enterprises_per_officer: int = 3
    disputes_per_year: int = 31_000
    reports_this_year: int = 3_258
    hazards_removed_this_year: int = 1_537
    hazards_open: int = 160
    squads_per_brigade: int = 6
    rally_points_per_brigade: int = 8
    patroller_share: float = 0.12
    solved_cases: int = 127
    prosecuted_cases: int = 609
    recovered_yuan: float = 200_000_000.0


@dataclass(frozen=True)
class CommunityReport:
    built: bool
    volunteers: int
    grid_teams: int
    villages: int
    enterprises: int
    disputes: int


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))


def build_community(
    *, session: Session, clock: Clock, seed: int, spec: CommunitySpec = CommunitySpec()
) -> CommunityReport:
    """Populate the community context once (idempotent: a second call changes nothing)."""
    existing = session.scalar(select(func.count()).select_from(GridTeam)) or 0
    if existing:
        return CommunityReport(
            False,
            session.scalar(select(func.count()).select_from(Volunteer)) or 0,
            existing,
            session.scalar(select(func.count()).select_from(Village)) or 0,
            session.scalar(select(func.count()).select_from(Enterprise)) or 0,
            session.scalar(select(func.count()).select_from(Dispute)) or 0,
        )
    bureau = auth_service.bureau_code(session=session)
    districts = list(session.scalars(select(District).order_by(District.code)))
    stations = list(session.scalars(select(Station).order_by(Station.code)))
    grids = session.execute(
        select(
            Grid.code,
            Grid.station_code,
            Grid.district_code,
            Grid.is_urban,
            Grid.lng,
            Grid.lat,
            Grid.min_lng,
            Grid.min_lat,
            Grid.max_lng,
            Grid.max_lat,
        ).order_by(Grid.code)
    ).all()
    if not grids:
        return CommunityReport(False, 0, 0, 0, 0, 0)
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    now = clock.now()
    station_path = {s.code: f"{bureau}/{s.district_code}/{s.code}" for s in stations}
    grid_path = {g.code: f"{station_path[g.station_code]}/{g.code}" for g in grids}
    by_station: dict[str, list] = {}
    for g in grids:
        by_station.setdefault(g.station_code, []).append(g)

    units, points = _organisation(rng, bureau, districts, stations, by_station, station_path, spec)
    squads = {
        s.code: [u["id"] for u in units if u["level"] == "squad" and u["station_code"] == s.code]
        for s in stations
    }
    volunteers = _volunteers(nrng, now, grids, grid_path, squads, spec)
    teams = [
        {
            "grid_code": g.code,
            "station_code": g.station_code,
            "org_path": grid_path[g.code],
            "officer_name": _name(rng),
            "auxiliary_name": _name(rng),
        }
        for g in grids
    ]
    reports = _reports(rng, clock, grids, grid_path, spec)
    villages, meetings = _villages(rng, now, grids, grid_path, spec)
    disputes = _disputes(rng, nrng, now, grids, grid_path, spec)
    enterprises, cases, days = _enterprises(rng, now, grids, grid_path, station_path, spec)

    connection = session.connection()
    session.info["audit_writes"] = False
    try:
        for model, rows in (
            (VolunteerUnit, units),
            (RallyPoint, points),
            (Volunteer, volunteers),
            (GridTeam, teams),
            (GridReport, reports),
            (Village, villages),
            (CourtyardMeeting, meetings),
            (Dispute, disputes),
            (Enterprise, enterprises),
            (EnterpriseCase, cases),
            (ServiceDay, days),
        ):
            # Core executemany on the table: the ORM's bulk path costs ~3x more here.
            if rows:
                connection.execute(insert(model.__table__), rows)
    finally:
        session.info.pop("audit_writes", None)
    detail = {
        "seed": seed,
        "volunteers": len(volunteers),
        "grid_teams": len(teams),
        "villages": len(villages),
        "enterprises": len(enterprises),
        "disputes": len(disputes),
        "grid_reports": len(reports),
    }
    audit.record(
        session, clock=clock, action="build_community", resource_type="volunteer", detail=detail
    )
    events.publish(
        session,
        CommunityBuilt(**detail),
        clock=clock,
        resource_id="*",
        org_path=bureau,
    )
    return CommunityReport(
        True, len(volunteers), len(teams), len(villages), len(enterprises), len(disputes)
    )


def _organisation(rng, bureau, districts, stations, by_station, station_path, spec):
    units = [
        {
            "id": f"VC-{bureau}",
            "level": "corps",
            "parent_id": None,
            "name_zh": "衡阳义警总队",
            "name_en": "Hengyang volunteer police corps",
            "district_code": None,
            "station_code": None,
            "org_path": bureau,
        }
    ]
    district_name = {d.code: d for d in districts}
    for d in districts:
        units.append(
            {
                "id": f"VD-{d.code}",
                "level": "detachment",
                "parent_id": units[0]["id"],
                "name_zh": f"{d.name_zh}义警支队",
                "name_en": f"{d.name_en} detachment",
                "district_code": d.code,
                "station_code": None,
                "org_path": f"{bureau}/{d.code}",
            }
        )
    points = []
    for s in stations:
        if s.district_code not in district_name:
            continue
        brigade = f"VB-{s.code}"
        units.append(
            {
                "id": brigade,
                "level": "brigade",
                "parent_id": f"VD-{s.district_code}",
                "name_zh": f"{s.name_zh}义警大队",
                "name_en": f"{s.name_en} brigade",
                "district_code": s.district_code,
                "station_code": s.code,
                "org_path": station_path[s.code],
            }
        )
        for k in range(1, spec.squads_per_brigade + 1):
            units.append(
                {
                    "id": f"VS-{s.code}-{k}",
                    "level": "squad",
                    "parent_id": brigade,
                    "name_zh": f"{s.name_zh}义警第{k}中队",
                    "name_en": f"{s.name_en} squad {k}",
                    "district_code": s.district_code,
                    "station_code": s.code,
                    "org_path": station_path[s.code],
                }
            )
        own = by_station.get(s.code, [])
        for k in range(1, spec.rally_points_per_brigade + 1):
            if not own:
                break
            g = rng.choice(own)
            points.append(
                {
                    "id": f"RP-{s.code}-{k}",
                    "unit_id": brigade,
                    "name_zh": f"{s.name_zh}第{k}集结点",
                    "grid_code": g.code,
                    "org_path": station_path[s.code],
                    "lng": g.lng,
                    "lat": g.lat,
                }
            )
    return units, points


def _volunteers(nrng, now, grids, grid_path, squads, spec):
    n = spec.volunteers
    # Urban grids are small and crowded: weight them up so people live where people live.
    weights = np.array([4.0 if g.is_urban else 1.0 for g in grids])
    pick = nrng.choice(len(grids), size=n, p=weights / weights.sum())
    # Rows in grid order keep the index inserts sequential (several times faster).
    pick.sort()
    min_lng = np.array([g.min_lng for g in grids])[pick]
    max_lng = np.array([g.max_lng for g in grids])[pick]
    min_lat = np.array([g.min_lat for g in grids])[pick]
    max_lat = np.array([g.max_lat for g in grids])[pick]
    c_lng = np.array([g.lng for g in grids])[pick]
    c_lat = np.array([g.lat for g in grids])[pick]
    # Half-way between the centre and a uniform point keeps homes inside most grids.
    lng = (c_lng + min_lng + nrng.random(n) * (max_lng - min_lng)) / 2
    lat = (c_lat + min_lat + nrng.random(n) * (max_lat - min_lat)) / 2
    # Everyone patrols; about a third have first aid, fewer the rarer skills.
    shares = np.array([1.0, 0.35, 0.25, 0.2, 0.05, 0.15, 0.2, 0.3])[: len(SKILLS)]
    bits = nrng.random((n, len(SKILLS))) < shares
    masks = (bits * (1 << np.arange(len(SKILLS)))).sum(axis=1)
    available = nrng.random(n) < 0.8
    patroller = nrng.random(n) < spec.patroller_share
    hours = np.round(nrng.gamma(2.0, 12.0, n), 1)
    squad_pick = nrng.integers(0, 1 << 30, n)
    surnames = np.array(list(SURNAMES))[nrng.integers(0, len(SURNAMES), n)]
    given1 = np.array(list(GIVEN))[nrng.integers(0, len(GIVEN), n)]
    given2 = np.array(list(GIVEN))[nrng.integers(0, len(GIVEN), n)]
    two = nrng.random(n) < 0.7
    registered = now - timedelta(days=30)
    rows = []
    for i in range(n):
        g = grids[pick[i]]
        own = squads.get(g.station_code) or [None]
        rows.append(
            {
                "id": f"V{i + 1:07d}",
                "name_zh": surnames[i] + given1[i] + (given2[i] if two[i] else ""),
                "squad_id": own[squad_pick[i] % len(own)],
                "home_grid_code": g.code,
                "station_code": g.station_code,
                "org_path": grid_path[g.code],
                "skills_mask": int(masks[i]),
                "available": bool(available[i]),
                "grid_patroller": bool(patroller[i]),
                "lng": float(lng[i]),
                "lat": float(lat[i]),
                "hours_total": float(hours[i]),
                "registered_at": registered,
            }
        )
    return rows


def _year_start(now: datetime) -> datetime:
    local = local_date(now)
    return now - timedelta(days=(local - date(local.year, 1, 1)).days + 1)


def _reports(rng, clock, grids, grid_path, spec):
    now = clock.now()
    start = _year_start(now)
    span_s = max((now - start).total_seconds() - 7 * 86400, 86400)
    rows = []
    n_rows = spec.reports_this_year + spec.hazards_removed_this_year + spec.hazards_open
    for i in range(n_rows):
        g = rng.choice(grids)
        base = {
            "id": f"GR{i + 1:07d}",
            "grid_code": g.code,
            "station_code": g.station_code,
            "org_path": grid_path[g.code],
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
        kind = rng.choice(("fire", "public_order"))
        removed = i < spec.reports_this_year + spec.hazards_removed_this_year
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
            "photos": [f"photo://grid/{g.code}/{i + 1}.jpg"],
        }
        if removed:
            row |= {
                "status": "verified",
                "assignee": "网格辅警",
                "assigned_at": found + timedelta(hours=2),
                "removed_at": found + timedelta(hours=rng.uniform(4, 70)),
                "verified_at": found + timedelta(hours=71),
            }
        else:
            status = rng.choice(("found", "assigned"))
            row |= {
                "status": status,
                "assignee": "网格辅警" if status == "assigned" else None,
                "assigned_at": found + timedelta(hours=1) if status == "assigned" else None,
            }
        rows.append(row)
    return rows


def _villages(rng, now, grids, grid_path, spec):
    rural = [g for g in grids if not g.is_urban] or list(grids)
    villages, meetings = [], []
    for i in range(spec.villages):
        g = rural[i % len(rural)]
        code = f"VL{i + 1:05d}"
        villages.append(
            {
                "code": code,
                "name_zh": f"{rng.choice(SURNAMES)}家{rng.choice('湾冲坪村塘岭')}",
                "grid_code": g.code,
                "station_code": g.station_code,
                "org_path": grid_path[g.code],
                "auxiliary_name": _name(rng),
                "patrol_team_size": rng.randint(5, 15),
                "mediators": [_name(rng) for _ in range(rng.randint(1, 3))],
            }
        )
        meetings.append(
            {
                "id": f"CM{i + 1:06d}",
                "village_code": code,
                "org_path": grid_path[g.code],
                "held_at": now - timedelta(days=rng.uniform(1, 60)),
                "attendance": rng.randint(12, 80),
                "issues": rng.sample(
                    [
                        "防诈骗宣传",
                        "农村道路安全",
                        "留守老人关爱",
                        "山林防火",
                        "邻里土地边界",
                        "电动车被盗",
                    ],
                    2,
                ),
            }
        )
    return villages, meetings


def _disputes(rng, nrng, now, grids, grid_path, spec):
    n = spec.disputes_per_year
    ages = nrng.uniform(0, 365, n)
    pick = nrng.integers(0, len(grids), n)
    rows = []
    for i in range(n):
        g = grids[pick[i]]
        kind = DISPUTE_KINDS[i % len(DISPUTE_KINDS)]
        registered = now - timedelta(days=float(ages[i]))
        done = ages[i] > 10 or i % 3 == 0
        agreement = i % 20 != 0
        rows.append(
            {
                "id": f"DS{i + 1:07d}",
                "kind": kind,
                "summary": DISPUTE_TEXT[kind],
                "parties": 2 + i % 3,
                "grid_code": g.code,
                "station_code": g.station_code,
                "org_path": grid_path[g.code],
                "status": ("resolved" if agreement else "failed") if done else "assigned",
                "registered_at": registered,
                "mediator_name": "湾村明白人" if i % 2 else "社区民警",
                "room_station_code": None,
                "outcome": ("agreement" if agreement else "no_agreement") if done else None,
                "outcome_note": None,
                "closed_at": registered + timedelta(days=2) if done else None,
            }
        )
    return rows


def _enterprises(rng, now, grids, grid_path, station_path, spec):
    urban = [g for g in grids if g.is_urban] or list(grids)
    enterprises, cases, days = [], [], []
    officers: list[str] = []
    while len(officers) < spec.project_officers:
        # Officers are told apart by name on the page: draw until each is unique.
        name = _name(rng)
        if name not in officers:
            officers.append(name)
    for i, officer in enumerate(officers):
        home = rng.choice(urban)
        for k in range(spec.enterprises_per_officer):
            eid = f"EN{i + 1:04d}{k + 1}"
            project = k == spec.enterprises_per_officer - 1 and i % 2 == 0
            name = (
                f"{rng.choice(PARKS)}{rng.choice(TRADES)}项目工地"
                if project
                else f"衡阳{rng.choice(SURNAMES)}{rng.choice(GIVEN)}{rng.choice(TRADES)}有限公司"
            )
            enterprises.append(
                {
                    "id": eid,
                    "name_zh": name,
                    "kind": "project" if project else "enterprise",
                    "park": rng.choice(PARKS),
                    "station_code": home.station_code,
                    "org_path": grid_path[home.code],
                    "officer_name": officer,
                    "lng": home.lng,
                    "lat": home.lat,
                    "plan_items": [
                        {"text": t, "done": rng.random() < 0.5}
                        for t in rng.sample(
                            [
                                "内部安全防范检查",
                                "防范电信诈骗培训",
                                "周边交通秩序整治",
                                "劳资纠纷排查",
                                "消防演练",
                                "厂区视频监控接入",
                            ],
                            3,
                        )
                    ],
                }
            )
    per_case = spec.recovered_yuan / max(spec.solved_cases + spec.prosecuted_cases, 1)
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
    # The last two service days are reported for every station with enterprises.
    today = local_date(now)
    past = []
    y, m = today.year, today.month
    if today.day < 20:
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    for _ in range(2):
        past.append(date(y, m, 20))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    by_station: dict[str, list[str]] = {}
    for e in enterprises:
        by_station.setdefault(e["station_code"], []).append(e["id"])
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
    return enterprises, cases, days


def build_demo(runtime: Any, options: Any) -> str | None:
    """The demo community, once: volunteers, grid teams, villages, enterprises, disputes."""
    from yanyun.core.db import session_scope

    with session_scope(runtime, actor_username="system") as session:
        report = build_community(
            session=session, clock=runtime.clock, seed=runtime.settings.city.seed,
            spec=CommunitySpec(volunteers=runtime.settings.community.volunteers),
        )
    if not report.built:
        return None
    return (
        f"community 群防群治: {report.volunteers} volunteers, {report.grid_teams} grid teams, "
        f"{report.villages} villages, {report.enterprises} enterprises ({{s}} s)"
    )
