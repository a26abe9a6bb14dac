"""Durable outbox consumers: each event once, in order, nothing skipped that may still commit."""

from datetime import timedelta

from sqlalchemy import select, text

from yanyun.core import events
from yanyun.core.consumers import EventCursor, consume


def _emit(session, clock, kind, rid):
    events.emit(session, clock=clock, kind=kind, resource_type="t", resource_id=rid)
    session.flush()


def _start(session, clock, name):
    """Put the consumer's cursor on a fresh marker event.

    Not simply at the latest id: on PostgreSQL, ids of rolled-back transactions
    (earlier tests) are holes the consumer would rightly wait on.
    """
    _emit(session, clock, "test.marker", name)
    consume(session, clock=clock, name=name, kinds=["none."], handle=lambda s, e: None)
    cursor = session.get(EventCursor, name)
    cursor.last_id = events.latest_event_id(session)
    session.flush()


def test_each_wanted_event_is_handled_once_in_order(session, clock):
    _start(session, clock, "test.orders")
    _emit(session, clock, "duty.crewed", "a")
    _emit(session, clock, "command.other", "b")
    _emit(session, clock, "duty.uncrewed", "c")
    _emit(session, clock, "opinion.event_opened", "d")
    seen = []
    n = consume(
        session,
        clock=clock,
        name="test.orders",
        kinds=["duty.", "opinion.event_opened"],
        handle=lambda s, e: seen.append(e.resource_id),
    )
    assert n == 3 and seen == ["a", "c", "d"]
    again = consume(
        session, clock=clock, name="test.orders", kinds=["duty."],
        handle=lambda s, e: seen.append(1),
    )
    assert again == 0 and seen == ["a", "c", "d"]
    # Another consumer reads the same events independently.
    other = []
    _start(session, clock, "test.other")
    _emit(session, clock, "duty.crewed", "e")
    consume(session, clock=clock, name="test.other", kinds=["duty."],
            handle=lambda s, e: other.append(e.resource_id))
    assert other == ["e"]


def test_a_missing_id_holds_the_reader_until_it_is_old(session, clock):
    _start(session, clock, "test.gap")
    _emit(session, clock, "duty.crewed", "a")
    first = events.latest_event_id(session)
    _emit(session, clock, "duty.crewed", "b")
    _emit(session, clock, "duty.crewed", "c")
    # Make a hole where "b" was, as a transaction that took an id and has not committed.
    b_id = session.scalar(
        select(events.OutboxEvent.id).where(events.OutboxEvent.resource_id == "b")
        .where(events.OutboxEvent.id > first)
    )
    session.execute(text("delete from outbox_event where id = :i"), {"i": b_id})
    seen = []
    consume(session, clock=clock, name="test.gap", kinds=["duty."],
            handle=lambda s, e: seen.append(e.resource_id))
    if session.get_bind().dialect.name == "sqlite":
        # One writer at a time, ids in commit order: a hole was rolled back, never in flight.
        assert seen == ["a", "c"]
        return
    assert seen == ["a"]
    assert session.get(EventCursor, "test.gap").last_id == first
    clock.advance(timedelta(seconds=6))
    consume(session, clock=clock, name="test.gap", kinds=["duty."],
            handle=lambda s, e: seen.append(e.resource_id))
    assert seen == ["a", "c"]


def test_handler_failure_leaves_cursor_and_effects_together(session, clock):
    _start(session, clock, "test.fail")
    _emit(session, clock, "duty.crewed", "a")

    def boom(s, e):
        raise RuntimeError("handler failed")

    before = session.get(EventCursor, "test.fail").last_id
    try:
        with session.begin_nested():
            consume(session, clock=clock, name="test.fail", kinds=["duty."], handle=boom)
    except RuntimeError:
        pass
    session.expire_all()
    assert session.get(EventCursor, "test.fail").last_id == before
