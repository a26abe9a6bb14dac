"""Driving the outbox runner from a test: consumers start at this test's marker, then drain."""

from __future__ import annotations

from yanyun import registry
from yanyun.core import events
from yanyun.core.bus import EventRunner
from yanyun.core.cursors import set_cursor


def consumers_from_now(session, clock, *names: str) -> int:
    """Point consumers (all, by default) just past a fresh marker event; its id.

    Not simply at the latest id: on PostgreSQL, ids of earlier tests'
    rolled-back events are holes a consumer would rightly wait on.
    """
    marker = events.emit(session, clock=clock, kind="test.marker", resource_type="test",
                         resource_id="marker")
    events.flush_outbox(session)
    for name in names or [s.consumer for s in registry.subscriptions()]:
        set_cursor(session, name, marker.id)
    session.flush()
    return marker.id


def drain(runtime, name: str, *, session=None) -> int:
    """Run one registered consumer until caught up; how many events it handled.

    A test's own session holds its events until it commits: pass it to commit first.
    """
    if session is not None:
        session.commit()
    subs = [s for s in registry.subscriptions() if s.consumer == name]
    assert subs, f"no consumer {name}"
    return EventRunner(runtime, subs).run_consumer(subs[0])
