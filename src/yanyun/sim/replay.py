"""Replay a recorded incident stream against a fleet placed at given stations, in memory.

The simulator's engine (:class:`yanyun.sim.engine.CitySim`) runs against a
port; :class:`MemoryPort` is the port without a database: units live in a
:class:`~yanyun.command.ranking.FleetIndex`, travel times come from the
same :class:`~yanyun.geo.travel.GreatCircleEstimator` the platform ranks
with, and "recommend" is the ranking the platform's recommendation runs
(``FleetIndex.top_k`` with the capability filter). It needs no city in a
database, so a foreign city (Chicago) replays at tens of thousands of
incidents in seconds.

The Chicago helpers read the public data described in
``../shared/data/README.md`` (City of Chicago data portal, "Crimes - 2001
to present"); the data stays where it is, never in the repository.
"""

from __future__ import annotations

import csv
import math
import random
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

from yanyun.command.ranking import FleetIndex, UnitSnapshot
from yanyun.command.timing import (
    HANDLING_MAX_S,
    HANDLING_MEDIAN_S,
    HANDLING_MIN_S,
    HANDLING_SIGMA,
    REACTION_MAX_S,
    REACTION_MIN_S,
)
from yanyun.core.clock import FrozenClock
from yanyun.core.errors import Conflict, NotFound
from yanyun.geo.coords import distance_m_array
from yanyun.geo.travel import GreatCircleEstimator, TravelTimeEstimator
from yanyun.sim.calls import SERVICE_MAX_S, SERVICE_MIN_S, SERVICE_SIGMA
from yanyun.sim.engine import CitySim
from yanyun.sim.ports import Call, Choice, FleetUnit, OpenedIncident
from yanyun.sim.report import SimReport

__all__ = [
    "CHICAGO_TYPES",
    "CHICAGO_TZ",
    "MemoryPort",
    "ReplayStream",
    "chicago_fleet",
    "load_chicago_incidents",
    "load_chicago_stations",
    "replay",
    "stream_from_records",
]

CHICAGO_TZ = ZoneInfo("America/Chicago")

#: Coarse classes of Chicago's ``primary_type``: violent offences need an
#: armed unit and come first; the rest need any patrol. Types not listed
#: are "other".
CHICAGO_TYPES: Mapping[str, str] = {
    **{
        t: "violent"
        for t in (
            "HOMICIDE",
            "ROBBERY",
            "BATTERY",
            "ASSAULT",
            "CRIM SEXUAL ASSAULT",
            "KIDNAPPING",
            "WEAPONS VIOLATION",
            "HUMAN TRAFFICKING",
            "INTIMIDATION",
            "ARSON",
        )
    },
    **{
        t: "property"
        for t in (
            "THEFT",
            "BURGLARY",
            "MOTOR VEHICLE THEFT",
            "CRIMINAL DAMAGE",
            "CRIMINAL TRESPASS",
            "DECEPTIVE PRACTICE",
        )
    },
}

#: Per class: capabilities required, priority (1 highest), median minutes on scene.
CLASS_RULES: Mapping[str, tuple[frozenset[str], int, float]] = {
    "violent": (frozenset({"patrol", "armed"}), 1, 45.0),
    "property": (frozenset({"patrol"}), 3, 30.0),
    "other": (frozenset({"patrol"}), 3, 25.0),
}

# Handling and reaction times as for the synthetic city (command.timing): the stream has neither.

_LOCATION = re.compile(r"\(\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*\)")


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


@dataclass(frozen=True)
class ReplayStream:
    """A window of a recorded stream, ready to replay: calls and what was dropped."""

    start: datetime
    hours: float
    calls: list[Call]
    dropped_no_location: int
    by_class: dict[str, int]


def replay(
    stream: ReplayStream,
    *,
    units: Sequence[FleetUnit],
    stations: Mapping[str, tuple[float, float]],
    policy: str,
    estimator: TravelTimeEstimator | None = None,
    urban: bool = True,
    dispatch_target_s: int = 60,
    arrival_target_s: int = 300,
    settle_s: float = 3600.0,
) -> SimReport:
    """Run a recorded stream through the in-memory platform under one policy."""
    port = MemoryPort(
        units,
        stations,
        estimator=estimator,
        urban=urban,
        dispatch_target_s=dispatch_target_s,
        arrival_target_s=arrival_target_s,
    )
    sim = CitySim(
        port,
        stream.calls,
        policy=policy,
        clock=FrozenClock(stream.start),
        start=stream.start,
        horizon_s=stream.hours * 3600.0,
        settle_s=settle_s,
        estimator=port.estimator,
    )
    return sim.run()


# -- Chicago ------------------------------------------------------------------


def load_chicago_stations(path: Path) -> dict[str, tuple[float, float]]:
    """Read the district stations from ``chicago_police_stations.csv``: code -> (lng, lat).

    Codes are three-digit district numbers as in the incidents (``"009"``);
    headquarters is left out (it answers no calls). Coordinates come from
    the ``(lat, lon)`` pair at the end of the LOCATION column.
    """
    stations: dict[str, tuple[float, float]] = {}
    with Path(path).open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            district = (row.get("DISTRICT") or "").strip()
            match = _LOCATION.search(row.get("LOCATION") or "")
            if not district.isdigit() or match is None:
                continue
            lat, lng = float(match.group(1)), float(match.group(2))
            stations[f"{int(district):03d}"] = (lng, lat)
    return stations


