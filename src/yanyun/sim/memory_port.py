"""The simulator's port without a database: a fleet in a ranking index, travel by great circle.

It answers the engine as the platform would (``FleetIndex.top_k`` with the
capability filter is the platform's own recommendation), so a foreign city
replays at tens of thousands of incidents in seconds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from yanyun.command.ranking import FleetIndex, UnitSnapshot
from yanyun.core.errors import Conflict, NotFound
from yanyun.geo.coords import distance_m_array
from yanyun.geo.travel import GreatCircleEstimator, TravelTimeEstimator
from yanyun.sim.ports import Call, Choice, FleetUnit, OpenedIncident


class MemoryPort:
    """The simulator's port on an in-memory fleet: no database, the platform's ranking.

    Parameters
    ----------
    units : sequence of FleetUnit
    stations : mapping of str to (lng, lat)
        Where each station is; an incident belongs to the station its
        call names, else to the nearest one.
    estimator : TravelTimeEstimator
        :class:`GreatCircleEstimator` by default.
    urban : bool
        Speeds and detours of a town (Chicago) or of the countryside.
    dispatch_target_s, arrival_target_s : int
        The 1-3-5 targets every incident gets (one minute to dispatch,
        five to arrive by default).

    The port keeps the rules the platform enforces: a unit must be free to
    be sent (else :class:`~yanyun.core.errors.Conflict`), it acknowledges
    and arrives only while assigned, and an incident moves received ->
    dispatched -> en route -> on scene -> resolved.

    Examples
    --------
    >>> units = [FleetUnit("A-1", "patrol_car", "A", frozenset({"patrol"}),
    ...                    -87.63, 41.88, -87.63, 41.88)]
    >>> port = MemoryPort(units, {"A": (-87.63, 41.88)})
    >>> call = Call(1, 0.0, -87.62, 41.88, "other", None, 30.0, 10.0, 600.0)
    >>> incident = port.open_incident(call)
    >>> choice = port.recommend(incident, call)
    >>> choice.unit_id, round(choice.eta_s)
    ('A-1', 164)
    >>> port.dispatch(incident, "A-1", choice.eta_s)
    >>> port.dispatch(incident, "A-1", choice.eta_s)
    Traceback (most recent call last):
    ...
    yanyun.core.errors.Conflict: unit A-1 is not available
    """

    backend = "memory"

    def __init__(
        self,
        units: Sequence[FleetUnit],
        stations: Mapping[str, tuple[float, float]],
        *,
        estimator: TravelTimeEstimator | None = None,
        urban: bool = True,
        dispatch_target_s: int = 60,
        arrival_target_s: int = 300,
    ) -> None:
        if not stations:
            raise ValueError("a replay needs at least one station")
        self._units = sorted(units, key=lambda u: u.id)
        self._stations = dict(stations)
        self._codes = sorted(self._stations)
        self._station_lng = np.array([self._stations[c][0] for c in self._codes])
        self._station_lat = np.array([self._stations[c][1] for c in self._codes])
        self.estimator = estimator or GreatCircleEstimator()
        self.urban = urban
        self.dispatch_target_s = dispatch_target_s
        self.arrival_target_s = arrival_target_s
        self.index = FleetIndex(
            [
                UnitSnapshot(u.id, u.lng, u.lat, u.kind, u.capabilities, u.available)
                for u in self._units
            ]
        )
        self._free = {u.id: u.available for u in self._units}
        self.status: dict[str, str] = {}
        self.assigned: dict[str, set[str]] = {}
        self.log: list[tuple[str, str, str | None]] = []

    def fleet(self) -> list[FleetUnit]:
        return list(self._units)

    def stations(self) -> dict[str, tuple[float, float]]:
        return dict(self._stations)

    def nearest_station(self, lng: float, lat: float) -> str:
        """The code of the station nearest to a point (ties by code)."""
        d_m = distance_m_array(self._station_lng, self._station_lat, lng, lat)
        return self._codes[int(np.argmin(d_m))]

    def open_incident(self, call: Call) -> OpenedIncident | None:
        if not (math.isfinite(call.lng) and math.isfinite(call.lat)):
            return None
        station = call.station_code
        if station not in self._stations:
            station = self.nearest_station(call.lng, call.lat)
        key = f"R{call.seq:07d}"
        if key in self.status:
            raise Conflict(f"重复警情{key}", f"incident {key} already opened")
        self.status[key] = "received"
        self.assigned[key] = set()
        self.log.append((key, "received", None))
        return OpenedIncident(
            key=key,
            number=key,
            lng=call.lng,
            lat=call.lat,
            station_code=station,
            urban=self.urban,
            priority=call.priority or 3,
            dispatch_target_s=self.dispatch_target_s,
            arrival_target_s=self.arrival_target_s,
            required=call.required if call.required is not None else frozenset({"patrol"}),
        )

    def recommend(self, incident: OpenedIncident, call: Call) -> Choice | None:
        ranked = self.index.top_k(
            incident.lng,
            incident.lat,
            k=1,
            required=incident.required,
            estimator=self.estimator,
            urban=incident.urban,
        )
        return Choice(ranked[0].unit_id, ranked[0].eta_s) if ranked else None

    def _move(self, key: str, allowed: tuple[str, ...], to: str, unit_id: str | None) -> None:
        if key not in self.status:
            raise NotFound("incident", key)
        if self.status[key] not in allowed:
            raise Conflict(
                f"警情{key}不能转为{to}", f"incident {key} is {self.status[key]}; not {to}"
            )
        self.status[key] = to
        self.log.append((key, to, unit_id))

    def dispatch(self, incident: OpenedIncident, unit_id: str, eta_s: float) -> None:
        if unit_id not in self._free:
            raise NotFound("unit", unit_id)
        if not self._free[unit_id]:
            raise Conflict(f"警力单元{unit_id}不可用", f"unit {unit_id} is not available")
        if self.status.get(incident.key) == "received":
            self._move(incident.key, ("received",), "dispatched", unit_id)
        elif self.status.get(incident.key) not in ("dispatched", "en_route", "on_scene"):
            raise Conflict(f"警情{incident.key}不能派警", f"incident {incident.key} is closed")
        self._free[unit_id] = False
        self.index.update(unit_id, available=False)
        self.assigned[incident.key].add(unit_id)

    def _check_assigned(self, incident: OpenedIncident, unit_id: str) -> None:
        if unit_id not in self.assigned.get(incident.key, ()):
            raise Conflict(
                f"警力单元{unit_id}未被派往该警情",
                f"unit {unit_id} is not assigned to incident {incident.key}",
            )

    def acknowledge(self, incident: OpenedIncident, unit_id: str) -> None:
        self._check_assigned(incident, unit_id)
        if self.status[incident.key] == "dispatched":
            self._move(incident.key, ("dispatched",), "en_route", unit_id)

    def arrive(self, incident: OpenedIncident, unit_id: str) -> None:
        self._check_assigned(incident, unit_id)
        if self.status[incident.key] in ("dispatched", "en_route"):
            self._move(incident.key, ("dispatched", "en_route"), "on_scene", unit_id)
        self.index.update(unit_id, lng=incident.lng, lat=incident.lat)

    def resolve(self, incident: OpenedIncident) -> None:
        self._move(incident.key, ("on_scene",), "resolved", None)
        for unit_id in sorted(self.assigned.pop(incident.key)):
            self._free[unit_id] = True
            self.index.update(unit_id, available=True)
        self.assigned[incident.key] = set()

    def move_units(self, fixes: Sequence[tuple[str, float, float]]) -> None:
        for unit_id, lng, lat in fixes:
            self.index.update(unit_id, lng=lng, lat=lat)
