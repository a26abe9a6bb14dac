"""The demo city's people on duty, generated deterministically from a seed.

Sizes follow the seed documents and common practice: a first-grade station
has 30-40 民警, a second-grade one 22-30, a third-grade one 15-22, and about
as many 辅警; three teams rotate day, night and rest; every unit of the fleet
is crewed by its station's team on duty; 200 school-gate posts (100 city-level
and 100 county-level in the seeds) with their peak windows; and the Nanyue
tourist peak under level-2 duty.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from yanyun.core import audit
from yanyun.core.clock import SHANGHAI, Clock, local_date
from yanyun.core.ids import new_id
from yanyun.duty import levels, service
from yanyun.duty.models import DutyLevel, Leave, Officer, Post, UnitCrew
from yanyun.duty.officers import area_of
from yanyun.duty.schemas import Level
from yanyun.duty.settings import DutySettings
from yanyun.duty.staffing_posts import PostRow, UnitSeat, clock_in_history, place_posts
from yanyun.geo.models import District, Station

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛"
)
GIVEN = "伟强磊军勇杰涛明超斌鹏辉华平刚飞健波宇浩然俊峰亮建国志文博军红丽芳静敏燕霞婷雪琳慧"
POLICE_RANKS = (
    ("二级警员", 2),
    ("一级警员", 3),
    ("二级警司", 5),
    ("一级警司", 5),
    ("三级警督", 3),
    ("二级警督", 1),
)
AUX_RANKS = (("五级辅警", 3), ("四级辅警", 3), ("三级辅警", 2), ("二级辅警", 1), ("一级辅警", 1))
POLICE_SKILLS = (
    "driving",
    "first_aid",
    "mediation",
    "firearms",
    "traffic",
    "interview",
    "anti_fraud",
    "english",
    "drone",
)
AUX_SKILLS = ("driving", "first_aid", "mediation", "traffic", "patrol")
# Crew of each unit kind: (民警, 辅警).
CREW = {
    "patrol_car": (1, 1),
    "quick_response": (1, 2),
    "fixed_post": (1, 1),
    "motorcycle": (1, 0),
    "foot": (1, 1),
}


@dataclass(frozen=True)
class StaffingSpec:
    police_by_grade: dict[int, tuple[int, int]] | None = None
    school_posts: int = 200
    leave_share: float = 0.04
    clock_in_share: float = 0.9
    history_school_days: int = 5
    # The deployment's duty settings: the demo's level takes their default requirements.
    duty: DutySettings | None = None

    def police_range(self, grade: int) -> tuple[int, int]:
        table = self.police_by_grade or {1: (30, 40), 2: (22, 30), 3: (15, 22)}
        return table.get(grade, (15, 22))


@dataclass(frozen=True)
class StaffingReport:
    built: bool
    officers: int
    shifts: int
    posts: int


def _name(rng: random.Random) -> str:
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(SURNAMES) + given


def _weighted(rng: random.Random, table: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([n for n, _ in table], weights=[w for _, w in table])[0]


def build_staffing(
    *,
    session: Session,
    clock: Clock,
    seed: int,
    units: list[UnitSeat],
    spec: StaffingSpec = StaffingSpec(),
    stations: list[str] | None = None,
) -> StaffingReport:
    """Staff the stations, crew the units, plan rosters, place posts (idempotent)."""
    if session.scalar(select(func.count()).select_from(Officer)):
        return StaffingReport(False, 0, 0, 0)
    rng = random.Random(seed)
    paths = service.station_paths(session)
    stmt = select(Station).order_by(Station.code)
    if stations is not None:
        stmt = stmt.where(Station.code.in_(stations))
    station_rows = list(session.scalars(stmt))
    if not station_rows:
        return StaffingReport(False, 0, 0, 0)
    units_by_station: dict[str, list[UnitSeat]] = defaultdict(list)
    # Patrol cars first: when a small station cannot crew everything, cars run.
    priority = {"patrol_car": 0, "quick_response": 1, "motorcycle": 2, "fixed_post": 3}
    for u in sorted(units, key=lambda u: (priority.get(u.kind, 4), u.id)):
        units_by_station[u.station_code].append(u)
    officers: list[dict] = []
    badge = 100000
    for st in station_rows:
        members = _station_officers(rng, clock, st, spec, paths, first_badge=badge + 1)
        badge += len(members)
        _crew_units(members, units_by_station.get(st.code, []))
        officers += members
    now = clock.now()
    today = local_date(now)
    posts = _insert_people_and_posts(
        session, rng, clock, now, units, paths, station_rows, officers, spec
    )
    shifts = service.plan_rosters(
        session=session,
        clock=clock,
        days=[today - timedelta(days=1), today, today + timedelta(days=1)],
        stations=[s.code for s in station_rows],
    )
    _nanyue_peak(session, clock, today, spec.duty or DutySettings())
    clock_in_history(
        session, rng, clock, officers, posts, now,
        school_days=spec.history_school_days, share=spec.clock_in_share,
    )
    audit.record(
        session,
        clock=clock,
        action="build_staffing",
        resource_type="duty_officer",
        detail={"seed": seed, "officers": len(officers), "posts": len(posts)},
    )
    return StaffingReport(True, len(officers), shifts, len(posts))


def _station_officers(
    rng: random.Random,
    clock: Clock,
    st: Station,
    spec: StaffingSpec,
    paths: dict[str, str],
    *,
    first_badge: int,
) -> list[dict]:
    """A station's 民警 then 辅警, as many as its grade calls for."""
    lo, hi = spec.police_range(st.grade)
    n_police = rng.randint(lo, hi)
    n_aux = max(lo, round(n_police * rng.uniform(0.9, 1.2)))
    members: list[dict] = []
    for i in range(n_police + n_aux):
        police = i < n_police
        badge = first_badge + i
        if police:
            rank = "一级警督" if i == 0 else _weighted(rng, POLICE_RANKS)
            skills = sorted(rng.sample(POLICE_SKILLS, rng.randint(2, 4)))
            certs = [
                rng.choice(
                    (
                        "执法资格（基本级）",
                        "执法资格（基本级）",
                        "执法资格（中级）",
                        "执法资格（高级）",
                    )
                )
            ]
            if "driving" in skills:
                certs.append("C1驾驶证")
            if "firearms" in skills:
                certs.append("持枪证")
        else:
            rank = _weighted(rng, AUX_RANKS)
            skills = sorted(rng.sample(AUX_SKILLS, rng.randint(1, 3)))
            certs = ["辅警上岗证"] + (["C1驾驶证"] if "driving" in skills else [])
        if "first_aid" in skills:
            certs.append("急救员证")
        members.append(
            dict(
                id=new_id(clock),
                badge_no=f"{'J' if police else 'F'}{badge}",
                name_zh=_name(rng),
                kind="police" if police else "auxiliary",
                station_code=st.code,
                org_path=paths.get(st.code, st.code),
                rank=rank,
                skills=skills,
                certifications=certs,
                phone=f"1{rng.choice('3589')}{rng.randint(10**8, 10**9 - 1)}",
                team="",
                default_unit_id=None,
                active=True,
            )
        )
    return members


