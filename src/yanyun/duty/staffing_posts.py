"""The demo city's posts: fixed posts and quick-response platforms at their units,
school-gate posts (护学岗) with their peak windows, and their past clock-ins.

Part of the demo staffing (`staffing.build_staffing`): the same seeded random
generator runs through it in a fixed order, so the city is the same every time.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypedDict

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from yanyun.core.clock import Clock, local_date
from yanyun.core.ids import new_id
from yanyun.duty.models import ClockIn
from yanyun.duty.posts import local_window_bounds
from yanyun.geo.models import Grid, Station


@dataclass(frozen=True)
class UnitSeat:
    """A unit as duty needs to know it (read from command by the caller)."""

    id: str
    station_code: str
    kind: str
    lng: float
    lat: float


SCHOOL_KINDS = (
    # (name suffix zh, en, windows, weight)
    ("小学", "Primary School", [["07:20", "08:00"], ["16:20", "17:10"]], 5),
    ("中学", "Middle School", [["06:50", "07:30"], ["17:30", "18:20"]], 3),
    ("幼儿园", "Kindergarten", [["07:50", "08:40"], ["16:00", "16:40"]], 2),
)


class PostRow(TypedDict):
    """A post as bulk-inserted into `duty_post`."""

    id: str
    kind: str
    name_zh: str
    name_en: str
    station_code: str
    org_path: str
    unit_id: str | None
    lng: float
    lat: float
    radius_m: float
    windows: list[list[str]]
    weekdays: list[int]
    required_officers: int


def place_posts(
    session: Session,
    rng: random.Random,
    units: list[UnitSeat],
    paths: dict[str, str],
    station_rows: list[Station],
    *,
    school_posts: int,
) -> list[PostRow]:
    """Rows of every post of these stations: one per fixed-post and quick-response unit,
    then the school-gate posts, then each station's patrol check points."""
    codes = {s.code for s in station_rows}
    return (
        _unit_posts(units, paths, codes)
        + _school_posts(session, rng, paths, station_rows, codes, school_posts)
        + _patrol_points(session, paths, station_rows, codes)
    )


#: Patrol check points (巡逻必到点) per station in the demo city.
PATROL_POINTS_PER_STATION = 2


def _patrol_points(
    session: Session, paths: dict[str, str], station_rows: list[Station], codes: set[str]
) -> list[PostRow]:
    """Named points a station's patrols must pass (巡逻必到点), checked in at any hour:
    the centres of the station's last grids by code (chosen without the random stream,
    so the rest of the demo city stays as it was)."""
    by_station: dict[str, list] = defaultdict(list)
    for g in session.execute(
        select(Grid.code, Grid.station_code, Grid.lng, Grid.lat)
        .where(Grid.station_code.in_(sorted(codes))).order_by(Grid.code)
    ):
        by_station[g.station_code].append(g)
    names = {s.code: s.name_zh.removesuffix("派出所") for s in station_rows}
    posts: list[PostRow] = []
    for code in sorted(by_station):
        for k, g in enumerate(by_station[code][-PATROL_POINTS_PER_STATION:], start=1):
            posts.append(PostRow(
                id=f"PP-{g.code}"[:32], kind="patrol_point",
                name_zh=f"{names.get(code, code)}巡逻必到点{k}",
                name_en=f"Patrol check point {k} of {code}",
                station_code=code, org_path=paths.get(code, code), unit_id=None,
                lng=g.lng, lat=g.lat, radius_m=100.0, windows=[["00:00", "24:00"]],
                weekdays=[1, 2, 3, 4, 5, 6, 7], required_officers=1,
            ))
    return posts


def _unit_posts(units: list[UnitSeat], paths: dict[str, str], codes: set[str]) -> list[PostRow]:
    posts: list[PostRow] = []
    for u in units:
        if u.kind not in ("fixed_post", "quick_response") or u.station_code not in codes:
            continue
        qr = u.kind == "quick_response"
        posts.append(
            PostRow(
                id=f"P-{u.id}",
                kind=u.kind,
                name_zh=f"快警平台{u.id[2:].lstrip('0')}号"
                if qr
                else f"固定执勤点{u.id[2:].lstrip('0')}",
                name_en=f"Quick-response platform {u.id}" if qr else f"Fixed post {u.id}",
                station_code=u.station_code,
                org_path=paths.get(u.station_code, u.station_code),
                unit_id=u.id,
                lng=u.lng,
                lat=u.lat,
                radius_m=150.0 if qr else 100.0,
                windows=[["00:00", "24:00"]],
                weekdays=[1, 2, 3, 4, 5, 6, 7],
                required_officers=2 if qr else 1,
            )
        )
    return posts


