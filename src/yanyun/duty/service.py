"""Duty's public facade: officers, rosters and crews, swaps and leave.

Other contexts (and duty's routes and jobs) import `yanyun.duty.service`; the
work is done in the modules named for it: `officers`, `rotation` (shift
planning), `crews` (who crews each unit, and the announcement when that
changes), `rosters` (a station's day, entries and swaps) and `leave`. Duty
levels live in `levels`, posts and clock-in in `posts`.
"""

from __future__ import annotations

from yanyun.duty.crews import (
    CREWS_CHANGED,
    apply_shift_changes,
    current_crews,
    on_leave,
    shift_changes_due,
)
from yanyun.duty.leave import grant_leave, granted_read, leave_read
from yanyun.duty.officers import (
    areas,
    get_officer,
    list_officers,
    officer_read,
    read_contact,
    station_paths,
    station_strengths,
)
from yanyun.duty.rosters import (
    add_entry,
    decide_swap,
    entry_read,
    remove_entry,
    request_swap,
    roster,
    update_entry,
)
from yanyun.duty.rotation import ROTATION_EPOCH, SHIFT_TIMES, TEAMS, plan_rosters, team_on

__all__ = [
    "CREWS_CHANGED",
    "ROTATION_EPOCH",
    "SHIFT_TIMES",
    "TEAMS",
    "add_entry",
    "apply_shift_changes",
    "areas",
    "current_crews",
    "decide_swap",
    "entry_read",
    "get_officer",
    "grant_leave",
    "granted_read",
    "leave_read",
    "list_officers",
    "officer_read",
    "on_leave",
    "plan_rosters",
    "read_contact",
    "remove_entry",
    "request_swap",
    "roster",
    "shift_changes_due",
    "station_paths",
    "station_strengths",
    "team_on",
    "update_entry",
]
