"""The one outbox runner: typed events to durable handlers, once, in order; the live fan-out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from yanyun.core import events
from yanyun.core.bus import EventRunner, Subscription
from yanyun.core.cursors import EventCursor, EventDeadLetter, set_cursor
from yanyun.core.db import session_scope
from yanyun.core.events import Event, EventSchemaError, OutboxEvent


class ParcelSent(Event):
    kinds = ("test.parcel_sent",)
    resource_type = "parcel"

    weight_kg: float
    to: str


class ParcelLost(Event):
    kinds = ("test.parcel_lost", "test.parcel_stolen")
    resource_type = "parcel"

    reason: str = "unknown"

    @classmethod
    def upcast(cls, payload, version):
        # Version 0 called the reason "why".
        if version == 0 and "why" in payload:
            payload = dict(payload)
            payload["reason"] = payload.pop("why")
        return payload


def _publish(runtime, event, rid, kind=None):
    with session_scope(runtime) as session:
        events.publish(session, event, clock=runtime.clock, resource_id=rid, kind=kind)


def _runner(runtime, *subs, **kw):
    """A runner whose consumers start at a marker this test drew.

    Not simply at the latest id: on PostgreSQL, ids of earlier tests'
    rolled-back events are holes a consumer would rightly wait on.
    """
    runner = EventRunner(runtime, list(subs), **kw)
    with session_scope(runtime) as session:
        marker = events.emit(session, clock=runtime.clock, kind="test.marker",
                             resource_type="test", resource_id="start")
        events.flush_outbox(session)
        for sub in subs:
            set_cursor(session, sub.consumer, marker.id)
    return runner


def test_a_payload_that_breaks_its_contract_fails_where_it_is_published():
    with pytest.raises(ValidationError):
        ParcelSent(weight_kg="heavy", to="x")
    with pytest.raises(ValidationError):
        ParcelSent(weight_kg=1.0, to="x", colour="red")


def test_a_family_event_needs_one_of_its_kinds(runtime):
    with session_scope(runtime) as session, pytest.raises(ValueError, match="not"):
        events.publish(session, ParcelLost(), clock=runtime.clock, resource_id="p")
    with session_scope(runtime) as session, pytest.raises(ValueError):
        events.publish(session, ParcelLost(), clock=runtime.clock, resource_id="p",
                       kind="test.parcel_sent")


def test_each_subscribed_event_reaches_its_handler_once_in_order(runtime):
    seen: list[tuple[str, float]] = []
    sub = Subscription(
        "test.scales", (ParcelSent,),
        lambda d: seen.append((d.envelope.resource_id, d.event.weight_kg)),
    )
    other: list[str] = []
    lost = Subscription("test.losses", (ParcelLost,), lambda d: other.append(d.envelope.kind))
    runner = _runner(runtime, sub, lost)
    _publish(runtime, ParcelSent(weight_kg=1.5, to="衡阳"), "a")
    _publish(runtime, ParcelLost(reason="rain"), "b", kind="test.parcel_stolen")
    _publish(runtime, ParcelSent(weight_kg=2.0, to="长沙"), "c")
    assert runner.run_durable() == {"test.scales": 2, "test.losses": 1}
    assert seen == [("a", 1.5), ("c", 2.0)] and other == ["test.parcel_stolen"]
    assert runner.run_durable() == {"test.scales": 0, "test.losses": 0}
    assert seen == [("a", 1.5), ("c", 2.0)]


def test_handler_work_and_cursor_commit_together(runtime):
    """A handler's writes land with the cursor; a later failure leaves both as they were."""
    def handle(d):
        events.publish(d.session, ParcelLost(reason=f"after {d.envelope.resource_id}"),
                       clock=d.clock, resource_id=d.envelope.resource_id,
                       kind="test.parcel_lost")

    sub = Subscription("test.chain", (ParcelSent,), handle)
    runner = _runner(runtime, sub)
    _publish(runtime, ParcelSent(weight_kg=1, to="x"), "p1")
    assert runner.run_durable()["test.chain"] == 1
    with runtime.session_factory() as session:
        written = session.scalars(
            select(OutboxEvent).where(OutboxEvent.kind == "test.parcel_lost",
                                      OutboxEvent.resource_id == "p1")
        ).all()
        cursor = session.get(EventCursor, "test.chain")
        assert len(written) == 1
        assert cursor.last_id > 0


