from datetime import UTC, datetime, timedelta

from yanyun.core import events
from yanyun.core.events import GapTracker, OutboxEvent

T0 = datetime(2026, 11, 23, tzinfo=UTC)


def _rows(*ids):
    return [
        OutboxEvent(id=i, at=T0, kind="k", resource_type="r", resource_id="x", org_path="")
        for i in ids
    ]


def test_gap_holds_back_later_events_until_it_fills():
    tracker = GapTracker(cursor=0)
    assert [r.id for r in tracker.accept(_rows(1, 2, 4), T0)] == [1, 2]
    assert tracker.cursor == 2
    # 3 commits late: it and 4 go out in order.
    assert [r.id for r in tracker.accept(_rows(3, 4), T0 + timedelta(seconds=1))] == [3, 4]
    assert tracker.cursor == 4


def test_gap_older_than_grace_is_skipped_as_rolled_back():
    tracker = GapTracker(cursor=0, grace=timedelta(seconds=5))
    assert [r.id for r in tracker.accept(_rows(2, 3), T0)] == []
    assert [r.id for r in tracker.accept(_rows(2, 3), T0 + timedelta(seconds=6))] == [2, 3]


def test_event_written_in_callers_transaction_is_gone_on_rollback(session, clock):
    before = events.latest_event_id(session)
    with session.begin_nested():
        events.emit(session, clock=clock, kind="test.happened", resource_type="t", resource_id="1")
        events.flush_outbox(session)
        assert events.latest_event_id(session) > before
        session.rollback()
    assert events.latest_event_id(session) == before


def test_events_after_returns_committed_rows_in_id_order(session, clock):
    start = events.latest_event_id(session)
    for n in range(3):
        events.emit(session, clock=clock, kind="test.n", resource_type="t", resource_id=str(n))
    session.commit()
    rows = events.events_after(session, after_id=start)
    assert [r.resource_id for r in rows] == ["0", "1", "2"]
    assert [r.id for r in rows] == sorted(r.id for r in rows)
