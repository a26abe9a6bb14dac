"""Results counted from cases and anti-fraud records: 破案数, 刑拘数, 追赃挽损, 预警, 劝阻, 止损."""

from datetime import timedelta

from sqlalchemy import select

from tests.conftest import START, login_as
from tests.yardstick.helpers import shanghai
from yanyun.antifraud.models import FraudWarning
from yanyun.auth.models import OrgUnit
from yanyun.core.ids import new_id
from yanyun.geo.models import Station


def _warning(session, clock, *, org_path, received, closed=None, outcome=None, stopped=0.0):
    n = new_id(clock)
    session.add(FraudWarning(
        id=n, number=f"W{n[-10:]}", source="national", sender_ref=n, batch_id=n,
        received_at=received, victim_name="张三", victim_phone="13800000000", lng=112.6,
        lat=26.9, district_code=org_path.split("/")[1], station_code=org_path.split("/")[2],
        grid_code="", org_path=org_path, fraud_type="刷单返利", grade="high", score=9,
        rules_version="t", grade_reasons=[], phone_due_at=received, visit_due_at=received,
        status="closed" if closed else "open", outcome=outcome, closed_at=closed,
        stopped_yuan=stopped,
    ))


def test_solved_cases_and_closed_warnings_of_the_month_count(client, session, clock):
    analyst = login_as(client, "analyst").headers
    clock.set(shanghai(2026, 10, 15))
    case = client.post("/api/v1/cases", headers=analyst,
                       json={"kind": "criminal", "title": "入室盗窃系列案"}).json()
    solved = client.post(f"/api/v1/cases/{case['id']}/status", headers=analyst, json={
        "status": "solved", "suspects_detained": 2, "amount_recovered_yuan": 5000})
    assert solved.status_code == 200, solved.text
    station = session.scalars(select(Station).order_by(Station.code)).first()
    org_path = session.get(OrgUnit, station.code).path
    october = shanghai(2026, 10, 10)
    _warning(session, clock, org_path=org_path, received=october,
             closed=october + timedelta(hours=1), outcome="dissuaded")
    _warning(session, clock, org_path=org_path, received=october,
             closed=october + timedelta(hours=2), outcome="defrauded", stopped=1200.0)
    _warning(session, clock, org_path=org_path, received=shanghai(2025, 10, 3))
    session.flush()
    clock.set(START)
    admin = login_as(client, "admin").headers
    view = client.get("/api/v1/kpi", headers=admin, params={"month": "2026-10"}).json()
    got = {i["id"]: i for i in view["indicators"]}
    assert got["cases_solved"]["value"] == 1 and got["cases_solved"]["records"] == 1
    assert got["detained"]["value"] == 2 and got["recovered"]["value"] == 5000
    assert got["fraud_warnings"]["value"] == 2 and got["fraud_warnings"]["last_year"] == 1
    assert got["fraud_warnings"]["yoy"] == 1.0 and got["fraud_warnings"]["better"] is True
    assert got["fraud_dissuaded"]["value"] == 1
    assert got["losses_stopped"]["value"] == 1200
    station_view = client.get("/api/v1/kpi", headers=admin,
                              params={"month": "2026-10", "org": station.code}).json()
    by_id = {i["id"]: i for i in station_view["indicators"]}
    assert by_id["fraud_warnings"]["value"] == 2