def test_a_failing_handler_is_retried_then_parked_and_the_rest_go_on(runtime):
    calls = {"bad": 0}
    handled: list[str] = []

    def handle(d):
        if d.envelope.resource_id == "bad":
            calls["bad"] += 1
            events.publish(d.session, ParcelLost(reason="half done"), clock=d.clock,
                           resource_id="half", kind="test.parcel_lost")
            raise RuntimeError("printer on fire")
        handled.append(d.envelope.resource_id)

    sub = Subscription("test.flaky", (ParcelSent,), handle)
    runner = _runner(runtime, sub, max_attempts=3)
    for rid in ("ok1", "bad", "ok2"):
        _publish(runtime, ParcelSent(weight_kg=1, to="x"), rid)
    runner.run_durable()
    assert handled == ["ok1"] and calls["bad"] == 1
    runner.run_durable()
    assert handled == ["ok1"] and calls["bad"] == 2
    runner.run_durable()  # third failure: parked, and the consumer moves on
    assert handled == ["ok1", "ok2"] and calls["bad"] == 3
    with runtime.session_factory() as session:
        letter = session.scalars(
            select(EventDeadLetter).where(EventDeadLetter.consumer == "test.flaky")
        ).one()
        assert letter.parked and letter.attempts == 3 and "printer on fire" in letter.last_error
        # The failed attempts' own writes were rolled back with them.
        assert not session.scalars(
            select(OutboxEvent).where(OutboxEvent.resource_id == "half")
        ).all()


def test_old_untyped_rows_are_upcast_and_unreadable_ones_parked(runtime):
    got: list[str] = []
    sub = Subscription("test.legacy", (ParcelLost,), lambda d: got.append(d.event.reason))
    runner = _runner(runtime, sub)
    with session_scope(runtime) as session:
        events.emit(session, clock=runtime.clock, kind="test.parcel_lost", resource_type="parcel",
                    resource_id="old", payload={"why": "written before typing"})
        events.emit(session, clock=runtime.clock, kind="test.parcel_lost", resource_type="parcel",
                    resource_id="junk", payload={"reason": 42, "extra": True})
    runner.run_durable()
    assert got == ["written before typing"]
    with runtime.session_factory() as session:
        parked = session.scalars(
            select(EventDeadLetter).where(EventDeadLetter.consumer == "test.legacy")
        ).one()
        assert parked.parked and parked.attempts == 1


def test_parse_refuses_a_kind_without_schema(session, clock):
    row = OutboxEvent(id=1, at=clock.now(), kind="test.unknown", resource_type="x",
                      resource_id="1", org_path="", payload={}, version=0)
    with pytest.raises(EventSchemaError):
        events.parse(row)


def test_events_are_written_at_commit_and_wake_the_readers(runtime):
    woken: list[int] = []
    undo = events.on_commit_with_events(lambda: woken.append(1))
    try:
        with session_scope(runtime) as session:
            before = events.latest_event_id(session)
            row = events.publish(session, ParcelSent(weight_kg=1, to="x"), clock=runtime.clock,
                                 resource_id="w")
            session.flush()
            # Held until the commit: its id is drawn moments before it.
            assert row.id is None and events.latest_event_id(session) == before
            assert woken == []
        assert woken == [1]
        with session_scope(runtime) as session:
            session.add(EventCursor(name="test.no-events", last_id=0))
        assert woken == [1], "a commit without events wakes nobody"
    finally:
        undo()


def test_a_rolled_back_transaction_announces_nothing(runtime):
    with session_scope(runtime) as session:
        before = events.latest_event_id(session)
    with pytest.raises(RuntimeError), session_scope(runtime) as session:
        events.publish(session, ParcelSent(weight_kg=1, to="x"), clock=runtime.clock,
                       resource_id="gone")
        raise RuntimeError("abandon")
    with session_scope(runtime) as session:
        assert events.latest_event_id(session) == before


