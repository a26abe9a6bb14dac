"""The simulator's port onto a platform, and the records that cross it.

:class:`DispatchPort` is what :class:`~yanyun.sim.engine.CitySim` needs from
a platform; :class:`~yanyun.sim.platform.PlatformPort` (the command
services on a database) and ``yanyun.sim.memory_port.MemoryPort`` (a fleet in
memory) implement it. A :class:`Call` goes in, an :class:`OpenedIncident`
and a :class:`Choice` come back; :class:`FleetUnit` is the fleet at the start.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

__all__ = ["Call", "Choice", "DispatchPort", "FleetUnit", "OpenedIncident"]


@dataclass(frozen=True, slots=True)
class Call:
    """One call of the stream, with every random draw already made.

    ``at_s`` is seconds after the simulation's start. ``required`` and
    ``priority`` are set by replayed streams, which have no catalogue code;
    for synthetic calls the platform derives both from the category.
    ``station_code`` is the jurisdiction the stream names, if any.
    """

    seq: int
    at_s: float
    lng: float
    lat: float
    category_code: str
    sub_code: str | None
    handling_s: float
    reaction_s: float
    service_s: float
    label: str = ""
    required: frozenset[str] | None = None
    priority: int | None = None
    station_code: str | None = None


@dataclass(frozen=True, slots=True)
class OpenedIncident:
    """What the platform answers when a call is opened: where it is and its targets."""

    key: str
    number: str
    lng: float
    lat: float
    station_code: str
    urban: bool
    priority: int
    dispatch_target_s: int
    arrival_target_s: int
    required: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class FleetUnit:
    """A unit as the simulator needs it at the start: kind, station, home, status."""

    id: str
    kind: str
    station_code: str
    capabilities: frozenset[str]
    lng: float
    lat: float
    home_lng: float
    home_lat: float
    available: bool = True


@dataclass(frozen=True, slots=True)
class Choice:
    """The unit a policy picked and its estimated arrival time in seconds."""

    unit_id: str
    eta_s: float


class DispatchPort(Protocol):
    """What the simulator needs from a platform: open, rank, dispatch, arrive, resolve."""

    backend: str

    def fleet(self) -> list[FleetUnit]:
        """Return the units at the start, sorted by id."""
        ...

    def stations(self) -> dict[str, tuple[float, float]]:
        """Return each station's position ``(lng, lat)`` by code."""
        ...

    def open_incident(self, call: Call) -> OpenedIncident | None:
        """Open the call's incident now; ``None`` if the platform refuses its place."""
        ...

    def recommend(self, incident: OpenedIncident, call: Call) -> Choice | None:
        """Return the platform's first recommended unit, or ``None`` if none is suitable."""
        ...

    def dispatch(self, incident: OpenedIncident, unit_id: str, eta_s: float) -> None:
        """Send the unit; it must be available."""
        ...

    def acknowledge(self, incident: OpenedIncident, unit_id: str) -> None:
        """The unit confirms it is on its way."""
        ...

    def arrive(self, incident: OpenedIncident, unit_id: str) -> None:
        """The unit is on scene (its position becomes the incident's)."""
        ...

    def resolve(self, incident: OpenedIncident) -> None:
        """The incident is dealt with; its units become available."""
        ...

    def move_units(self, fixes: Sequence[tuple[str, float, float]]) -> None:
        """Record units' positions ``(unit_id, lng, lat)`` at the current instant."""
        ...