def chicago_fleet(
    stations: Mapping[str, tuple[float, float]],
    *,
    units_per_station: int = 6,
    armed_per_station: int = 2,
) -> list[FleetUnit]:
    """Patrol cars parked at each station; the first ``armed_per_station`` are armed."""
    if units_per_station < 1 or not 0 <= armed_per_station <= units_per_station:
        raise ValueError("need 1+ units per station and 0..units_per_station armed")
    units = []
    for code in sorted(stations):
        lng, lat = stations[code]
        for n in range(1, units_per_station + 1):
            caps = {"patrol", "armed"} if n <= armed_per_station else {"patrol"}
            units.append(
                FleetUnit(
                    id=f"D{code}-{n:02d}",
                    kind="patrol_car",
                    station_code=code,
                    capabilities=frozenset(caps),
                    lng=lng,
                    lat=lat,
                    home_lng=lng,
                    home_lat=lat,
                )
            )
    return units


def load_chicago_incidents(
    path: Path, *, start: datetime, days: float, rng: random.Random
) -> ReplayStream:
    """Read a window of ``incidents_2014_2018.parquet`` and turn it into calls.

    ``start`` is local Chicago time (naive or aware). Timestamps have
    minute resolution, so each call gets a uniform second within its
    minute. Rows without coordinates are dropped and counted. The type
    becomes a class (:data:`CHICAGO_TYPES`) that sets the capabilities
    required, the priority and the on-scene time; handling and reaction
    times are drawn as for the synthetic city. All draws come from ``rng``
    in the stream's order, so a seed gives the same calls to every policy.
    """
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    local_start = (
        start.replace(tzinfo=None)
        if start.tzinfo is None
        else (start.astimezone(CHICAGO_TZ).replace(tzinfo=None))
    )
    local_end = local_start + timedelta(days=days)
    table = pq.read_table(
        path,
        columns=["occurred_at", "primary_type", "district", "lat", "lon"],
        filters=[("occurred_at", ">=", local_start), ("occurred_at", "<", local_end)],
    )
    table = table.sort_by([("occurred_at", "ascending")])
    times = table.column("occurred_at").to_pylist()
    types = pc.cast(table.column("primary_type"), "string").to_pylist()
    districts = table.column("district").to_pylist()
    lats = table.column("lat").to_pylist()
    lngs = table.column("lon").to_pylist()
    aware_start = local_start.replace(tzinfo=CHICAGO_TZ)
    rows = []
    dropped = 0
    for when, kind, district, lat, lng in zip(times, types, districts, lats, lngs, strict=True):
        if lat is None or lng is None:
            dropped += 1
            continue
        # Minute timestamps: a uniform second within the minute.
        at_s = (when.replace(tzinfo=CHICAGO_TZ) - aware_start).total_seconds()
        rows.append((at_s + rng.uniform(0.0, 60.0), kind, district, lat, lng))
    rows.sort(key=lambda r: r[0])
    calls = []
    by_class: dict[str, int] = {}
    for seq, (at_s, kind, district, lat, lng) in enumerate(rows, start=1):
        klass = CHICAGO_TYPES.get(kind or "", "other")
        by_class[klass] = by_class.get(klass, 0) + 1
        calls.append(
            _call(
                seq,
                at_s,
                float(lng),
                float(lat),
                klass,
                label=kind or "",
                station_code=district,
                rng=rng,
            )
        )
    return ReplayStream(
        start=aware_start,
        hours=days * 24.0,
        calls=calls,
        dropped_no_location=dropped,
        by_class=dict(sorted(by_class.items())),
    )


def stream_from_records(
    records: Iterable[tuple[float, float, float, str]],
    *,
    start: datetime,
    hours: float,
    rng: random.Random,
) -> ReplayStream:
    """Build a replay stream from ``(at_s, lng, lat, class)`` records (tests, other cities).

    ``class`` is a key of :data:`CLASS_RULES` (``violent``, ``property``,
    ``other``); draws as in :func:`load_chicago_incidents`.
    """
    calls = []
    by_class: dict[str, int] = {}
    for seq, (at_s, lng, lat, klass) in enumerate(sorted(records), start=1):
        by_class[klass] = by_class.get(klass, 0) + 1
        calls.append(
            _call(
                seq,
                float(at_s),
                float(lng),
                float(lat),
                klass,
                label=klass,
                station_code=None,
                rng=rng,
            )
        )
    return ReplayStream(
        start=start, hours=hours, calls=calls, dropped_no_location=0, by_class=by_class
    )


def _call(
    seq: int,
    at_s: float,
    lng: float,
    lat: float,
    klass: str,
    *,
    label: str,
    station_code: str | None,
    rng: random.Random,
) -> Call:
    """A replayed call of a class, with its handling, reaction and on-scene times drawn."""
    required, priority, service_median_min = CLASS_RULES[klass]
    handling = rng.lognormvariate(math.log(HANDLING_MEDIAN_S), HANDLING_SIGMA)
    reaction = rng.uniform(REACTION_MIN_S, REACTION_MAX_S)
    service = rng.lognormvariate(math.log(service_median_min * 60.0), SERVICE_SIGMA)
    return Call(
        seq=seq,
        at_s=at_s,
        lng=lng,
        lat=lat,
        category_code=klass,
        sub_code=None,
        handling_s=min(max(handling, HANDLING_MIN_S), HANDLING_MAX_S),
        reaction_s=reaction,
        service_s=min(max(service, SERVICE_MIN_S), SERVICE_MAX_S),
        label=label,
        required=required,
        priority=priority,
        station_code=station_code,
    )
