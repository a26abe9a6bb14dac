"""Events of community policing 群防群治: grid reports and hazards, disputes, volunteers."""

from __future__ import annotations

from pydantic import AwareDatetime

from yanyun.core.events import Event


class GridReportChanged(Event):
    """A grid report filed, or a hazard found, assigned, removed or verified."""

    kinds = ("grid.report", "hazard.found", "hazard.assigned", "hazard.removed", "hazard.verified")
    resource_type = "grid_report"

    kind: str
    status: str
    title: str
    grid_code: str
    station_code: str
    lng: float
    lat: float


class HazardOverdue(Event):
    """A hazard not removed by its deadline (announced once); supervision makes it a task."""

    kinds = ("hazard.overdue",)
    resource_type = "grid_report"

    hazard_id: str
    grid_code: str
    station_code: str
    title: str
    hazard_type: str | None = None
    status: str
    deadline: AwareDatetime | None = None
    assignee: str | None = None
    found_at: AwareDatetime


class DisputeChanged(Event):
    """A dispute registered, assigned, mediated, resolved or failed."""

    kinds = tuple(
        f"dispute.{status}"
        for status in ("registered", "assigned", "mediating", "resolved", "failed")
    )
    resource_type = "dispute"

    status: str
    station_code: str
    kind: str


class ServiceDayReported(Event):
    """A station reported its enterprise service day (企业服务日)."""

    kinds = ("enterprise.service_day_reported",)
    resource_type = "service_day"

    station_code: str
    day: str


class MobilisationChanged(Event):
    """A 一呼百应 call opened, answered by a volunteer, or stood down."""

    kinds = ("mobilisation.opened", "mobilisation.response", "mobilisation.stood_down")
    resource_type = "mobilisation"

    title: str
    status: str
    source_type: str | None = None
    source_id: str | None = None
    lng: float
    lat: float
    called: int | None = None
    released: int | None = None
    reason: str | None = None
    response_id: str | None = None
    volunteer_id: str | None = None
    response_status: str | None = None


class VolunteersCalled(Event):
    """Volunteers asked to answer a call (the message each one's phone receives)."""

    kinds = ("volunteer.called",)
    resource_type = "mobilisation"

    title: str
    lng: float
    lat: float
    volunteer_ids: list[str]


class VolunteersStoodDown(Event):
    """Volunteers released from a call."""

    kinds = ("volunteer.stood_down",)
    resource_type = "mobilisation"

    title: str
    volunteer_ids: list[str]


class CommunityBuilt(Event):
    """The demo community (volunteers, teams, villages, enterprises, disputes) was generated."""

    kinds = ("community.built",)
    resource_type = "volunteer"

    seed: int
    volunteers: int
    grid_teams: int
    villages: int
    enterprises: int
    disputes: int
    grid_reports: int