def _school_posts(
    session: Session,
    rng: random.Random,
    paths: dict[str, str],
    station_rows: list[Station],
    codes: set[str],
    wanted: int,
) -> list[PostRow]:
    """School-gate posts at grid centres, urban grids four times as likely."""
    grids = list(
        session.execute(
            select(Grid.code, Grid.station_code, Grid.is_urban, Grid.lng, Grid.lat)
            .where(Grid.station_code.in_(sorted(codes)))
            .order_by(Grid.code)
        )
    )
    names = {s.code: s.name_zh.removesuffix("派出所") for s in station_rows}
    n = min(wanted, len(grids))
    weights = [4.0 if g.is_urban else 1.0 for g in grids]
    chosen: dict[str, object] = {}
    while len(chosen) < n:
        g = rng.choices(grids, weights=weights)[0]
        chosen.setdefault(g.code, g)
    posts: list[PostRow] = []
    per_station: dict[str, int] = defaultdict(int)
    for i, g in enumerate(sorted(chosen.values(), key=lambda g: g.code), start=1):
        zh, en, windows, _ = rng.choices(SCHOOL_KINDS, weights=[k[3] for k in SCHOOL_KINDS])[0]
        per_station[g.station_code] += 1
        k = per_station[g.station_code]
        posts.append(
            PostRow(
                id=f"SP{i:03d}",
                kind="school_post",
                name_zh=f"{names[g.station_code]}第{k}{zh}护学岗",
                name_en=f"{en} {k} of {g.station_code} school-gate post",
                station_code=g.station_code,
                org_path=paths.get(g.station_code, g.station_code),
                unit_id=None,
                lng=g.lng,
                lat=g.lat,
                radius_m=120.0,
                windows=windows,
                weekdays=[1, 2, 3, 4, 5],
                required_officers=2 if zh == "中学" else 1,
            )
        )
    return posts


def clock_in_history(
    session: Session,
    rng: random.Random,
    clock: Clock,
    officers: list[dict[str, Any]],
    posts: list[PostRow],
    now: datetime,
    *,
    school_days: int,
    share: float,
) -> None:
    """Past school days' clock-ins, so the compliance report has a history to show."""
    schools = [p for p in posts if p["kind"] == "school_post"]
    staff = defaultdict(list)
    for m in officers:
        staff[m["station_code"]].append(m["id"])
    rows = []
    day = local_date(now)
    days: list[date] = []
    while len(days) < school_days + 1:
        if day.isoweekday() <= 5:
            days.append(day)
        day -= timedelta(days=1)
    for d in days:
        for p in schools:
            for w in p["windows"]:
                start, end = local_window_bounds(d, w)
                if end > now:
                    continue
                if rng.random() >= share:
                    continue
                for officer_id in rng.sample(staff[p["station_code"]], p["required_officers"]):
                    at = start + timedelta(minutes=rng.randint(-5, 20))
                    rows.append(
                        dict(
                            id=new_id(clock),
                            post_id=p["id"],
                            officer_id=officer_id,
                            device_at=at,
                            received_at=at,
                            day=d,
                            lng=p["lng"] + rng.uniform(-0.0004, 0.0004),
                            lat=p["lat"] + rng.uniform(-0.0004, 0.0004),
                            accuracy_m=rng.choice((5.0, 8.0, 12.0, 20.0)),
                            distance_m=round(rng.uniform(3, 60), 1),
                            accepted=True,
                            window=f"{w[0]}-{w[1]}",
                            reason=None,
                        )
                    )
    if rows:
        session.info["audit_writes"] = False
        try:
            session.execute(insert(ClockIn), rows)
        finally:
            session.info.pop("audit_writes", None)
