"""Duty: staffing, crews that make units available, swaps, duty levels, clock-in."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

import numpy as np
from sqlalchemy import func, select

from tests.conftest import login_as
from tests.duty.helpers import apply_crewing, staff
from yanyun.command.models import Unit
from yanyun.core import events
from yanyun.core.audit import AuditEntry
from yanyun.core.clock import SHANGHAI
from yanyun.duty import service
from yanyun.duty.models import ClockIn, Officer, Post, RosterEntry, Shift, UnitCrew
from yanyun.geo.models import Station
from yanyun.geo.travel import GreatCircleEstimator
from yanyun.tidal.planning import greedy_max_coverage, plan_hours


def _current_entries(session, unit_id, now):
    return list(
        session.scalars(
            select(RosterEntry)
            .join(Shift, Shift.id == RosterEntry.shift_id)
            .where(RosterEntry.unit_id == unit_id, Shift.starts_at <= now, Shift.ends_at > now)
        )
    )


def test_stations_staffed_by_grade_with_contacts_masked_and_audited(
    runtime, session, client, clock
):
    codes = staff(runtime, session, clock)
    grades = {
        s.code: s.grade for s in session.scalars(select(Station).where(Station.code.in_(codes)))
    }
    counts = Counter(session.execute(select(Officer.station_code, Officer.kind)).all())
    for code in codes:
        lo, hi = {1: (30, 40), 2: (22, 30), 3: (15, 22)}[grades[code]]
        assert lo <= counts[(code, "police")] <= hi
        assert counts[(code, "auxiliary")] >= lo
    duty = login_as(client, "duty")
    page = client.get(
        "/api/v1/duty/officers", params={"station_code": codes[0]}, headers=duty.headers
    )
    assert page.status_code == 200
    item = page.json()["items"][0]
    assert "*" in item["phone_masked"] and "phone" not in item
    url = f"/api/v1/duty/officers/{item['id']}/contact"
    refused = client.get(url, headers=duty.headers)
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "case_number"
    full = client.get(
        url, params={"case_number": "A2026-11", "purpose": "紧急联系当班民警"}, headers=duty.headers
    )
    assert full.status_code == 200 and "*" not in full.json()["phone"]
    logged = session.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.action == "read_personal", AuditEntry.resource_id == item["id"])
    )
    assert logged == 1


def test_unit_available_only_while_someone_on_duty_crews_it(runtime, session, client, clock):
    codes = staff(runtime, session, clock)
    unit = session.scalars(
        select(Unit)
        .where(Unit.station_code == codes[0], Unit.kind == "patrol_car")
        .order_by(Unit.id)
    ).first()
    assert unit.status == "available" and unit.crew
    duty = login_as(client, "duty")
    entries = _current_entries(session, unit.id, clock.now())
    for e in entries:
        assert (
            client.delete(f"/api/v1/duty/entries/{e.id}", headers=duty.headers).status_code == 204
        )
    apply_crewing(runtime, session)
    session.refresh(unit)
    assert unit.status == "out_of_service" and unit.crew == []
    # Crewing it again from the reserve of the shift brings it back.
    shift_id = entries[0].shift_id
    busy = set(
        session.scalars(select(RosterEntry.officer_id).where(RosterEntry.shift_id == shift_id))
    )
    spare = session.scalars(
        select(Officer).where(Officer.station_code == codes[0], Officer.id.not_in(busy))
    ).first()
    resp = client.post(
        f"/api/v1/duty/shifts/{shift_id}/entries",
        json={"officer_id": spare.id, "unit_id": unit.id},
        headers=duty.headers,
    )
    assert resp.status_code == 201, resp.text
    apply_crewing(runtime, session)
    session.refresh(unit)
    assert unit.status == "available" and unit.crew == [spare.id]


def test_shift_change_on_the_clock_hands_units_to_the_next_team(runtime, session, clock):
    codes = staff(runtime, session, clock)
    before = {c.unit_id: list(c.crew) for c in session.scalars(select(UnitCrew))}
    clock.advance(timedelta(hours=12))  # 21:00: the night team is on
    last = events.latest_event_id(session)
    crewed, uncrewed = service.apply_shift_changes(session, clock)
    session.commit()  # the events are written with the shift change's transaction
    # One event per station, listing every unit it re-crews, not one per unit.
    announced = events.events_after(session, after_id=last)
    assert sorted(e.resource_id for e in announced) == sorted(codes)
    assert {e.kind for e in announced} == {"duty.crews_changed"}
    listed = [c["unit_id"] for e in announced for c in e.payload["crewed"]]
    assert len(listed) == len(set(listed)) == crewed > len(codes)
    assert sum(len(e.payload["uncrewed"]) for e in announced) == uncrewed
    assert apply_crewing(runtime, session) == crewed + uncrewed
    unit = session.scalars(
        select(Unit).where(Unit.station_code == codes[0]).order_by(Unit.id)
    ).first()
    assert unit.crew and set(unit.crew).isdisjoint(before[unit.id])
    teams = set(session.scalars(select(Officer.team).where(Officer.id.in_(unit.crew))))
    assert teams == {service.team_on(date(2026, 11, 23), "night")}


def test_swap_takes_effect_only_when_approved(runtime, session, client, clock):
    codes = staff(runtime, session, clock)
    unit = session.scalars(
        select(Unit).where(Unit.station_code == codes[0]).order_by(Unit.id)
    ).first()
    entry = _current_entries(session, unit.id, clock.now())[0]
    busy = set(
        session.scalars(
            select(RosterEntry.officer_id).where(RosterEntry.shift_id == entry.shift_id)
        )
    )
    other = session.scalars(
        select(Officer).where(Officer.station_code == codes[0], Officer.id.not_in(busy))
    ).first()
    officer = login_as(client, "officer")
    resp = client.post(
        "/api/v1/duty/swaps",
        json={"entry_id": entry.id, "to_officer_id": other.id, "reason": "家中有事"},
        headers=officer.headers,
    )
    assert resp.status_code == 201, resp.text
    swap = resp.json()
    assert swap["status"] == "pending"
    session.refresh(entry)
    assert entry.officer_id == swap["from_officer_id"]
    denied = client.post(
        f"/api/v1/duty/swaps/{swap['id']}/decision", json={"approve": True}, headers=officer.headers
    )
    assert denied.status_code == 403
    duty = login_as(client, "duty")
    ok = client.post(
        f"/api/v1/duty/swaps/{swap['id']}/decision", json={"approve": True}, headers=duty.headers
    )
    assert ok.status_code == 200 and ok.json()["status"] == "approved"
    apply_crewing(runtime, session)
    session.refresh(unit)
    assert other.id in unit.crew and swap["from_officer_id"] not in unit.crew


def test_level_two_shows_shortfall_and_flags_leave_to_cancel(runtime, session, client, clock):
    codes = staff(runtime, session, clock)
    duty = login_as(client, "duty")
    officer = session.scalars(select(Officer).where(Officer.station_code == codes[0])).first()
    now = clock.now()
    leave = client.post(
        "/api/v1/duty/leave",
        headers=duty.headers,
        json={
            "officer_id": officer.id,
            "kind": "annual",
            "starts_at": now.isoformat(),
            "ends_at": (now + timedelta(days=2)).isoformat(),
        },
    )
    assert leave.status_code == 201, leave.text
    body = {
        "area_kind": "station",
        "area_code": codes[0],
        "level": "level_2",
        "starts_at": (now - timedelta(hours=1)).isoformat(),
        "ends_at": (now + timedelta(hours=10)).isoformat(),
        "reason": "景区旅游高峰",
    }
    resp = client.post("/api/v1/duty/levels", json=body, headers=duty.headers)
    assert resp.status_code == 201, resp.text
    level = resp.json()
    strength = session.scalar(
        select(func.count()).select_from(Officer).where(Officer.station_code == codes[0])
    )
    assert level["label_zh"] == "二级勤务" and level["strength"] == strength
    assert level["required_per_shift"] == -(-6 * strength // 10)
    assert level["shortfall"] > 0 and level["shifts"]
    assert level["cancel_leave"] and officer.id in {
        lv["officer_id"] for lv in level["leave_to_cancel"]
    }
    done = client.post(f"/api/v1/duty/levels/{level['id']}/cancel-leave", headers=duty.headers)
    assert done.status_code == 200 and done.json()["cancelled"] >= 1
    after = client.get(f"/api/v1/duty/levels/{level['id']}", headers=duty.headers).json()
    assert after["leave_to_cancel"] == []
    bad = client.post(
        "/api/v1/duty/levels", headers=duty.headers, json={**body, "ends_at": body["starts_at"]}
    )
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "ends_at"


def test_level_requirements_by_skill_certification_and_post_show_their_shortfall(
    runtime,
    session, client, clock
):
    codes = staff(runtime, session, clock)
    duty = login_as(client, "duty")
    now = clock.now()
    body = {
        "area_kind": "station",
        "area_code": codes[0],
        "level": "level_2",
        "starts_at": (now - timedelta(hours=1)).isoformat(),
        "ends_at": (now + timedelta(hours=1)).isoformat(),
        "reason": "大型活动安保",
    }
    # Without requirements the level takes the settings' per-station defaults.
    default = client.post("/api/v1/duty/levels", json=body, headers=duty.headers).json()
    template = client.get("/api/v1/duty/requirements", headers=duty.headers).json()
    assert [(r["kind"], r["code"], r["required"]) for r in default["requirements"]] == [
        (r["kind"], r["code"], r["count"]) for r in template["defaults_per_station"]["level_2"]
    ]
    wanted = [
        {"kind": "skill", "code": "firearms", "count": 500},
        {"kind": "certification", "code": "急救员证", "count": 1},
        {"kind": "post", "code": "reserve", "count": 1},
        {"kind": "post", "code": "quick_response", "count": 1},
    ]
    resp = client.post(
        "/api/v1/duty/levels", json={**body, "requirements": wanted}, headers=duty.headers
    )
    assert resp.status_code == 201, resp.text
    level = resp.json()
    # Count by hand who is on the current shift of the station, not on leave.
    shift = session.scalars(
        select(Shift).where(
            Shift.station_code == codes[0], Shift.starts_at <= now, Shift.ends_at > now
        )
    ).one()
    away = {
        lv.officer_id for lv in service.on_leave(session, None, shift.starts_at, shift.ends_at)
    }
    on_duty = [
        (e, o)
        for e, o in session.execute(
            select(RosterEntry, Officer)
            .join(Officer, Officer.id == RosterEntry.officer_id)
            .where(RosterEntry.shift_id == shift.id, RosterEntry.attendance != "absent")
        ).all()
        if o.id not in away
    ]
    armed = sum(1 for _, o in on_duty if "firearms" in o.skills)
    first_aiders = sum(1 for _, o in on_duty if "急救员证" in o.certifications)
    reserve = sum(1 for e, _ in on_duty if e.unit_id is None)
    [slot] = level["shifts"]  # the window lies inside the current day shift
    by_code = {(r["kind"], r["code"]): r for r in slot["requirements"]}
    assert by_code[("skill", "firearms")]["available"] == armed
    assert by_code[("skill", "firearms")]["shortfall"] == 500 - armed
    assert by_code[("certification", "急救员证")]["available"] == first_aiders
    assert by_code[("post", "reserve")]["available"] == reserve
    summary = {r["code"]: r for r in level["requirements"]}
    assert summary["firearms"]["label_zh"] == "持枪（武装）"
    assert summary["firearms"]["shortfall"] == 500 - armed > 0
    assert summary["quick_response"]["label_en"] == "Quick-response platforms"
    # Editing replaces them; an unknown skill is refused with its field.
    put = client.put(
        f"/api/v1/duty/levels/{level['id']}/requirements",
        json={"requirements": [{"kind": "skill", "code": "traffic", "count": 2}]},
        headers=duty.headers,
    )
    assert put.status_code == 200 and [r["code"] for r in put.json()["requirements"]] == [
        "traffic"
    ]
    bad = client.put(
        f"/api/v1/duty/levels/{level['id']}/requirements",
        json={"requirements": [{"kind": "skill", "code": "juggling", "count": 2}]},
        headers=duty.headers,
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["field"] == "requirements.0.code"


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


def test_greedy_tidal_plan_covers_at_least_the_current_placement():
    rng = np.random.default_rng(3)
    hot = np.array([[112.60, 26.90], [112.62, 26.88]])
    n = 400
    centre = hot[rng.integers(0, 2, n)]
    inc = centre + rng.normal(0, 0.004, (n, 2))
    hours = np.where(centre[:, 0] < 112.61, 21, 8)
    cand = np.column_stack([rng.uniform(112.58, 112.64, 60), rng.uniform(26.86, 26.92, 60)])
    plans = plan_hours(
        inc_lng=inc[:, 0],
        inc_lat=inc[:, 1],
        inc_hour=hours,
        target_s=np.full(n, 180.0),
        urban=np.ones(n, dtype=bool),
        cand_lng=cand[:, 0],
        cand_lat=cand[:, 1],
        current_lng=np.array([112.65, 112.56]),
        current_lat=np.array([26.93, 26.85]),
        units=2,
        estimator=GreatCircleEstimator(),
    )
    for hour in (8, 21):
        plan = plans[hour]
        assert plan.incidents > 0 and len(plan.stands) <= 2
        assert plan.share_recommended > plan.share_current
    assert plans[3].incidents == 0 and greedy_max_coverage(np.zeros((0, 5), bool), 3).size == 0


def test_unit_busy_on_an_incident_keeps_its_status_when_its_crew_goes(runtime, session, clock):
    codes = staff(runtime, session, clock)
    unit = session.scalars(
        select(Unit)
        .where(Unit.station_code == codes[0], Unit.kind == "patrol_car")
        .order_by(Unit.id)
    ).first()
    unit.status = "on_scene"
    for entry in _current_entries(session, unit.id, clock.now()):
        entry.attendance = "absent"
    session.flush()
    _, uncrewed = service.apply_shift_changes(session, clock)
    assert uncrewed == 1
    assert apply_crewing(runtime, session) == 1
    session.refresh(unit)
    assert unit.status == "on_scene" and unit.crew == []
    # Nothing changed since: nothing more is announced or applied.
    assert service.apply_shift_changes(session, clock) == (0, 0)
    assert apply_crewing(runtime, session) == 0


def test_crewing_still_applies_one_unit_events_left_in_the_outbox(runtime, session, clock):
    codes = staff(runtime, session, clock)
    unit = session.scalars(
        select(Unit).where(Unit.station_code == codes[0], Unit.status == "available")
    ).first()
    # What duty announced before it batched per station, still unread at an upgrade.
    events.emit(
        session, clock=clock, kind="duty.unit_uncrewed", resource_type="unit",
        resource_id=unit.id, org_path=unit.org_path, payload={"unit_id": unit.id, "crew": []},
    )
    session.flush()
    assert apply_crewing(runtime, session) == 1
    session.refresh(unit)
    assert unit.status == "out_of_service" and unit.crew == []


def test_a_search_for_a_percent_sign_matches_no_one(client, runtime, session, clock):
    staff(runtime, session, clock, n=1)
    duty = login_as(client, "duty")
    everyone = client.get("/api/v1/duty/officers", headers=duty.headers,
                          params={"limit": 10}).json()
    assert everyone["total"] > 0
    for wildcard in ("%", "_", "%%"):
        found = client.get("/api/v1/duty/officers", headers=duty.headers,
                           params={"q": wildcard, "limit": 10}).json()
        assert found["total"] == 0, wildcard
