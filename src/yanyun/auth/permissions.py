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
    station_chief = "station_chief"
    admin = "admin"
    # A registered volunteer (义警) with the phone app: their own calls and hours, nothing else.
    volunteer = "volunteer"


ROLE_LABELS: dict[Role, tuple[str, str]] = {
    Role.dispatcher: ("接警/指挥", "Dispatcher"),
    Role.analyst: ("情报研判", "Analyst"),
    Role.duty_manager: ("勤务管理", "Duty manager"),
    Role.opinion_officer: ("舆情处置", "Opinion officer"),
    Role.supervisor: ("督察", "Supervisor"),
    Role.station_officer: ("社区民警", "Station officer"),
    Role.station_chief: ("派出所所长", "Station chief"),
    Role.admin: ("系统管理员", "Administrator"),
    Role.volunteer: ("义警", "Volunteer"),
}


class Perm(StrEnum):
    account = "account:self"
    map_read = "map:read"
    org_read = "org:read"
    users_read = "users:read"
    users_write = "users:write"
    personal_read = "personal:read"
    # The caller's full number, to call back: those who take and work the call.
    caller_read = "caller:read"
    audit_read = "audit:read"
    events_read = "events:read"
    city_admin = "city:admin"
    incidents_read = "incidents:read"
    incidents_write = "incidents:write"
    units_read = "units:read"
    units_write = "units:write"
    tasks_read = "tasks:read"
    tasks_scope = "tasks:scope"
    tasks_write = "tasks:write"
    tasks_verify = "tasks:verify"
    inspections_write = "inspections:write"
    risks_read = "risks:read"
    risks_write = "risks:write"
    audit_review = "audit:review"
    notifications_read = "notifications:read"
    opinion_read = "opinion:read"
    opinion_write = "opinion:write"
    opinion_ingest = "opinion:ingest"
    duty_read = "duty:read"
    duty_write = "duty:write"
    duty_self = "duty:self"
    cameras_read = "cameras:read"
    sightings_search = "sightings:search"
    sightings_ingest = "sightings:ingest"
    registrations_read = "registrations:read"
    # Registering, transferring and cancelling e-bikes (电动车登记), at the stations.
    registrations_write = "registrations:write"
    # Approving a watch (布控) someone else asked for.
    watch_approve = "watch:approve"
    community_read = "community:read"
    community_write = "community:write"
    volunteers_mobilise = "volunteers:mobilise"
    forecast_read = "forecast:read"
    # Acting as a unit's crew from a phone: sign on, 签收, 到场, 处置完毕, positions.
    field_act = "field:act"
    # Reading and handling the public's tips (线索举报): they carry the tipster's phone.
    tips_handle = "tips:handle"
    # Cases (合成作战): read one's cases; open and work them; oversee an area's cases.
    cases_read = "cases:read"
    cases_write = "cases:write"
    cases_oversee = "cases:oversee"
    # The yardstick (考核): read a scope's figures; call back callers (回访, reads their number).
    kpi_read = "kpi:read"
    kpi_write = "kpi:write"
    callbacks_handle = "callbacks:handle"
    # Anti-fraud warnings (反电诈): read a scope's warnings; contact, dissuade and close them
    # (their victims' full numbers, bound to the warning); load a centre's file of warnings.
    antifraud_read = "antifraud:read"
    antifraud_handle = "antifraud:handle"
    antifraud_ingest = "antifraud:ingest"
    # A volunteer answering 一呼百应 from their phone: their own calls and hours only.
    volunteer_self = "volunteer:self"


_EVERYONE = {Perm.account, Perm.map_read, Perm.org_read, Perm.events_read,
             Perm.incidents_read, Perm.units_read, Perm.tasks_read, Perm.risks_read,
             Perm.inspections_write, Perm.duty_read, Perm.cameras_read,
             Perm.community_read, Perm.forecast_read}
# Plate searches and owners reach personal data: the roles that investigate.
_INVESTIGATE = {Perm.sightings_search, Perm.registrations_read}
# Who sees and steers every task in their org scope, not only their own.
_SUPERVISING = {Perm.tasks_scope, Perm.tasks_write, Perm.tasks_verify, Perm.cases_read,
                Perm.cases_oversee, Perm.watch_approve, Perm.kpi_read, Perm.callbacks_handle}
# Who opens and works cases with others from any unit.
_CASEWORK = {Perm.cases_read, Perm.cases_write}
# Who reaches the people a fraud warning names: the stations.
_ANTIFRAUD = {Perm.antifraud_read, Perm.antifraud_handle}

ROLE_PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.dispatcher: frozenset(
        _EVERYONE | _INVESTIGATE | _CASEWORK
        | {Perm.personal_read, Perm.incidents_write, Perm.units_write, Perm.volunteers_mobilise,
           Perm.caller_read, Perm.tips_handle, Perm.callbacks_handle}
    ),
    Role.analyst: frozenset(
        _EVERYONE | _INVESTIGATE | _CASEWORK
        | {Perm.personal_read, Perm.opinion_read, Perm.tips_handle, Perm.kpi_read}
    ),
    Role.duty_manager: frozenset(
        _EVERYONE | _CASEWORK
        | {Perm.users_read, Perm.units_write, Perm.tasks_scope, Perm.tasks_write,
           Perm.personal_read, Perm.duty_write, Perm.duty_self, Perm.kpi_read,
           Perm.community_write, Perm.volunteers_mobilise}
    ),
    Role.opinion_officer: frozenset(
        _EVERYONE | {Perm.opinion_read, Perm.opinion_write, Perm.opinion_ingest}
    ),
    Role.supervisor: frozenset(
        _EVERYONE | _SUPERVISING | {Perm.audit_read, Perm.audit_review, Perm.users_read,
                                    Perm.kpi_write, Perm.risks_write, Perm.notifications_read,
                                    Perm.opinion_read, Perm.community_write,
                                    Perm.antifraud_read, Perm.antifraud_ingest}
    ),
    Role.station_officer: frozenset(
        _EVERYONE | _CASEWORK | _ANTIFRAUD
        | {Perm.units_write, Perm.risks_write, Perm.duty_self, Perm.field_act, Perm.tips_handle,
           Perm.community_write, Perm.volunteers_mobilise, Perm.caller_read,
           Perm.registrations_write}
    ),
    Role.station_chief: frozenset(
        _EVERYONE | _SUPERVISING | _CASEWORK | _ANTIFRAUD
        | {Perm.units_write, Perm.risks_write, Perm.users_read, Perm.duty_self, Perm.field_act,
           Perm.tips_handle, Perm.community_write, Perm.volunteers_mobilise,
           Perm.caller_read, Perm.registrations_write}
    ),
    Role.volunteer: frozenset({Perm.account, Perm.volunteer_self}),
    Role.admin: frozenset(set(Perm)),
}


def permissions_of(roles: list[str]) -> frozenset[Perm]:
    """Union of the permissions of the given role names; unknown names grant nothing."""
    granted: set[Perm] = set()
    for name in roles:
        if name in Role.__members__:
            granted |= ROLE_PERMISSIONS[Role(name)]
    return frozenset(granted)
