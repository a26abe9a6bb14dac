"""Posts and proof of presence: a clock-in counts only inside the geofence and the window.

The device sends its position, its fix accuracy and its own time. The time
must agree with the server's (a phone cannot claim yesterday's presence), the
fix must be precise enough to mean something, the moment must fall in one of
the post's windows on one of its days, and the point must lie inside the
post's geofence, measured in metres on the UTM plane. Every attempt is kept,
rejected ones with the reason, so a compliance report can show both.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import NoReturn

from shapely import Point
from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.auth.scope import visible
from yanyun.auth.service import Actor
from yanyun.core import events
from yanyun.core.clock import SHANGHAI, Clock, as_utc
from yanyun.core.errors import Invalid
from yanyun.core.ids import new_id
from yanyun.duty.models import ClockIn, Officer, Post
from yanyun.duty.schemas import (
    ClockInCreate,
    ComplianceReport,
    ComplianceRow,
    PostRead,
    PostUpdate,
    StationCompliance,
)
from yanyun.duty.settings import DutySettings
from yanyun.events.duty import ClockedIn
from yanyun.geo.coords import to_metric
from yanyun.geo.models import Station


def post_read(post: Post) -> PostRead:
    return PostRead(
        id=post.id,
        kind=post.kind,
        name_zh=post.name_zh,
        name_en=post.name_en,
        station_code=post.station_code,
        unit_id=post.unit_id,
        lng=post.lng,
        lat=post.lat,
        radius_m=post.radius_m,
        windows=[list(w) for w in post.windows],
        weekdays=list(post.weekdays),
        required_officers=post.required_officers,
    )


def list_posts(
    *,
    session: Session,
    actor: Actor,
    kind: str | None = None,
    station_code: str | None = None,
    limit: int = 500,
    offset: int = 0,
) -> tuple[int, list[Post]]:
    stmt = actor.scope(select(Post), Post.org_path)
    if kind:
        stmt = stmt.where(Post.kind == kind)
    if station_code:
        stmt = stmt.where(Post.station_code == station_code)
    rows = list(session.scalars(stmt.order_by(Post.id)))
    return len(rows), rows[offset : offset + limit]


def get_post(*, session: Session, actor: Actor, post_id: str) -> Post:
    post = visible(session, Post, post_id, actor, what="post")
    return post


def _check_windows(windows: list[list[str]]) -> None:
    for i, window in enumerate(windows):
        ok = len(window) == 2 and all(
            len(w) == 5
            and w[2] == ":"
            and w[:2].isdigit()
            and w[3:].isdigit()
            and int(w[:2]) <= 24
            and int(w[3:]) < 60
            for w in window
        )
        if not ok or _minutes(window[0]) >= _minutes(window[1]) or _minutes(window[1]) > 24 * 60:
            raise Invalid(
                f"windows.{i}",
                '时段格式应为 ["07:20", "08:00"]，且开始早于结束',
                'a window is ["07:20", "08:00"], its start before its end',
            )


def update_post(*, session: Session, actor: Actor, post_id: str, post_in: PostUpdate) -> Post:
    """Change a post's settings (a school's own peak windows and days)."""
    post = get_post(session=session, actor=actor, post_id=post_id)
    if post_in.windows is not None:
        _check_windows(post_in.windows)
        post.windows = [list(w) for w in post_in.windows]
    if post_in.weekdays is not None:
        if any(d < 1 or d > 7 for d in post_in.weekdays):
            raise Invalid(
                "weekdays", "星期取值为1（周一）至7（周日）", "weekdays run 1 (Monday) to 7"
            )
        post.weekdays = sorted(set(post_in.weekdays))
    if post_in.radius_m is not None:
        post.radius_m = post_in.radius_m
    if post_in.required_officers is not None:
        post.required_officers = post_in.required_officers
    return post


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def window_at(post: Post, at: datetime, *, early_min: int) -> str | None:
    """The post's window ("07:20-08:00") that this instant falls in, local time, else None.

    >>> p = Post(windows=[["07:20", "08:00"]], weekdays=[1, 2, 3, 4, 5])
    >>> from datetime import datetime; from yanyun.core.clock import SHANGHAI
    >>> window_at(p, datetime(2026, 11, 23, 7, 15, tzinfo=SHANGHAI), early_min=10)
    '07:20-08:00'
    >>> window_at(p, datetime(2026, 11, 22, 7, 30, tzinfo=SHANGHAI), early_min=10) is None  # Sunday
    True
    """
    local = as_utc(at).astimezone(SHANGHAI)
    if local.isoweekday() not in post.weekdays:
        return None
    minute = local.hour * 60 + local.minute + local.second / 60
    for start, end in post.windows:
        if _minutes(start) - early_min <= minute < _minutes(end):
            return f"{start}-{end}"
    return None


def distance_to_post_m(post: Post, lng: float, lat: float) -> float:
    """Metres from the post's point, on the UTM plane (shapely on projected geometry)."""
    return float(to_metric(Point(post.lng, post.lat)).distance(to_metric(Point(lng, lat))))


