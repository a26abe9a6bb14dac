"""Events of command 指: incidents through their life, 1-3-5 breaches, units and the fleet."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime

from yanyun.core.events import Event, Part

INCIDENT_STATUS_KINDS = tuple(
    f"incident.{status}"
    for status in (
        "received", "dispatched", "en_route", "on_scene", "resolved", "closed", "cancelled",
        "reopened",
    )
)


class IncidentFacts(Event):
    """What a live screen needs to redraw an incident without asking again."""

    resource_type = "incident"

    number: str
    status: str
    priority: int
    category_code: str
    sub_code: str | None = None
    lng: float
    lat: float
    station_code: str | None = None
    district_code: str | None = None
    received_at: AwareDatetime
    dispatch_target_s: int | None = None
    arrival_target_s: int | None = None
    dispatch_s: float | None = None
    arrival_s: float | None = None
    dispatch_breached: bool = False
    arrival_breached: bool = False


class IncidentChanged(IncidentFacts):
    """An incident moved through its life (opened as `incident.received`), or was annotated."""

    kinds = (*INCIDENT_STATUS_KINDS, "incident.noted")

    from_status: str | None = None
    unit_id: str | None = None


class IncidentMerged(IncidentFacts):
    """A duplicate call folded into its primary incident."""

    kinds = ("incident.merged",)

    duplicate_id: str
    duplicate_number: str


class IncidentBreached(IncidentFacts):
    """A 1-3-5 target passed with nothing done: dispatch or arrival, announced once each."""

    kinds = ("incident.breach",)

    breach: Literal["dispatch", "arrival"]
    elapsed_s: float
    target_s: int


class UnitChanged(Event):
    """A unit's status changed: dispatched, on its way, on scene, free, out of service,
    or in an emergency (its crew asked for help)."""

    kinds = tuple(
        f"unit.{status}"
        for status in (
            "available", "dispatched", "en_route", "on_scene", "out_of_service", "emergency"
        )
    )
    resource_type = "unit"

    status: str
    lng: float | None = None
    lat: float | None = None
    incident_id: str | None = None
    number: str | None = None
    crew: list[str] | None = None
    # Named on an emergency, so a screen that holds no unit list (the wall) can say who.
    call_sign: str | None = None


class UnitPosition(Part):
    """One position fix of a unit, as a batch carries it."""

    id: str
    lng: float
    lat: float
    at: AwareDatetime


class UnitsMoved(Event):
    """A batch of position fixes of one station's units (one event per station per batch)."""

    kinds = ("units.moved",)
    resource_type = "unit"

    positions: list[UnitPosition]


class FleetBuilt(Event):
    """The demo fleet and its quick-response circles were generated."""

    kinds = ("fleet.built",)
    resource_type = "unit"

    units: int
    circles: int
