"""Posts from the officer's own phone: the posts of their station, nearest first, and
a clock-in made as the officer who holds the account (护学岗, fixed posts, platforms).

The officer is the one linked to the account, never one named in the request, so a
phone cannot clock in a colleague. The rules are the posts' own (geofence, window,
a fine fix, the device's time agreeing with the server's): a clock-in is proof of
being there now, so it is never queued to be sent later.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.auth.models import User
from yanyun.auth.service import Actor
from yanyun.core.clock import SHANGHAI, Clock
from yanyun.core.errors import PermissionDenied
from yanyun.core.params import Instant
from yanyun.core.schemas import InputModel
from yanyun.duty import posts
from yanyun.duty.models import ClockIn, Officer, Post
from yanyun.duty.schemas import ClockInCreate
from yanyun.duty.settings import DutySettings

#: Posts listed on the phone at once.
POSTS_SHOWN = 20
#: Why a clock-in did not count, as the officer reads it afterwards (the row keeps the code).
REASONS = {
    "clock_skew": ("手机时间与服务器不符", "the phone's time disagreed with the server's"),
    "imprecise": ("定位精度不足", "the fix was too coarse"),
    "outside_window": ("不在打卡时段", "outside the post's windows"),
    "outside_geofence": ("不在岗位范围内", "outside the post's geofence"),
}


class PhoneClockIn(InputModel):
    """What the phone measured: where, how precisely, when."""

    post_id: str = Field(min_length=1, max_length=32)
    lng: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    accuracy_m: float = Field(ge=0, le=100_000)
    at: Instant


class MyClockIn(BaseModel):
    at: datetime
    accepted: bool
    window: str | None
    distance_m: float
    reason: str | None
    reason_zh: str | None
    reason_en: str | None


class MyPost(BaseModel):
    id: str
    kind: str
    name_zh: str
    name_en: str
    lng: float
    lat: float
    radius_m: float
    windows: list[list[str]]
    window_now: str | None
    distance_m: float | None
    clock_ins_today: list[MyClockIn]


class MyPosts(BaseModel):
    officer_id: str
    officer_name: str
    badge_no: str
    station_code: str
    posts: list[MyPost]


def own_officer(session: Session, actor: Actor) -> Officer:
    """The officer this account belongs to."""
    officer = session.scalar(
        select(Officer).where(Officer.user_id == actor.user_id, Officer.active.is_(True))
    )
    if officer is None:
        raise PermissionDenied("该账号未关联警员档案", "this account is not linked to an officer")
    return officer


def my_posts(
    *, session: Session, clock: Clock, actor: Actor, settings: DutySettings,
    lng: float | None = None, lat: float | None = None,
) -> MyPosts:
    """The officer's station's posts (nearest to the phone first) and today's clock-ins."""
    officer = own_officer(session, actor)
    now = clock.now()
    rows = list(session.scalars(select(Post).where(Post.station_code == officer.station_code)))
    if lng is not None and lat is not None:
        rows.sort(key=lambda p: posts.distance_to_post_m(p, lng, lat))
    else:
        rows.sort(key=lambda p: (p.kind != "school_post", p.id))
    rows = rows[:POSTS_SHOWN]
    today = now.astimezone(SHANGHAI).date()
    done = session.scalars(
        select(ClockIn).where(ClockIn.officer_id == officer.id, ClockIn.day == today,
                              ClockIn.post_id.in_([p.id for p in rows]))
        .order_by(ClockIn.received_at)
    )
    by_post: dict[str, list[MyClockIn]] = {}
    for c in done:
        by_post.setdefault(c.post_id, []).append(MyClockIn(
            at=c.device_at, accepted=c.accepted, window=c.window, distance_m=c.distance_m,
            reason=c.reason, reason_zh=REASONS.get(c.reason or "", (c.reason, c.reason))[0],
            reason_en=REASONS.get(c.reason or "", (c.reason, c.reason))[1]))
    return MyPosts(
        officer_id=officer.id, officer_name=officer.name_zh, badge_no=officer.badge_no,
        station_code=officer.station_code,
        posts=[MyPost(
            id=p.id, kind=p.kind, name_zh=p.name_zh, name_en=p.name_en, lng=p.lng, lat=p.lat,
            radius_m=p.radius_m, windows=[list(w) for w in p.windows],
            window_now=posts.window_at(p, now, early_min=settings.clock_in_early_min),
            distance_m=(round(posts.distance_to_post_m(p, lng, lat), 1)
                        if lng is not None and lat is not None else None),
            clock_ins_today=by_post.get(p.id, []),
        ) for p in rows],
    )


def clock_in_here(
    *, session: Session, clock: Clock, actor: Actor, settings: DutySettings, body: PhoneClockIn,
) -> ClockIn:
    """Clock in as the account's own officer; the post's rules decide whether it counts."""
    officer = own_officer(session, actor)
    return posts.clock_in(
        session=session, actor=actor, clock=clock, settings=settings, post_id=body.post_id,
        clock_in_in=ClockInCreate(officer_id=officer.id, lng=body.lng, lat=body.lat,
                                  accuracy_m=body.accuracy_m, at=body.at),
    )


def link_demo_officers(session: Session, usernames: tuple[str, ...] = ("officer", "chief")) -> int:
    """Give the demo's station accounts an officer record of their station (once each)."""
    linked = 0
    for name in usernames:
        user = session.scalar(select(User).where(User.username == name))
        if user is None or session.scalar(select(Officer.id).where(Officer.user_id == user.id)):
            continue
        officer = session.scalar(
            select(Officer)
            .where(Officer.station_code == user.org_code, Officer.kind == "police",
                   Officer.active.is_(True), Officer.user_id.is_(None))
            .order_by(Officer.id)
            .limit(1)
        )
        if officer is not None:
            officer.user_id = user.id
            linked += 1
    return linked
