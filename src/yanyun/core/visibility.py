"""Who may follow an event: its org path against the reader's scope, its audience, its kind.

One rule for the live hub, its catch-up and the events list (which applies
it in SQL, `core.events.events_after`). Re-exported by `core.events`.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["AUDIENCE_CHARS", "audience_text", "may_follow", "visible_to"]


def audience_text(user_ids: Iterable[str]) -> str:
    """The stored form of an audience: " id1 id2 " (ids are ULIDs: no spaces), "" for none."""
    ids = sorted({u for u in user_ids if u})
    text_ = f" {' '.join(ids)} " if ids else ""
    if len(text_) > AUDIENCE_CHARS:  # some 70 members: the first ones keep it
        text_ = text_[: text_.rfind(" ", 0, AUDIENCE_CHARS) + 1]
    return text_


#: The stored audience's length (its column's).
AUDIENCE_CHARS = 2000


def visible_to(org_path: str, scope_path: str) -> bool:
    """Whether an event at `org_path` may be shown to a user scoped to `scope_path`.

    City-wide events (empty path) are visible to everyone; an empty scope sees all.

    >>> visible_to("4304/430405/430405-S03", "4304/430405")
    True
    >>> visible_to("4304/430406", "4304/430405")
    False
    >>> visible_to("4304/430405-S1", "4304/430405")
    False
    """
    if not scope_path or not org_path:
        return True
    return org_path == scope_path or org_path.startswith(scope_path + "/")


def may_follow(
    org_path: str, audience: str, kind: str, *, scope_path: str, user_id: str,
    hidden_kinds: frozenset[str],
) -> bool:
    """The one rule for who follows a live event: a kind the reader may read, and the
    event in the reader's org scope or the reader named in its audience.

    The audience widens where an event is seen (a case's member at another unit
    sees its watch hits), never what a reader's permissions allow.
    :func:`events_after` applies the same rule in SQL.

    >>> may_follow("4304/430405", " u1 u2 ", "watch.hit", scope_path="4304/430406",
    ...            user_id="u2", hidden_kinds=frozenset())
    True
    >>> may_follow("4304/430405", " u1 ", "watch.hit", scope_path="4304/430406",
    ...            user_id="u2", hidden_kinds=frozenset())
    False
    >>> may_follow("4304/430405", " u2 ", "watch.hit", scope_path="4304/430406",
    ...            user_id="u2", hidden_kinds=frozenset({"watch.hit"}))
    False
    """
    if kind in hidden_kinds:
        return False
    return visible_to(org_path, scope_path) or bool(user_id and f" {user_id} " in audience)
