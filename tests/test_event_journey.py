"""One incident's events followed from publish to every consumer, through the one runner.

A call is taken and misses its dispatch deadline. The same EventRunner that
a server process runs hands each committed event to every subscription that
takes its kind (supervision, public opinion, community) and to the live
screens, and to none of the others; each consumer's cursor moves with its work.
"""

from datetime import timedelta

from sqlalchemy import select

from tests.bus import consumers_from_now
from tests.command.helpers import create_incident, grid_point
from tests.conftest import login_as
from yanyun import registry
from yanyun.command import breaches
from yanyun.community.models import IncidentRef
from yanyun.core.bus import GAP_GRACE, EventRunner
from yanyun.core.cursors import EventCursor
from yanyun.opinion.models import KnownIncident
from yanyun.oversight.models import SupervisedTask


def _takers(kind: str) -> set[str]:
    return {s.consumer for s in registry.subscriptions() if kind in s.kinds}


def test_an_incident_event_reaches_every_consumer_that_takes_it_and_no_other(
    client, runtime, session, clock
):
    marker = consumers_from_now(session, clock)
    session.commit()
    dispatcher = login_as(client, "dispatcher")
    incident = create_incident(client, dispatcher.headers, grid_point(session))
    clock.advance(timedelta(seconds=61))
    assert breaches.scan_breaches(session=session, clock=clock) >= 1
    session.commit()

    runner = EventRunner(runtime, registry.subscriptions())
    runner.live.cursor = marker
    clock.advance(GAP_GRACE + timedelta(seconds=1))  # no hole may still precede them
    handled = runner.run_durable()

    # The breach's 督办 task is an event too: whoever follows tasks (a case's board) takes it.
    takers = _takers("incident.received") | _takers("incident.breach") | _takers("task.created")
    assert {"oversight.tasks", "opinion.incidents", "community.incidents"} <= takers
    assert {name for name, n in handled.items() if n} == takers
    # Each took what it subscribed to: a task, a copy for linking posts, a reference for 一呼百应.
    assert session.scalars(
        select(SupervisedTask).where(SupervisedTask.source_ref == f"{incident['id']}:dispatch")
    ).one()
    assert session.get(KnownIncident, incident["id"]).number == incident["number"]
    assert session.get(IncidentRef, incident["id"]).number == incident["number"]
    # The live screens get the same events; each taker's cursor stands past the last
    # event it takes (events it does not take are passed without a write).
    live = runner.read_live()
    kinds = [e["kind"] for e in live if e["resource_id"] == incident["id"]]
    assert "incident.received" in kinds and "incident.breach" in kinds
    for sub in registry.subscriptions():
        if sub.consumer in takers:
            last_taken = max((e["id"] for e in live if e["kind"] in sub.kinds), default=0)
            assert session.get(EventCursor, sub.consumer).last_id >= last_taken, sub.consumer

    # A second pass finds nothing new: nothing is handed over twice.
    assert not any(runner.run_durable().values())
