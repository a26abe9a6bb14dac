"""The risk register: overdue checks become tasks, coverage counted, scope enforced."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.bus import consumers_from_now
from tests.conftest import login_as
from tests.oversight.helpers import API, station_of, tasks_made
from yanyun.oversight import risks
from yanyun.oversight.models import SupervisedTask


def test_overdue_risk_inspection_becomes_one_task_and_coverage_counts_it(
    client, runtime, session, clock
):
    consumers_from_now(session, clock, "oversight.tasks")
    session.commit()
    chief = login_as(client, "chief")
    station = station_of(session, "chief")
    point = {"name": "雁峰区农贸市场", "kind": "place", "category": "crowd", "level": 2,
             "owner_name": "民警 周", "org_code": station.code, "cadence_days": 7}
    first = client.post(f"{API}/risks", headers=chief.headers, json=point)
    assert first.status_code == 201, first.text
    second = client.post(f"{API}/risks", headers=chief.headers,
                         json={**point, "name": "学生上下学路线", "kind": "route",
                               "category": "traffic", "cadence_days": 30})
    first, second = first.json(), second.json()

    clock.advance(timedelta(days=7, minutes=1))
    assert risks.scan_overdue(session=session, clock=clock) == 1
    assert risks.scan_overdue(session=session, clock=clock) == 0  # announced once per due time
    assert tasks_made(runtime, session) == 1
    task = session.scalars(select(SupervisedTask).where(
        SupervisedTask.source == "risk_check_due")).one()
    assert "农贸市场" in task.title and task.owner_org_code == station.code
    session.commit()

    chief = login_as(client, "chief")
    cover = {r["org_code"]: r for r in client.get(f"{API}/risk-coverage",
                                                  headers=chief.headers).json()}
    assert (cover[station.code]["risk_points"], cover[station.code]["on_time"]) == (2, 1)
    overdue = client.get(f"{API}/risks", headers=chief.headers, params={"overdue": True}).json()
    assert [p["id"] for p in overdue["items"]] == [first["id"]]

    # An unannounced check (暗访) that fails is a finding, and resets the cadence.
    resp = client.post(f"{API}/risks/{first['id']}/checks", headers=chief.headers,
                       json={"kind": "unannounced", "passed": False, "findings": "消防通道堵塞"})
    assert resp.status_code == 201 and resp.json()["on_time"] is False
    assert tasks_made(runtime, session) == 1
    checks = client.get(f"{API}/risks/{first['id']}/checks", headers=chief.headers).json()
    assert [c["kind"] for c in checks] == ["unannounced"]
    cover = {r["org_code"]: r for r in client.get(f"{API}/risk-coverage",
                                                  headers=chief.headers).json()}
    assert cover[station.code]["on_time"] == 2
    assert second["cadence_days"] == 30


def test_risk_point_outside_scope_or_unknown_category_is_refused(client, session):
    chief = login_as(client, "chief")
    station = station_of(session, "chief")
    base = {"name": "加油站", "kind": "enterprise", "category": "hazmat", "level": 1,
            "owner_name": "民警 周", "org_code": station.code, "cadence_days": 14}
    for override, field in (({"category": "ufo"}, "category"),
                            ({"org_code": station.parent_code}, "org_code"),
                            ({"level": 9}, "level"), ({"kind": "planet"}, "kind")):
        resp = client.post(f"{API}/risks", headers=chief.headers, json={**base, **override})
        assert resp.status_code == 422, (override, resp.text)
        assert resp.json()["error"]["field"] == field
