"""Level staffing: requirements by skill, certification and post against the roster."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.conftest import login_as
from tests.duty.helpers import staff
from yanyun.duty import crews
from yanyun.duty.models import Officer, RosterEntry, Shift


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
        lv.officer_id for lv in crews.on_leave(session, None, shift.starts_at, shift.ends_at)
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
