"""One tick of the periodic jobs, as the web process runs them, across a working day."""

from datetime import date, timedelta

from sqlalchemy import func, select

from tests.bus import consumers_from_now, drain
from tests.command.helpers import create_incident, grid_point
from tests.conftest import login_as
from tests.oversight.helpers import at, settings
from yanyun.command import breaches
from yanyun.core.db import session_scope
from yanyun.oversight import jobs
from yanyun.oversight.models import Notification, SupervisedTask

MONDAY = date(2026, 11, 23)


def _tick(runtime, clock, s):
    return jobs.run_all(lambda: session_scope(runtime, actor_username="system"), clock, s)


def test_a_days_ticks_make_duties_and_breach_tasks_then_clear_and_notify(
    client, runtime, session, clock
):
    s = settings()
    consumers_from_now(session, clock, "oversight.tasks")
    session.commit()
    first = _tick(runtime, clock, s)
    assert first["recurring"] > 0 and first["clearing"] == 0
    dispatcher = login_as(client, "dispatcher")
    create_incident(client, dispatcher.headers, grid_point(session))
    clock.advance(timedelta(minutes=5))
    with session_scope(runtime) as scan:
        assert breaches.scan_breaches(session=scan, clock=clock) >= 1
    _tick(runtime, clock, s)
    assert drain(runtime, "oversight.tasks") >= 1  # the breach, read by supervision
    clock.set(at(MONDAY, 18, 0))
    counts = _tick(runtime, clock, s)
    # Nobody worked today: every duty and the breach task climbed one level.
    total = session.scalar(select(func.count()).select_from(SupervisedTask))
    assert counts["clearing"] == total
    assert counts["deliver"] == total  # one live notification per escalation, all sent
    assert session.scalar(select(func.count()).select_from(Notification).where(
        Notification.status != "sent")) == 0
    assert _tick(runtime, clock, s)["clearing"] == 0
