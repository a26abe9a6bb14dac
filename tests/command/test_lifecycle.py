import itertools

from yanyun.command import lifecycle


def test_happy_path_is_allowed_step_by_step():
    path = ["received", "dispatched", "en_route", "on_scene", "resolved", "closed"]
    assert all(lifecycle.can_move(a, b) for a, b in itertools.pairwise(path))


def test_closed_only_reopens_and_reopened_can_be_dispatched_again():
    assert lifecycle.allowed_from("closed") == ["reopened"]
    assert lifecycle.can_move("reopened", "dispatched")


def test_no_skipping_from_received_to_resolved():
    assert not lifecycle.can_move("received", "resolved")
    assert not lifecycle.can_move("received", "closed")
    assert lifecycle.allowed_from("unknown") == []