def test_live_reader_starts_at_the_latest_event_and_reads_what_follows(runtime):
    runner = _runner(runtime)  # draws a marker: no earlier test's hole lies ahead
    start = runner.start_live_at_latest()
    assert runner.read_live() == []
    _publish(runtime, ParcelSent(weight_kg=3, to="x"), "live")
    items = runner.read_live()
    assert [i["resource_id"] for i in items] == ["live"]
    assert items[0]["id"] > start and items[0]["payload"] == {"weight_kg": 3.0, "to": "x"}


def test_two_consumers_with_one_name_are_refused(runtime):
    sub = Subscription("test.same", (ParcelSent,), lambda d: None)
    with pytest.raises(ValueError, match="share"):
        EventRunner(runtime, [sub, sub])


def test_gap_rule_waits_for_a_hole_then_passes_it(clock):
    from datetime import UTC, datetime

    from yanyun.core.events import GapTracker

    t0 = datetime(2026, 11, 23, tzinfo=UTC)
    rows = [OutboxEvent(id=i, at=t0, kind="k", resource_type="r", resource_id=str(i),
                        org_path="") for i in (1, 2, 4)]
    tracker = GapTracker(cursor=0, grace=timedelta(seconds=5))
    assert [r.id for r in tracker.accept(rows, t0)] == [1, 2]
    assert [r.id for r in tracker.accept(rows[2:], t0 + timedelta(seconds=6))] == [4]
    sqlite_like = GapTracker(cursor=0, holes_may_commit=False)
    assert [r.id for r in sqlite_like.accept(rows, t0)] == [1, 2, 4]


def _stored_cursor(runtime, name: str) -> int:
    with session_scope(runtime) as session:
        return session.scalar(select(EventCursor.last_id).where(EventCursor.name == name))


def test_a_consumer_passes_events_it_does_not_take_without_writing_its_cursor(runtime):
    seen: list[str] = []
    sub = Subscription("test.lost_only", (ParcelLost,), lambda d: seen.append(d.event.reason))
    runner = _runner(runtime, sub)
    start = _stored_cursor(runtime, "test.lost_only")
    for n in range(5):
        _publish(runtime, ParcelSent(weight_kg=n, to="衡阳"), f"p{n}")
    assert runner.run_consumer(sub) == 0
    # Nothing it takes: its place is kept in the runner, the row is not written.
    assert _stored_cursor(runtime, "test.lost_only") == start
    _publish(runtime, ParcelLost(reason="雨淋"), "p9", kind="test.parcel_lost")
    assert runner.run_consumer(sub) == 1 and seen == ["雨淋"]
    # With the next event it takes, the cursor row catches up past everything.
    with session_scope(runtime) as session:
        newest = session.scalar(select(OutboxEvent.id).order_by(OutboxEvent.id.desc()))
    assert _stored_cursor(runtime, "test.lost_only") == newest


def test_a_consumer_passing_many_events_writes_its_cursor_now_and_then(runtime, monkeypatch):
    from yanyun.core import bus

    monkeypatch.setattr(bus, "SKIP_PERSIST_IDS", 3)
    sub = Subscription("test.lost_rarely", (ParcelLost,), lambda d: None)
    runner = _runner(runtime, sub)
    start = _stored_cursor(runtime, "test.lost_rarely")
    for n in range(4):
        _publish(runtime, ParcelSent(weight_kg=n, to="衡阳"), f"q{n}")
    runner.run_consumer(sub)
    # Past the limit: written, so a restarted process does not re-read all of them.
    assert _stored_cursor(runtime, "test.lost_rarely") >= start + 4


