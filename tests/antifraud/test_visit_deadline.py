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
    warning, _ = _dissuaded_by_phone(client, session, settings, clock, officer)
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


def _dissuaded_by_phone(client, session, settings, clock, officer):
    warning = _high_warning(client, session, settings, officer)
    url = f"{URL}/{warning['id']}"
    clock.advance(timedelta(minutes=3))
    client.post(f"{url}/contacts", headers=officer.headers,
                json={"channel": "phone", "reached": True})
    done = client.post(f"{url}/outcome", headers=officer.headers, json={"outcome": "dissuaded"})
    assert done.status_code == 200
    assert done.json()["visit_owed"] is True and done.json()["phone_late"] is False
    return warning, url


def test_a_visit_logged_late_on_a_closed_warning_is_kept_late(client, session, settings, clock,
                                                              runtime):
    consumers_from_now(session, clock, "oversight.tasks")
    session.commit()
    officer = login_as(client, "officer")
    warning, url = _dissuaded_by_phone(client, session, settings, clock, officer)
    # No more calls once closed: the reason says a visit can still be logged.
    phone = client.post(f"{url}/contacts", headers=officer.headers,
                        json={"channel": "phone", "reached": True})
    assert phone.status_code == 409
    message = phone.json()["error"]["message"]
    assert "补录上门走访" in message["zh-CN"] and "in-person visit" in message["en"]
    # The visit is made 70 minutes after the warning came in (due within the hour), and
    # logged before any scan ran.
    clock.advance(timedelta(minutes=67))
    visit = client.post(f"{url}/contacts", headers=officer.headers,
                        json={"channel": "visit", "reached": True, "note": "补录：已上门"})
    assert visit.status_code == 201, visit.text
    done = visit.json()
    assert (done["status"], done["outcome"]) == ("closed", "dissuaded")
    assert done["first_visit_at"] > done["visit_due_at"]
    assert done["visit_late"] is True and done["visit_owed"] is False
    assert [c["channel"] for c in done["contacts"]] == ["phone", "visit"]
    again = client.post(f"{url}/contacts", headers=officer.headers,
                        json={"channel": "visit", "reached": True})
    assert again.json()["first_visit_at"] == done["first_visit_at"]
    # Late is late: the scan makes the one task the missing visit would have made.
    assert _scan(session, clock, settings) == 1
    assert _scan(session, clock, settings) == 0
    session.commit()
    assert drain(runtime, "oversight.tasks", session=session) == 1
    [task] = _tasks(session)
    assert warning["number"] in task.title and "上门见面" in task.title
    listed = client.get(URL, headers=officer.headers).json()
    assert [w["visit_owed"] for w in listed] == [False]


def test_a_visit_in_time_after_a_phone_dissuasion_makes_no_task(client, session, settings,
                                                               clock):
    officer = login_as(client, "officer")
    _, url = _dissuaded_by_phone(client, session, settings, clock, officer)
    clock.advance(timedelta(minutes=30))
    visit = client.post(f"{url}/contacts", headers=officer.headers,
                        json={"channel": "visit", "reached": True})
    assert visit.status_code == 201
    assert visit.json()["visit_late"] is False and visit.json()["status"] == "closed"
    clock.advance(timedelta(hours=2))
    assert _scan(session, clock, settings) == 0


def test_a_late_visit_after_the_task_was_made_is_still_one_task(client, session, settings,
                                                                clock):
    officer = login_as(client, "officer")
    _, url = _dissuaded_by_phone(client, session, settings, clock, officer)
    clock.advance(timedelta(minutes=58))
    assert _scan(session, clock, settings) == 1
    clock.advance(timedelta(minutes=20))
    visit = client.post(f"{url}/contacts", headers=officer.headers,
                        json={"channel": "visit", "reached": False, "note": "本人不在家"})
    assert visit.status_code == 201
    assert visit.json()["visit_late"] is True and visit.json()["overdue_at"] is not None
    assert _scan(session, clock, settings) == 0


def test_a_late_phone_logged_between_scans_is_still_late(client, session, settings, clock):
    officer = login_as(client, "officer")
    warning = _high_warning(client, session, settings, officer)
    clock.advance(timedelta(minutes=12))
    called = client.post(f"{URL}/{warning['id']}/contacts", headers=officer.headers,
                         json={"channel": "phone", "reached": True})
    assert called.json()["phone_late"] is True
    assert _scan(session, clock, settings) == 1
    session.commit()
    [overdue] = session.scalars(select(OutboxEvent).where(
        OutboxEvent.kind == "antifraud.warning_overdue",
        OutboxEvent.resource_id == warning["id"])).all()
    assert overdue.payload["missed"] == "phone"