def clock_in(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    settings: DutySettings,
    post_id: str,
    clock_in_in: ClockInCreate,
) -> ClockIn:
    """Record a clock-in; raise Invalid naming the reason when it does not count.

    A refused attempt is kept too (the request's transaction commits it before
    the 422 goes out), so nobody can say they clocked in when they did not,
    nor that their attempt was lost.
    """
    post = get_post(session=session, actor=actor, post_id=post_id)
    officer = session.get(Officer, clock_in_in.officer_id)
    if officer is None or not officer.active or not actor.sees(officer.org_path):
        raise Invalid("officer_id", "未知警员", "unknown officer")
    now = clock.now()
    at = as_utc(clock_in_in.at)
    distance = distance_to_post_m(post, clock_in_in.lng, clock_in_in.lat)
    window = window_at(post, at, early_min=settings.clock_in_early_min)
    refusal = _refusal(
        post, clock_in_in, at=at, now=now, distance=distance, window=window, settings=settings
    )
    row = ClockIn(
        id=new_id(clock),
        post_id=post.id,
        officer_id=officer.id,
        device_at=at,
        received_at=now,
        day=at.astimezone(SHANGHAI).date(),
        lng=clock_in_in.lng,
        lat=clock_in_in.lat,
        accuracy_m=clock_in_in.accuracy_m,
        distance_m=round(distance, 1),
        accepted=refusal is None,
        window=window,
        reason=refusal[1] if refusal else None,
    )
    session.add(row)
    if refusal is not None:
        _refuse(session, row, refusal)
    events.publish(
        session,
        ClockedIn(officer_id=officer.id, window=window, distance_m=round(distance, 1)),
        clock=clock,
        resource_id=post.id,
        org_path=post.org_path,
    )
    return row


# (field, reason code, message zh, message en) of a clock-in that does not count.
Refusal = tuple[str, str, str, str]


def _refusal(
    post: Post,
    clock_in_in: ClockInCreate,
    *,
    at: datetime,
    now: datetime,
    distance: float,
    window: str | None,
    settings: DutySettings,
) -> Refusal | None:
    """Why a clock-in does not count (the first reason found), or None when it counts."""
    if abs((at - now).total_seconds()) > settings.clock_in_max_skew_s:
        return (
            "at",
            "clock_skew",
            "设备时间与服务器时间相差过大，请校准时间后重试",
            "the device time is too far from the server's; correct it and retry",
        )
    if clock_in_in.accuracy_m > settings.clock_in_max_accuracy_m:
        return (
            "accuracy_m",
            "imprecise",
            f"定位精度不足（{clock_in_in.accuracy_m:.0f}米，要求{settings.clock_in_max_accuracy_m:.0f}米以内）",
            f"the position fix is too imprecise ({clock_in_in.accuracy_m:.0f} m; "
            f"{settings.clock_in_max_accuracy_m:.0f} m or better needed)",
        )
    if window is None:
        spans = "、".join(f"{a}-{b}" for a, b in post.windows)
        return (
            "at",
            "outside_window",
            f"不在岗位时段内（{spans}，上学日）",
            f"outside the post's time window ({spans.replace('、', ', ')}, on its days)",
        )
    if distance > post.radius_m:
        return (
            "lng",
            "outside_geofence",
            f"不在岗位范围内：距岗位{distance:.0f}米，允许{post.radius_m:.0f}米",
            f"outside the post's geofence: {distance:.0f} m from the post, "
            f"{post.radius_m:.0f} m allowed",
        )
    return None