def _crew_units(members: list[dict], station_units: list[UnitSeat]) -> None:
    """Put the station's officers in teams and give each a unit it crews by default."""
    # Teams interleave 民警 and 辅警 so each team has both.
    police_rows = [m for m in members if m["kind"] == "police"]
    aux_rows = [m for m in members if m["kind"] == "auxiliary"]
    for group in (police_rows, aux_rows):
        for i, m in enumerate(group):
            m["team"] = service.TEAMS[i % 3]
    for team in service.TEAMS:
        free_p = [m for m in police_rows if m["team"] == team]
        free_a = [m for m in aux_rows if m["team"] == team]
        # First one person per unit, so every unit is crewed; then fill crews.
        for u in station_units:
            pool = free_p or free_a
            if pool:
                pool.pop(0)["default_unit_id"] = u.id
        for u in station_units:
            need_p, need_a = CREW.get(u.kind, (1, 1))
            for pool, need in ((free_p, need_p - 1), (free_a, need_a)):
                for _ in range(max(0, need)):
                    if pool:
                        pool.pop(0)["default_unit_id"] = u.id


def _insert_people_and_posts(
    session: Session,
    rng: random.Random,
    clock: Clock,
    now: datetime,
    units: list[UnitSeat],
    paths: dict[str, str],
    station_rows: list[Station],
    officers: list[dict],
    spec: StaffingSpec,
) -> list[PostRow]:
    """Bulk-insert the officers, posts, the units duty crews and some leave; returns the posts."""
    session.info["audit_writes"] = False
    try:
        session.execute(insert(Officer), officers)
        posts = place_posts(
            session, rng, units, paths, station_rows, school_posts=spec.school_posts
        )
        session.execute(insert(Post), posts)
        # Every unit duty must crew is known from the start, crewed or not.
        session.execute(
            insert(UnitCrew),
            [
                dict(
                    unit_id=u.id,
                    station_code=u.station_code,
                    org_path=paths.get(u.station_code, u.station_code),
                    crew=[],
                    shift_id=None,
                    changed_at=now,
                    announced=False,
                )
                for u in units
                if u.station_code in {s.code for s in station_rows}
            ],
        )
        leaves = _leaves(rng, clock, officers, now, spec)
        if leaves:
            session.execute(insert(Leave), leaves)
    finally:
        session.info.pop("audit_writes", None)
    return posts


def _leaves(rng, clock, officers, now: datetime, spec: StaffingSpec) -> list[dict]:
    out = []
    for m in officers:
        if rng.random() < spec.leave_share:
            start = now - timedelta(days=rng.randint(0, 3), hours=rng.randint(0, 12))
            out.append(
                dict(
                    id=new_id(clock),
                    officer_id=m["id"],
                    kind=rng.choice(("annual", "rest")),
                    starts_at=start,
                    ends_at=start + timedelta(days=rng.randint(3, 7)),
                    status="approved",
                    cancelled_reason=None,
                )
            )
    return out


def _nanyue_peak(session: Session, clock: Clock, today: date, duty: DutySettings) -> None:
    """The seeds' example: Nanyue's tourist peak under level-2 duty, leave cancelled."""
    district = session.scalar(select(District).where(District.name_zh == "南岳区"))
    if district is None:
        return
    starts = datetime.combine(today, service.SHIFT_TIMES[0][1], tzinfo=SHANGHAI)
    path, _ = area_of(session, "district", district.code)
    session.add(
        DutyLevel(
            id=new_id(clock),
            area_kind="district",
            area_code=district.code,
            org_path=path,
            level="level_2",
            starts_at=starts,
            ends_at=starts + timedelta(hours=36),
            reason="南岳景区旅游高峰：平战结合，节点警务，取消休假，全警上岗",
            raised_by=None,
            raised_at=clock.now(),
            requirements=[
                req.model_dump(mode="json")
                for req in levels.default_requirements(
                    session=session, level=Level.level_2, org_path=path, settings=duty
                )
            ],
        )
    )
