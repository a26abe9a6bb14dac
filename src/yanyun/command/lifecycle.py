"""The incident state machine, as data: what may follow what.

received -> dispatched -> en route -> on scene -> resolved -> closed, with
cancelled and reopened. Kept pure so the rules are tested on values alone.
"""

from __future__ import annotations

ALLOWED: dict[str, frozenset[str]] = {
    "received": frozenset({"dispatched", "cancelled"}),
    "dispatched": frozenset({"en_route", "on_scene", "cancelled"}),
    "en_route": frozenset({"on_scene", "cancelled"}),
    "on_scene": frozenset({"resolved", "cancelled"}),
    "resolved": frozenset({"closed", "reopened"}),
    "closed": frozenset({"reopened"}),
    "cancelled": frozenset({"reopened"}),
    "reopened": frozenset({"dispatched", "cancelled"}),
}

OPEN_STATUSES = frozenset({"received", "dispatched", "en_route", "on_scene", "reopened"})
# Statuses in which more units may still be sent.
DISPATCHABLE = frozenset({"received", "dispatched", "en_route", "on_scene", "reopened"})


def can_move(current: str, target: str) -> bool:
    """Whether an incident in `current` may move to `target`.

    >>> can_move("received", "dispatched"), can_move("received", "closed")
    (True, False)
    """
    return target in ALLOWED.get(current, frozenset())


def allowed_from(current: str) -> list[str]:
    """The statuses reachable from `current`, sorted for stable answers."""
    return sorted(ALLOWED.get(current, frozenset()))
