"""Duty levels: raised over a station, leave flagged and cancelled."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from tests.conftest import login_as
from tests.duty.helpers import staff
from yanyun.duty.models import Officer


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