def test_every_server_process_on_postgresql_is_woken_by_a_commit_elsewhere(runtime, settings):
    """Two runners, each with its own engine as two server processes have: a NOTIFY sent
    from a third connection (another process's commit with events) wakes both at once."""
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's; SQLite wakes in-process only")
    from sqlalchemy import text

    from yanyun.core.db import build_runtime

    others = [build_runtime(settings, clock=runtime.clock) for _ in range(2)]
    runners = [EventRunner(other, []) for other in others]
    try:
        for runner in runners:
            runner.start_listening()
        for runner in runners:
            assert runner._listener is not None and runner._listener.is_alive()
            runner._wake.clear()
        woken: set[int] = set()
        # A listener is in place a moment after it starts: send until both heard one.
        for _ in range(50):
            with others[0].engine.connect() as conn:
                conn.execute(text(f"NOTIFY {events.NOTIFY_CHANNEL}"))
                conn.commit()
            woken |= {n for n, runner in enumerate(runners) if runner._wake.wait(timeout=0.1)}
            if woken == {0, 1}:
                break
        assert woken == {0, 1}
    finally:
        for runner in runners:
            runner.stop_listening()
        for other in others:
            other.engine.dispose()


def test_the_live_fan_out_goes_on_while_a_durable_pass_is_still_running(runtime):
    """A consumer's slow pass (on SQLite, a turn of the one writer) never holds a page's update:
    events committed meanwhile reach the live hub before that pass ends."""
    import asyncio
    import threading

    runner = _runner(runtime, poll_s=30.0)  # no poll: only the commits' wakes drive it
    runner.start_live_at_latest()
    gate, passes = threading.Event(), []

    def slow_pass() -> dict[str, int]:
        passes.append(1)
        gate.wait(timeout=30)
        return {}

    runner.run_durable = slow_pass
    undo = events.on_commit_with_events(runner.wake)
    received: list[str] = []

    async def scenario() -> tuple[list[str], bool]:
        arrived = asyncio.Event()

        def sink(items: list[dict]) -> None:
            received.extend(i["resource_id"] for i in items)
            arrived.set()

        task = asyncio.create_task(runner.serve(on_live=sink))
        try:
            for rid in ("first", "second"):
                arrived.clear()
                _publish(runtime, ParcelSent(weight_kg=1, to="x"), rid)
                await asyncio.wait_for(arrived.wait(), timeout=30)
            return received, gate.is_set()
        finally:
            gate.set()
            runner._stop.set()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

    try:
        got, pass_ended = asyncio.run(scenario())
    finally:
        undo()
    assert got == ["first", "second"]
    assert passes and not pass_ended


def test_the_live_reader_keeps_one_autocommit_connection_on_postgresql(settings, runtime):
    """On PostgreSQL the live loop reads on a connection of its own, kept between reads (no
    checkout, ping, BEGIN and ROLLBACK per commit), and still sees each new commit."""
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's reads are local: no connection is kept")
    from yanyun.core.db import build_runtime

    served = build_runtime(settings, clock=runtime.clock)
    runner = EventRunner(served, [])
    try:
        # From a committed marker: ids earlier tests drew and rolled back are holes behind it.
        with session_scope(served) as session:
            events.emit(session, clock=served.clock, kind="test.marker", resource_type="test",
                        resource_id="start")
        runner.start_live_at_latest()
        held = runner._reader_connection()
        seen: list[str] = []
        for rid in ("kept-1", "kept-2"):
            with session_scope(served) as session:
                events.publish(session, ParcelSent(weight_kg=1, to="x"), clock=served.clock,
                               resource_id=rid)
            seen += [i["resource_id"] for i in runner.read_live(runner._reader_connection())]
        assert runner._reader_connection() is held
        assert seen == ["kept-1", "kept-2"]
    finally:
        runner._drop_reader_connection()
        served.engine.dispose()


def test_a_consumer_past_its_time_budget_ends_its_transaction_and_goes_on_in_the_next(runtime):
    """A backlog is worked through in short transactions (SQLite's writer is shared), in order,
    each event once."""
    seen: list[tuple[str, object]] = []
    sub = Subscription(
        "test.budget", (ParcelSent,), lambda d: seen.append((d.envelope.resource_id, d.session))
    )
    runner = _runner(runtime, sub, batch_s=0.0)
    for rid in ("a", "b", "c"):
        _publish(runtime, ParcelSent(weight_kg=1, to="x"), rid)
    assert runner.run_durable() == {"test.budget": 3}
    assert [rid for rid, _ in seen] == ["a", "b", "c"]
    assert len({id(session) for _, session in seen}) == 3  # one transaction each
    assert runner.run_durable() == {"test.budget": 0}
