"""Posts: school-gate clock-in inside the geofence and window, and compliance."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import select

from tests.conftest import login_as
from tests.duty.helpers import staff
from yanyun.core.clock import SHANGHAI
from yanyun.duty.models import ClockIn, Officer, Post


def test_school_gate_clock_in_counts_only_inside_geofence_and_window(
    runtime, session, client, clock
):
    codes = staff(runtime, session, clock)
    post = session.scalars(
        select(Post)
        .where(Post.kind == "school_post", Post.station_code.in_(codes))
        .order_by(Post.id)
    ).first()
    start = post.windows[0][0]
    clock.set(datetime(2026, 11, 23, int(start[:2]), int(start[3:]) + 5, tzinfo=SHANGHAI))
    officer = session.scalars(
        select(Officer).where(Officer.station_code == post.station_code)
    ).first()
    user = login_as(client, "duty")
    url = f"/api/v1/duty/posts/{post.id}/clock-ins"
    base = {"officer_id": officer.id, "accuracy_m": 10, "at": clock.now().isoformat()}
    inside = client.post(
        url, headers=user.headers, json={**base, "lng": post.lng + 0.0003, "lat": post.lat}
    )
    assert inside.status_code == 201, inside.text
    assert inside.json()["accepted"] and inside.json()["distance_m"] < post.radius_m
    outside = client.post(
        url, headers=user.headers, json={**base, "lng": post.lng + 0.01, "lat": post.lat}
    )
    assert outside.status_code == 422
    err = outside.json()["error"]
    assert err["field"] == "lng" and err["details"]["reason"] == "outside_geofence"
    assert "米" in err["message"]["zh-CN"] and "geofence" in err["message"]["en"]
    late = (clock.now() + timedelta(hours=4)).isoformat()
    clock.advance(timedelta(hours=4))
    wrong_time = client.post(
        url, headers=user.headers, json={**base, "at": late, "lng": post.lng, "lat": post.lat}
    )
    assert (
        wrong_time.status_code == 422
        and wrong_time.json()["error"]["details"]["reason"] == "outside_window"
    )
    ids = [
        inside.json()["id"],
        outside.json()["error"]["details"]["clock_in_id"],
        wrong_time.json()["error"]["details"]["clock_in_id"],
    ]
    kept = Counter(session.scalars(select(ClockIn.accepted).where(ClockIn.id.in_(ids))))
    assert kept == {True: 1, False: 2}
    report = client.get(
        "/api/v1/duty/compliance",
        params={"day": "2026-11-23", "station_code": post.station_code},
        headers=user.headers,
    ).json()
    row = next(
        r for r in report["rows"] if r["post_id"] == post.id and r["window"].startswith(start)
    )
    assert row["present"] >= 1 and report["stations"][0]["windows"] >= 2
