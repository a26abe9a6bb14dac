"""Who follows an event: scope or audience, and always the kind's permission."""

from __future__ import annotations

from yanyun.core.visibility import AUDIENCE_CHARS, audience_text, may_follow

ULID = "01M82YNFM0E1DNMKBP9894EE{:02d}"


def test_an_audience_is_stored_padded_sorted_and_once_each():
    assert audience_text([]) == ""
    assert audience_text(["b", "a", "b", ""]) == " a b "


def test_an_audience_too_long_for_its_column_keeps_whole_ids():
    ids = [ULID.format(n) for n in range(100)]
    stored = audience_text(ids)
    assert len(stored) <= AUDIENCE_CHARS
    kept = stored.split()
    assert kept == sorted(ids)[: len(kept)] and len(kept) >= 70
    assert stored.startswith(" ") and stored.endswith(" ")


def test_the_audience_widens_the_scope_but_not_the_permissions():
    follow = dict(scope_path="4304/430406/430406-S01", hidden_kinds=frozenset())
    station_event = ("4304/430405/430405-S03", f" {ULID.format(1)} ", "watch.hit")
    assert may_follow(*station_event, user_id=ULID.format(1), **follow)
    assert not may_follow(*station_event, user_id=ULID.format(2), **follow)
    # A user id that is a prefix of another's is not the other.
    assert not may_follow(*station_event, user_id=ULID.format(1)[:-1], **follow)
    assert not may_follow(*station_event, user_id="", **follow)
    hidden = dict(follow, hidden_kinds=frozenset({"watch.hit"}))
    assert not may_follow(*station_event, user_id=ULID.format(1), **hidden)
    # In scope without being named: the area sees its own events.
    assert may_follow("4304/430406/430406-S01", "", "watch.hit", user_id="x", **follow)
