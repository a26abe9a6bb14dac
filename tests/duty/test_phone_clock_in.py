"""Clock-in from the officer's own phone: as the officer the account belongs to, at the
posts of their station, by the posts' own rules."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from tests.conftest import login_as
from tests.duty.helpers import staff
from yanyun.auth.models import User
from yanyun.core.clock import SHANGHAI
from yanyun.duty.models import ClockIn, Officer, Post
from yanyun.duty.phone import link_demo_officers


def test_an_officer_clocks_in_at_a_school_gate_from_their_phone(
    runtime, session, client, clock
) -> None:
    staff(runtime, session, clock)
    assert link_demo_officers(session) == 2
    session.commit()
    user_id = session.scalar(select(User.id).where(User.username == "officer"))
    me = session.scalar(select(Officer).where(Officer.user_id == user_id))
    post = session.scalars(
        select(Post).where(Post.kind == "school_post", Post.station_code == me.station_code)
        .order_by(Post.id)
    ).first()
    start = post.windows[0][0]
    clock.set(datetime(2026, 11, 23, int(start[:2]), int(start[3:]) + 5, tzinfo=SHANGHAI))
    phone = login_as(client, "officer").headers

    listed = client.get("/api/v1/duty/me/posts", headers=phone,
                        params={"lng": post.lng, "lat": post.lat}).json()
    assert listed["officer_id"] == me.id
    distances = [p["distance_m"] for p in listed["posts"]]
    assert distances == sorted(distances)
    mine = next(p for p in listed["posts"] if p["id"] == post.id)
    assert mine["distance_m"] == 0
    assert mine["window_now"] == f"{post.windows[0][0]}-{post.windows[0][1]}"

    at = clock.now().isoformat()
    here = client.post("/api/v1/duty/me/clock-ins", headers=phone, json={
        "post_id": post.id, "lng": post.lng + 0.0002, "lat": post.lat, "accuracy_m": 12, "at": at})
    assert here.status_code == 201, here.text
    assert here.json()["accepted"] and here.json()["officer_id"] == me.id
    away = client.post("/api/v1/duty/me/clock-ins", headers=phone, json={
        "post_id": post.id, "lng": post.lng + 0.02, "lat": post.lat, "accuracy_m": 12, "at": at})
    assert away.status_code == 422
    assert away.json()["error"]["details"]["reason"] == "outside_geofence"
    # The phone names no officer: it cannot clock a colleague in.
    other = client.post("/api/v1/duty/me/clock-ins", headers=phone, json={
        "post_id": post.id, "lng": post.lng, "lat": post.lat, "accuracy_m": 12, "at": at,
        "officer_id": "O-SOMEONE-ELSE"})
    assert other.status_code == 422

    again = client.get("/api/v1/duty/me/posts", headers=phone,
                       params={"lng": post.lng, "lat": post.lat}).json()
    today = next(p for p in again["posts"] if p["id"] == post.id)["clock_ins_today"]
    assert [c["accepted"] for c in today] == [True, False]
    assert today[1]["reason"]
    # Both attempts kept, under the phone's officer.
    ids = [here.json()["id"], away.json()["error"]["details"]["clock_in_id"]]
    kept = list(session.scalars(select(ClockIn.officer_id).where(ClockIn.id.in_(ids))))
    assert kept == [me.id, me.id]


def test_an_account_without_an_officer_record_is_told_so(runtime, session, client, clock):
    staff(runtime, session, clock, n=1)
    duty = login_as(client, "duty").headers
    resp = client.get("/api/v1/duty/me/posts", headers=duty)
    assert resp.status_code == 403
    assert "警员档案" in resp.json()["error"]["message"]["zh-CN"]


def test_a_patrol_checks_in_at_a_named_point_at_any_hour(runtime, session, client, clock):
    staff(runtime, session, clock)
    link_demo_officers(session)
    session.commit()
    user_id = session.scalar(select(User.id).where(User.username == "officer"))
    me = session.scalar(select(Officer).where(Officer.user_id == user_id))
    points = list(session.scalars(select(Post).where(
        Post.kind == "patrol_point", Post.station_code == me.station_code).order_by(Post.id)))
    assert len(points) == 2 and all("巡逻必到点" in p.name_zh for p in points)
    clock.set(datetime(2026, 11, 22, 2, 30, tzinfo=SHANGHAI))  # a Sunday, small hours
    phone = login_as(client, "officer").headers
    listed = client.get("/api/v1/duty/me/posts", headers=phone,
                        params={"lng": points[0].lng, "lat": points[0].lat}).json()
    first = next(p for p in listed["posts"] if p["id"] == points[0].id)
    assert first["kind"] == "patrol_point" and first["window_now"] == "00:00-24:00"
    resp = client.post("/api/v1/duty/me/clock-ins", headers=phone, json={
        "post_id": points[0].id, "lng": points[0].lng, "lat": points[0].lat + 0.0004,
        "accuracy_m": 15, "at": clock.now().isoformat()})
    assert resp.status_code == 201 and resp.json()["accepted"], resp.text
