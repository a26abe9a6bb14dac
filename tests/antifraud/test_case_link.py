"""A warning ended 已受骗 or 已转案件 becomes one fraud case, linked back to the warning."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.antifraud.test_work import URL, _grid_of, _push, _station, _warnings
from tests.bus import consumers_from_now, drain
from tests.conftest import login_as
from yanyun.cases.models import Case, CaseMember
from yanyun.core.cursors import set_cursor

CONSUMERS = ("cases.fraud_cases", "antifraud.cases")


def _close(client, officer, warning_id: str, outcome: str) -> None:
    url = f"{URL}/{warning_id}"
    assert client.post(f"{url}/contacts", headers=officer.headers,
                       json={"channel": "visit", "reached": True}).status_code == 201
    done = client.post(f"{url}/outcome", headers=officer.headers, json={"outcome": outcome})
    assert done.status_code == 200, done.text


def test_a_defrauded_warning_opens_one_fraud_case_linked_back(client, session, settings, clock,
                                                             runtime):
    marker = consumers_from_now(session, clock, *CONSUMERS)
    session.commit()
    officer = login_as(client, "officer")
    _push(client, settings, _rows(session, _station(client, officer)))
    [warning] = _warnings(client, officer).values()
    _close(client, officer, warning["id"], "defrauded")
    assert drain(runtime, "cases.fraud_cases", session=session) == 1
    [case] = session.scalars(select(Case).where(Case.origin_ref.is_not(None))).all()
    assert case.kind == "fraud" and case.status == "open"
    assert warning["number"] in case.title and "张**" in case.summary
    assert "张桂英" not in case.summary and "向阳街道12号" in case.summary
    assert "80,000元" in case.summary
    [member] = session.scalars(select(CaseMember).where(CaseMember.case_id == case.id)).all()
    assert member.role == "owner"
    assert (case.lng, case.lat) == (warning["lng"], warning["lat"])
    assert drain(runtime, "antifraud.cases", session=session) == 1
    linked = client.get(f"{URL}/{warning['id']}", headers=officer.headers).json()
    assert (linked["case_id"], linked["case_number"]) == (case.id, case.number)
    opened = client.get(f"/api/v1/cases/{case.id}", headers=officer.headers)
    assert opened.status_code == 200, opened.text
    # Replayed from the start: nothing new is opened, nothing new announced.
    set_cursor(session, "cases.fraud_cases", marker)
    session.commit()
    assert drain(runtime, "cases.fraud_cases", session=session) == 1
    assert session.scalar(select(func.count()).select_from(Case).where(
        Case.origin_ref.is_not(None))) == 1
    assert drain(runtime, "antifraud.cases", session=session) == 0


def test_a_warning_passed_to_a_case_opens_one_and_a_dissuaded_one_none(client, session,
                                                                       settings, clock, runtime):
    consumers_from_now(session, clock, *CONSUMERS)
    session.commit()
    officer = login_as(client, "officer")
    station = _station(client, officer)
    _push(client, settings, _rows(session, station, 2))
    first, second = _warnings(client, officer).values()
    _close(client, officer, first["id"], "case_opened")
    _close(client, officer, second["id"], "dissuaded")
    assert drain(runtime, "cases.fraud_cases", session=session) == 1
    [case] = session.scalars(select(Case).where(Case.origin_ref.is_not(None))).all()
    assert "已转案件" in case.summary and first["number"] in case.origin_ref


def _rows(session, station: str, n: int = 1) -> list[dict]:
    from tests.antifraud.helpers import row

    g = _grid_of(session, station)
    return [row(g, f"CASE-{i}", victim_phone=f"1380734{i:04d}") for i in range(n)]
