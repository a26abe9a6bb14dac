"""Working warnings: scope per station, contacts and outcomes, 止付冻结, audited victim reads,
overdue warnings becoming supervised tasks, repeat victims and accounts."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.antifraud.helpers import row, signed
from tests.conftest import login_as
from yanyun.antifraud.overdue import flag_overdue
from yanyun.core.audit import AuditEntry
from yanyun.geo.models import Grid
from yanyun.oversight.models import SupervisedTask

URL = "/api/v1/antifraud/warnings"
PUSH = "/api/v1/antifraud/push"


def _station(client, login) -> str:
    return client.get("/api/v1/auth/me", headers=login.headers).json()["user"]["org_code"]


def _grid_of(session, station: str, *, other: bool = False) -> Grid:
    cond = Grid.station_code != station if other else Grid.station_code == station
    return session.scalars(select(Grid).where(cond).order_by(Grid.code)).first()


def _push(client, settings, rows):
    body, headers = signed(settings.antifraud.push_secret, {"source": "96110", "warnings": rows})
    resp = client.post(PUSH, content=body, headers=headers)
    assert resp.status_code == 201, resp.text
    return resp.json()


def _warnings(client, login, **params):
    return {w["number"]: w for w in client.get(URL, headers=login.headers, params=params).json()}


def test_a_station_sees_only_its_own_warnings(client, session, settings):
    officer = login_as(client, "officer")
    station = _station(client, officer)
    _push(client, settings, [row(_grid_of(session, station), "S1"),
                             row(_grid_of(session, station, other=True), "S2",
                                 victim_phone="13900001111")])
    admin = login_as(client, "admin")
    every = _warnings(client, admin)
    mine = _warnings(client, officer)
    assert len(every) == 2 and len(mine) == 1
    [own] = mine.values()
    foreign = next(w for w in every.values() if w["id"] != own["id"])
    assert own["station_code"] == station
    for method, path, body in (
        ("GET", f"{URL}/{foreign['id']}", None),
        ("POST", f"{URL}/{foreign['id']}/contacts", {"channel": "phone", "reached": True}),
        ("POST", f"{URL}/{foreign['id']}/victim", {"purpose": "联系受害人劝阻"}),
    ):
        assert client.request(method, path, json=body,
                              headers=officer.headers).status_code == 404
    assert _warnings(client, officer, station_code=foreign["station_code"]) == {}
    assert client.get(URL, headers=login_as(client, "opinion").headers).status_code == 403


def test_a_warning_is_contacted_and_dissuaded(client, session, settings, clock):
    officer = login_as(client, "officer")
    _push(client, settings, [row(_grid_of(session, _station(client, officer)))])
    [warning] = _warnings(client, officer).values()
    url = f"{URL}/{warning['id']}"
    early = client.post(f"{url}/outcome", headers=officer.headers, json={"outcome": "dissuaded"})
    assert early.status_code == 422 and early.json()["error"]["message"]["zh-CN"]
    clock.advance(timedelta(minutes=4))
    called = client.post(f"{url}/contacts", headers=officer.headers,
                         json={"channel": "phone", "reached": True, "note": "已电话提醒"})
    assert called.status_code == 201
    assert called.json()["first_phone_at"] < warning["phone_due_at"]
    assert called.json()["contacts"][0]["by"] == "officer"
    done = client.post(f"{url}/outcome", headers=officer.headers, json={"outcome": "dissuaded"})
    assert done.status_code == 200 and done.json()["status"] == "closed"
    again = client.post(f"{url}/contacts", headers=officer.headers,
                        json={"channel": "phone", "reached": True})
    assert again.status_code == 409
    figures = client.get("/api/v1/antifraud/figures", headers=officer.headers).json()
    assert figures["today"]["warnings"] == 1 and figures["today"]["dissuaded"] == 1


def test_a_defrauded_person_gets_a_stop_payment_with_the_amount_stopped(client, session,
                                                                       settings):
    chief = login_as(client, "chief")
    _push(client, settings, [row(_grid_of(session, _station(client, chief)))])
    [warning] = _warnings(client, chief).values()
    url = f"{URL}/{warning['id']}"
    client.post(f"{url}/contacts", headers=chief.headers, json={"channel": "visit",
                                                                "reached": True})
    too_much = client.post(f"{url}/stop-payment", headers=chief.headers, json={
        "bank": "工商银行", "account": "6222020000001111", "amount_lost_yuan": 100,
        "amount_stopped_yuan": 200})
    assert too_much.status_code == 422
    stopped = client.post(f"{url}/stop-payment", headers=chief.headers, json={
        "bank": "工商银行", "account": "6222020000001111", "amount_lost_yuan": 50000,
        "amount_stopped_yuan": 32000})
    assert stopped.status_code == 201, stopped.text
    assert stopped.json()["outcome"] == "defrauded" and stopped.json()["stopped_yuan"] == 32000
    figures = client.get("/api/v1/antifraud/figures", headers=chief.headers).json()
    assert figures["today"]["stopped_yuan"] == 32000 and figures["month"]["defrauded"] == 1
    assert figures["half_year"]["day"] == "2026H2" and figures["half_year"]["stopped_yuan"] == 32000


def test_the_victims_full_data_is_read_audited_and_bound_to_the_warning(client, session,
                                                                       settings):
    officer = login_as(client, "officer")
    _push(client, settings, [row(_grid_of(session, _station(client, officer)))])
    [warning] = _warnings(client, officer).values()
    url = f"{URL}/{warning['id']}"
    read = client.post(f"{url}/victim", headers=officer.headers,
                       json={"purpose": "电话联系受害人劝阻"})
    assert read.status_code == 200, read.text
    assert read.json()["phone"] == "13807341234" and read.json()["name"] == "张桂英"
    [entry] = session.scalars(select(AuditEntry).where(
        AuditEntry.action == "read_personal",
        AuditEntry.resource_type == "antifraud_warning")).all()
    assert entry.case_number == warning["number"] and entry.username == "officer"
    assert client.post(f"{url}/victim", headers=officer.headers,
                       json={"purpose": "xxxx"}).status_code == 422
    # Supervisors read the desk but handle no warning: no full data for them.
    assert client.post(f"{url}/victim", headers=login_as(client, "supervisor").headers,
                       json={"purpose": "电话联系受害人劝阻"}).status_code == 403
    client.post(f"{url}/contacts", headers=officer.headers, json={"channel": "phone",
                                                                  "reached": False})
    client.post(f"{url}/outcome", headers=officer.headers, json={"outcome": "unreachable"})
    closed = client.post(f"{url}/victim", headers=officer.headers,
                         json={"purpose": "电话联系受害人劝阻"})
    assert closed.status_code == 422 and closed.json()["error"]["field"] == "case_number"


def test_an_overdue_warning_becomes_one_supervised_task(client, session, settings, clock,
                                                        runtime):
    from tests.bus import consumers_from_now, drain

    consumers_from_now(session, clock, "oversight.tasks")
    session.commit()
    officer = login_as(client, "officer")
    station = _station(client, officer)
    _push(client, settings, [row(_grid_of(session, station))])
    assert flag_overdue(session=session, clock=clock, settings=settings.antifraud) == 0
    clock.advance(timedelta(minutes=11))
    assert flag_overdue(session=session, clock=clock, settings=settings.antifraud) == 1
    assert flag_overdue(session=session, clock=clock, settings=settings.antifraud) == 0
    session.commit()
    assert drain(runtime, "oversight.tasks", session=session) == 1
    [task] = session.scalars(select(SupervisedTask).where(
        SupervisedTask.source == "requested")).all()
    [warning] = _warnings(client, officer).values()
    assert task.owner_org_code == station and warning["number"] in task.title
    assert warning["overdue_at"] is not None


def test_repeat_victims_and_suspect_accounts_are_flagged(client, session, settings):
    admin = login_as(client, "admin")
    g = _grid_of(session, _station(client, admin), other=True)
    _push(client, settings, [row(g, "A1")])
    _push(client, settings, [row(g, "A2", victim_id_number="", fraud_type="刷单返利",
                                 amount_yuan=0, suspect_account="other-account")])
    _push(client, settings, [row(g, "A3", victim_phone="13600000000",
                                 victim_id_number="")])
    flags = {w["number"][-1]: (w["repeat_victim"], w["repeat_suspect"])
             for w in _warnings(client, admin).values()}
    assert flags == {"1": (False, False), "2": (True, False), "3": (False, True)}
