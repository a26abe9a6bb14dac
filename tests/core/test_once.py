"""An action key is applied once, even when two deliveries race on separate connections."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from yanyun.core import once
from yanyun.core.db import build_runtime, session_scope
from yanyun.core.errors import Invalid
from yanyun.core.ids import new_id


def test_racing_deliveries_of_one_key_apply_it_once(settings, clock):
    runtime = build_runtime(settings, clock=clock)
    key = f"race-{new_id(clock)}"
    effects: list[int] = []
    lock = threading.Lock()

    def deliver(n: int) -> once.Delivery:
        def act() -> dict:
            with lock:
                effects.append(n)
            time.sleep(0.2)  # the first delivery is still committing when the others arrive
            return {"status": "applied", "by": n}

        with session_scope(runtime) as session:
            return once.apply_once(
                session, clock=clock, key=key, actor_id="u1", request={"a": 1}, act=act
            )

    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            deliveries = list(pool.map(deliver, range(4)))
    finally:
        runtime.engine.dispose()
    assert len(effects) == 1
    assert sum(not d.replayed for d in deliveries) == 1
    assert {d.answer["by"] for d in deliveries} == {effects[0]}


def test_a_failed_action_keeps_no_claim_so_the_phone_may_try_again(session, clock):
    key = f"fail-{new_id(clock)}"

    def broken() -> dict:
        raise RuntimeError("the database went away mid-action")

    with pytest.raises(RuntimeError):
        once.apply_once(session, clock=clock, key=key, actor_id="u1", request={}, act=broken)
    assert session.scalar(select(once.AppliedAction).where(once.AppliedAction.key == key)) is None
    retry = once.apply_once(
        session, clock=clock, key=key, actor_id="u1", request={}, act=lambda: {"ok": 1}
    )
    assert retry == once.Delivery(answer={"ok": 1}, replayed=False)


def test_a_key_is_one_users_and_one_actions(session, clock):
    key = f"own-{new_id(clock)}"
    once.apply_once(session, clock=clock, key=key, actor_id="u1", request={"a": 1},
                    act=lambda: {"ok": 1})
    for actor_id, request in (("u2", {"a": 1}), ("u1", {"a": 2})):
        with pytest.raises(Invalid):
            once.apply_once(session, clock=clock, key=key, actor_id=actor_id, request=request,
                            act=lambda: {"ok": 2})
    assert once.delivered(session, [key, "nope"], "u1") == {key: {"ok": 1}}
    assert once.delivered(session, [key], "u2") == {}


def test_old_keys_are_forgotten_and_then_a_replay_applies_anew(session, clock):
    from datetime import timedelta

    key = f"old-{new_id(clock)}"
    once.apply_once(session, clock=clock, key=key, actor_id="u1", request={}, act=lambda: {"n": 1})
    clock.advance(timedelta(days=8))
    assert once.forget_older_than(session, clock.now() - timedelta(days=7)) >= 1
    again = once.apply_once(session, clock=clock, key=key, actor_id="u1", request={},
                            act=lambda: {"n": 2})
    assert again == once.Delivery(answer={"n": 2}, replayed=False)
