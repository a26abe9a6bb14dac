"""The in-person deadline: a high-grade warning phoned in time but not visited by its in-person
deadline still becomes one supervised task (督办), and never two."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.antifraud.test_work import URL, _grid_of, _push, _station, _warnings
from tests.bus import consumers_from_now, drain
from tests.conftest import login_as
from yanyun.antifraud.overdue import flag_overdue
from yanyun.core.events import OutboxEvent
from yanyun.oversight.models import SupervisedTask


def _high_warning(client, session, settings, officer):
    from tests.antifraud.helpers import row

    _push(client, settings, [row(_grid_of(session, _station(client, officer)))])
    [warning] = _warnings(client, officer).values()
    assert warning["grade"] == "high"
    return warning


def _tasks(session) -> list[SupervisedTask]:
    return session.scalars(select(SupervisedTask).where(
        SupervisedTask.source == "requested")).all()


def _scan(session, clock, settings) -> int:
    return flag_overdue(session=session, clock=clock, settings=settings.antifraud)


def test_phoned_in_time_but_never_visited_makes_one_task(client, session, settings, clock,
                                                        runtime):
    consumers_from_now(session, clock, "oversight.tasks")
    session.commit()
    officer = login_as(client, "officer")
    warning = _high_warning(client, session, settings, officer)
    clock.advance(timedelta(minutes=5))
    assert client.post(f"{URL}/{warning['id']}/contacts", headers=officer.headers,
                       json={"channel": "phone", "reached": True}).status_code == 201
    clock.advance(timedelta(minutes=30))
    assert _scan(session, clock, settings) == 0  # phoned in time; the visit is not due yet
    clock.advance(timedelta(minutes=26))
    assert _scan(session, clock, settings) == 1
    for _ in range(3):
        clock.advance(timedelta(hours=1))
        assert _scan(session, clock, settings) == 0
    session.commit()
    assert drain(runtime, "oversight.tasks", session=session) == 1
    [task] = _tasks(session)
    assert warning["number"] in task.title and "上门见面" in task.title
    [overdue] = session.scalars(select(OutboxEvent).where(
        OutboxEvent.kind == "antifraud.warning_overdue",
        OutboxEvent.resource_id == warning["id"])).all()
    assert overdue.payload["missed"] == "visit"


def test_dissuaded_by_phone_alone_still_owes_the_visit_once(client, session, settings, clock,
                                                            runtime):
    consumers_from_now(session, clock, "oversight.tasks")
    session.commit()
    officer = login_as(client, "officer")
    warning = _high_warning(client, session, settings, officer)
    url = f"{URL}/{warning['id']}"
    clock.advance(timedelta(minutes=3))
    client.post(f"{url}/contacts", headers=officer.headers,
                json={"channel": "phone", "reached": True})
    done = client.post(f"{url}/outcome", headers=officer.headers, json={"outcome": "dissuaded"})
    assert done.status_code == 200
    clock.advance(timedelta(minutes=58))
    assert _scan(session, clock, settings) == 1
    assert _scan(session, clock, settings) == 0
    clock.advance(timedelta(hours=2))
    assert _scan(session, clock, settings) == 0
    session.commit()
    assert drain(runtime, "oversight.tasks", session=session) == 1
    [task] = _tasks(session)
    assert warning["number"] in task.title and "上门见面" in task.title


def test_a_false_alarm_owes_no_visit(client, session, settings, clock):
    officer = login_as(client, "officer")
    warning = _high_warning(client, session, settings, officer)
    url = f"{URL}/{warning['id']}"
    client.post(f"{url}/contacts", headers=officer.headers,
                json={"channel": "phone", "reached": True})
    client.post(f"{url}/outcome", headers=officer.headers, json={"outcome": "false_alarm"})
    clock.advance(timedelta(hours=2))
    assert _scan(session, clock, settings) == 0


def test_a_missed_phone_then_a_missed_visit_is_still_one_task(client, session, settings, clock,
                                                             runtime):
    consumers_from_now(session, clock, "oversight.tasks")
    session.commit()
    officer = login_as(client, "officer")
    _high_warning(client, session, settings, officer)
    clock.advance(timedelta(minutes=11))
    assert _scan(session, clock, settings) == 1
    clock.advance(timedelta(hours=2))
    assert _scan(session, clock, settings) == 0
    session.commit()
    assert drain(runtime, "oversight.tasks", session=session) == 1