def _refuse(session: Session, row: ClockIn, refusal: Refusal) -> NoReturn:
    """Keep the refused attempt (committed despite the error) and raise its reason."""
    session.flush()
    session.info["commit_on_error"] = True
    raise Invalid(
        refusal[0],
        refusal[2],
        refusal[3],
        reason=refusal[1],
        distance_m=row.distance_m,
        clock_in_id=row.id,
    )


def compliance(
    *,
    session: Session,
    actor: Actor,
    day: date,
    kind: str = "school_post",
    station_code: str | None = None,
) -> ComplianceReport:
    """Per post window of a day: officers required, officers who clocked in; per station rates."""
    stmt = actor.scope(select(Post).where(Post.kind == kind), Post.org_path)
    if station_code:
        stmt = stmt.where(Post.station_code == station_code)
    posts = [
        p
        for p in session.scalars(stmt.order_by(Post.station_code, Post.id))
        if day.isoweekday() in p.weekdays
    ]
    present = _present(session, day, [p.id for p in posts])
    rows: list[ComplianceRow] = []
    for p in posts:
        for start, end in p.windows:
            w = f"{start}-{end}"
            n = len(present[(p.id, w)])
            rows.append(
                ComplianceRow(
                    post_id=p.id,
                    name_zh=p.name_zh,
                    station_code=p.station_code,
                    window=w,
                    required=p.required_officers,
                    present=n,
                    met=n >= p.required_officers,
                )
            )
    met = sum(r.met for r in rows)
    return ComplianceReport(
        day=day,
        school_day=day.isoweekday() <= 5,
        windows=len(rows),
        met=met,
        rate=round(met / len(rows), 4) if rows else 0.0,
        rows=rows,
        stations=_station_rates(session, rows),
    )


def _present(session: Session, day: date, ids: list[str]) -> dict[tuple[str, str], set[str]]:
    """(post, window) -> officers whose clock-in of the day counted."""
    present: dict[tuple[str, str], set[str]] = defaultdict(set)
    for chunk in range(0, len(ids), 500):
        for post_id, window, officer_id in session.execute(
            select(ClockIn.post_id, ClockIn.window, ClockIn.officer_id).where(
                ClockIn.day == day,
                ClockIn.accepted.is_(True),
                ClockIn.post_id.in_(ids[chunk : chunk + 500]),
            )
        ):
            present[(post_id, window)].add(officer_id)
    return present


def _station_rates(session: Session, rows: list[ComplianceRow]) -> list[StationCompliance]:
    """Per station, the share of its windows already due that were met."""
    names = {
        s.code: s.name_zh
        for s in session.scalars(
            select(Station).where(Station.code.in_({r.station_code for r in rows}))
        )
    }
    per_station: dict[str, list[ComplianceRow]] = defaultdict(list)
    for r in rows:
        if r.due:
            per_station[r.station_code].append(r)
    return [
        StationCompliance(
            station_code=code,
            station_name_zh=names.get(code, code),
            windows=len(items),
            met=sum(r.met for r in items),
            rate=round(sum(r.met for r in items) / len(items), 4),
        )
        for code, items in sorted(per_station.items())
    ]


def local_window_bounds(day: date, window: list[str]) -> tuple[datetime, datetime]:
    """A window of a day as aware instants (Asia/Shanghai)."""
    start = datetime.combine(day, time(0), tzinfo=SHANGHAI) + timedelta(minutes=_minutes(window[0]))
    end = datetime.combine(day, time(0), tzinfo=SHANGHAI) + timedelta(minutes=_minutes(window[1]))
    return start, end
