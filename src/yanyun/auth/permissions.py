"""Roles and what each may do.

The roles follow the command center's functional areas in the seed documents.
A permission is "<area>:<verb>"; routes declare one, and a test walks every
route to prove it.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    dispatcher = "dispatcher"
    analyst = "analyst"
    duty_manager = "duty_manager"
    opinion_officer = "opinion_officer"
    supervisor = "supervisor"
    station_officer = "station_officer"
    admin = "admin"


ROLE_LABELS: dict[Role, tuple[str, str]] = {
    Role.dispatcher: ("接警/指挥", "Dispatcher"),
    Role.analyst: ("情报研判", "Analyst"),
    Role.duty_manager: ("勤务管理", "Duty manager"),
    Role.opinion_officer: ("舆情处置", "Opinion officer"),
    Role.supervisor: ("督察", "Supervisor"),
    Role.station_officer: ("社区民警", "Station officer"),
    Role.admin: ("系统管理员", "Administrator"),
}


class Perm(StrEnum):
    account = "account:self"
    map_read = "map:read"
    org_read = "org:read"
    users_read = "users:read"
    users_write = "users:write"
    personal_read = "personal:read"
    audit_read = "audit:read"
    events_read = "events:read"
    city_admin = "city:admin"
    incidents_read = "incidents:read"
    incidents_write = "incidents:write"
    units_read = "units:read"
    units_write = "units:write"
    forecast_read = "forecast:read"


_EVERYONE = {Perm.account, Perm.map_read, Perm.org_read, Perm.events_read,
             Perm.incidents_read, Perm.units_read, Perm.forecast_read}

ROLE_PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.dispatcher: frozenset(
        _EVERYONE | {Perm.personal_read, Perm.incidents_write, Perm.units_write}
    ),
    Role.analyst: frozenset(_EVERYONE | {Perm.personal_read}),
    Role.duty_manager: frozenset(_EVERYONE | {Perm.users_read, Perm.units_write}),
    Role.opinion_officer: frozenset(_EVERYONE),
    Role.supervisor: frozenset(_EVERYONE | {Perm.audit_read, Perm.users_read}),
    Role.station_officer: frozenset(_EVERYONE | {Perm.units_write}),
    Role.admin: frozenset(set(Perm)),
}


def permissions_of(roles: list[str]) -> frozenset[Perm]:
    """Union of the permissions of the given role names; unknown names grant nothing."""
    granted: set[Perm] = set()
    for name in roles:
        if name in Role.__members__:
            granted |= ROLE_PERMISSIONS[Role(name)]
    return frozenset(granted)
