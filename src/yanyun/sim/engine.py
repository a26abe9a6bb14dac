"""The discrete-event simulator of the city: calls, dispatch, travel, service (SimPy).

A :class:`CitySim` takes a stream of :class:`Call`\\ s and walks each one
through the platform: open the incident, let a dispatch policy pick a unit,
dispatch it, acknowledge after a short reaction delay, arrive when the
travel-time estimate says, stay on scene for a service time, resolve; the
unit then drives back towards its home position and is available again on
the way. A call that finds no suitable unit free waits in a queue (most
urgent first, then oldest) until one is freed, and the wait counts in its
response time.

The simulator talks to the platform through a small port,
:class:`DispatchPort`, with two adapters:

- :class:`PlatformPort` (here): every step goes through the command
  services on a database session, one ``session_scope`` per step, so
  numbering, location, 1-3-5 circles, targets, breaches, the timeline and
  the outbox are the platform's own. ``yanyun sim`` and the live demo use it.
- ``yanyun.sim.replay.MemoryPort``: the same steps on a
  :class:`~yanyun.command.ranking.FleetIndex` in memory, no database; used
  to replay real incident streams (Chicago) at scale.

The SimPy clock drives the platform's clock: before every step the
injected :class:`~yanyun.core.clock.FrozenClock` is set to the simulated
instant, so every timestamp the platform records is simulated time. Every
random draw comes from the call stream's own ``random.Random(seed)`` and is
made when the call is generated, so all policies see the same calls, with
the same handling, reaction and service times (common random numbers).

Policies (see ``docs/sim.md``):

- ``recommend``: the platform's recommendation, fastest ETA among units
  with the capabilities the category requires
  (:func:`yanyun.command.units.recommend`);
- ``nearest_station``: the incident's own station sends a free unit of its
  own (vehicles first, the nearest by straight line), else the nearest
  station that has one;
- ``nearest_unit``: the nearest free unit by straight-line distance, any
  kind, no capability filter.
"""

from __future__ import annotations

import bisect
import logging
import math
import random
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any, Protocol

import numpy as np
import shapely
import simpy
from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.auth.service import Actor
from yanyun.command import service as command_service
from yanyun.command import units as command_units
from yanyun.command.catalogue import Catalogue, load_catalogue
from yanyun.command.models import Incident, Unit
from yanyun.command.schemas import IncidentCreate, IncidentSource, PositionIn
from yanyun.core.clock import SHANGHAI, Clock, FrozenClock
from yanyun.core.db import Runtime, session_scope
from yanyun.core.errors import DomainError, OutsideJurisdiction
from yanyun.geo import service as geo_service
from yanyun.geo.coords import distance_m_array
from yanyun.geo.models import Grid, Station
from yanyun.geo.travel import UNIT_KIND_CODES, GreatCircleEstimator, TravelTimeEstimator

__all__ = [
    "HOURLY_PROFILE",
    "POLICIES",
    "SIM_ACTOR",
    "Call",
    "CallGenerator",
    "Choice",
    "CitySim",
    "DispatchPort",
    "FleetUnit",
    "GridArea",
    "OpenedIncident",
    "PlatformPort",
    "SimReport",
    "Summary",
    "format_report",
    "grid_areas",
    "simulate",
]

log = logging.getLogger("yanyun.sim")

POLICIES: tuple[str, ...] = ("recommend", "nearest_station", "nearest_unit")

#: Relative call rate by local hour (mean 1.0): a trough at 4-5 a.m., a
#: morning rise, and the evening peak at 19-21 h that Chinese 110 centres
#: report (traffic, disputes and drink after dinner).
HOURLY_PROFILE: tuple[float, ...] = (
    0.70, 0.55, 0.45, 0.38, 0.34, 0.36, 0.48, 0.72,
    0.95, 1.05, 1.10, 1.12, 1.15, 1.08, 1.05, 1.08,
    1.15, 1.25, 1.40, 1.55, 1.58, 1.45, 1.20, 0.92,
)  # fmt: skip

#: Share of calls per catalogue category (by its key): assistance, disputes
#: and traffic dominate 110 calls; serious crime is a small part.
CATEGORY_WEIGHTS: Mapping[str, float] = {
    "criminal": 0.14,
    "public_order": 0.14,
    "traffic": 0.18,
    "fire": 0.02,
    "disaster": 0.02,
    "dispute": 0.18,
    "assistance": 0.22,
    "complaint": 0.05,
    "other": 0.05,
}
# Life-in-danger sub-categories are rarer than the rest of their category.
_PRIORITY_1_WEIGHT = 0.3

#: Median minutes on scene per category (lognormal, sigma 0.5, 5-180 min).
SERVICE_MEDIAN_MIN: Mapping[str, float] = {
    "criminal": 35.0,
    "public_order": 25.0,
    "traffic": 30.0,
    "fire": 40.0,
    "disaster": 45.0,
    "dispute": 30.0,
    "assistance": 20.0,
    "complaint": 15.0,
    "other": 15.0,
}
SERVICE_SIGMA = 0.5
SERVICE_MIN_S, SERVICE_MAX_S = 5 * 60.0, 180 * 60.0
# Receipt to a dispatch decision: taking the call, confirming place and kind.
HANDLING_MEDIAN_S, HANDLING_SIGMA = 40.0, 0.35
HANDLING_MIN_S, HANDLING_MAX_S = 15.0, 180.0
# Dispatch to the crew's acknowledgement on the radio or terminal.
REACTION_MIN_S, REACTION_MAX_S = 5.0, 30.0

# Calls that need no more than this may be answered by any patrolling unit.
_BASIC = frozenset({"patrol"})
# The nearest_station policy sends a station's vehicles before its officers
# on foot: a station answering a call sends a car.
_VEHICLES = frozenset(UNIT_KIND_CODES[k] for k in ("patrol_car", "quick_response", "motorcycle"))

#: Who the simulator acts as in the platform's timeline, audit log and events.
SIM_ACTOR = Actor(
    user_id="simulator",
    username="simulator",
    roles=("system",),
    org_code="",
    org_path="",
    permissions=frozenset(),
)


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


@dataclass(frozen=True, slots=True)
class Summary:
    """Count, mean and percentiles of a list of seconds (``None`` when empty)."""

    n: int
    mean: float | None
    p50: float | None
    p90: float | None
    p99: float | None

    @classmethod
    def of(cls, values: Sequence[float]) -> Summary:
        """Summarise seconds, rounded to 0.1 s.

        >>> Summary.of([60.0, 120.0, 180.0])
        Summary(n=3, mean=120.0, p50=120.0, p90=168.0, p99=178.8)
        >>> Summary.of([]).mean is None
        True
        """
        if not values:
            return cls(0, None, None, None, None)
        arr = np.asarray(values, dtype=np.float64)
        p50, p90, p99 = np.percentile(arr, [50, 90, 99]).tolist()
        return cls(
            len(values), round(float(arr.mean()), 1), round(p50, 1), round(p90, 1), round(p99, 1)
        )


@dataclass(frozen=True)
class SimReport:
    """What one run measured; equal for equal seeds (``wall_s`` aside).

    Shares (``within_*``) are of all calls received, so a call never reached
    counts as a miss; means and percentiles are over the calls that were
    dispatched (``dispatch_delay_s``) or reached (``response_s``).
    Response time runs from receipt to the first unit on scene.
    Utilisation is the share of unit-time spent assigned (dispatch to
    resolve) over the fleet and the hours simulated.

    Only ``recommend`` filters units by the capabilities a category
    requires; the straight-line policies may send a unit that lacks one
    (``mismatched`` counts those calls). ``response_basic_s`` is the
    response over the calls that need nothing beyond ``patrol``, where
    every policy plays by the same rules.
    """

    policy: str
    backend: str
    hours: float
    calls: int
    rejected: int
    dispatched: int
    arrived: int
    resolved: int
    open_at_end: int
    waited: int
    max_queue: int
    dispatch_delay_s: Summary
    response_s: Summary
    response_basic_s: Summary
    mismatched: int
    within_1_min: float
    within_3_min: float
    within_5_min: float
    within_target: float
    dispatch_breaches: int
    arrival_breaches: int
    units: int
    units_used: int
    utilisation: float
    peak_busy: int
    wall_s: float = field(default=0.0, compare=False)


@dataclass(slots=True)
class _Trace:
    call: Call
    incident: OpenedIncident
    received_s: float
    ready_s: float | None = None
    dispatched_s: float | None = None
    acknowledged_s: float | None = None
    arrived_s: float | None = None
    resolved_s: float | None = None
    unit_id: str | None = None
    capable: bool | None = None
    waited: bool = False
    abandoned: bool = False

    def queue_key(self) -> tuple[int, float, int]:
        return (self.incident.priority, self.received_s, self.call.seq)


class _Fleet:
    """The simulator's own view of the units: where they are, whose, and which are free."""

    def __init__(self, units: Sequence[FleetUnit]) -> None:
        self.ids = [u.id for u in units]
        self.row = {uid: i for i, uid in enumerate(self.ids)}
        self.kinds = np.array([UNIT_KIND_CODES[u.kind] for u in units], dtype=np.int8)
        self.kind_names = [u.kind for u in units]
        self.caps = [u.capabilities for u in units]
        self.station = [u.station_code for u in units]
        self.lng = np.array([u.lng for u in units], dtype=np.float64)
        self.lat = np.array([u.lat for u in units], dtype=np.float64)
        self.home_lng = np.array([u.home_lng for u in units], dtype=np.float64)
        self.home_lat = np.array([u.home_lat for u in units], dtype=np.float64)
        self.free = np.array([u.available for u in units], dtype=bool)
        self.id_rank = np.empty(len(units), dtype=np.int64)
        self.id_rank[sorted(range(len(units)), key=self.ids.__getitem__)] = np.arange(len(units))
        self.by_station: dict[str, np.ndarray] = {}
        for code in sorted(set(self.station)):
            self.by_station[code] = np.array(
                [i for i, s in enumerate(self.station) if s == code], dtype=np.int64
            )
        # Units driving home: row -> (from lng, from lat, left at s, trip s).
        self.returning: dict[int, tuple[float, float, float, float]] = {}
        self.busy_since: dict[int, float] = {}
        self.busy_s = np.zeros(len(units), dtype=np.float64)
        self.used: set[int] = set()

    def nearest(self, rows: np.ndarray, lng: float, lat: float) -> int | None:
        """The row among ``rows`` nearest to a point (ties by unit id)."""
        if rows.size == 0:
            return None
        d_m = distance_m_array(self.lng[rows], self.lat[rows], lng, lat)
        return int(rows[np.lexsort((self.id_rank[rows], d_m))[0]])


class CitySim:
    """Run calls through a platform under a dispatch policy, in simulated time.

    Parameters
    ----------
    port : DispatchPort
        The platform (database services or memory).
    calls : iterable of Call
        In order of ``at_s``; may be endless (the live demo).
    policy : str
        One of :data:`POLICIES`.
    clock : Clock
        The platform's clock. A :class:`FrozenClock` is set to
        ``start + env.now`` before every step; any other clock is taken to
        run in real time by itself (the live demo's SimPy environment is a
        ``RealtimeEnvironment``).
    start : datetime
        The instant ``env.now == 0`` stands for, timezone-aware.
    horizon_s : float or None
        Calls arriving from this many seconds on are not taken; ``None``
        takes every call of the stream.
    settle_s : float
        After the horizon, how long calls already taken may still be
        served before :meth:`run` stops and reports.
    estimator : TravelTimeEstimator
        ETA for the straight-line policies and the drive home; the platform
        ranks with the same :class:`GreatCircleEstimator` by default.
    strict : bool
        Raise on a platform error (simulations, tests). ``False`` logs it
        and drops the call instead (the live demo, where people act on the
        same incidents and units).
    env : simpy.Environment, optional
        A fresh ``simpy.Environment`` by default.
    """

    def __init__(
        self,
        port: DispatchPort,
        calls: Iterable[Call],
        *,
        policy: str,
        clock: Clock,
        start: datetime,
        horizon_s: float | None,
        settle_s: float = 3600.0,
        estimator: TravelTimeEstimator | None = None,
        strict: bool = True,
        env: simpy.Environment | None = None,
    ) -> None:
        if policy not in POLICIES:
            raise ValueError(f"unknown policy {policy!r}; known: {', '.join(POLICIES)}")
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        self.port = port
        self.policy = policy
        self.clock = clock
        self.start = start
        self.horizon_s = horizon_s
        self.settle_s = settle_s
        self.estimator = estimator or GreatCircleEstimator()
        self.strict = strict
        self.env = env or simpy.Environment()
        self._calls = iter(calls)
        self.fleet = _Fleet(port.fleet())
        stations = port.stations()
        self._station_codes = sorted(stations)
        self._station_lng = np.array([stations[c][0] for c in self._station_codes])
        self._station_lat = np.array([stations[c][1] for c in self._station_codes])
        self.traces: list[_Trace] = []
        self.rejected = 0
        self.waiting: list[_Trace] = []
        self.max_queue = 0
        self.peak_busy = int((~self.fleet.free).sum())
        self._refreshed_at: float | None = None
        self._started = False

    # -- driving -------------------------------------------------------------

    def start_processes(self) -> None:
        """Schedule the call stream on the environment (once)."""
        if not self._started:
            self._started = True
            self.env.process(self._take_calls())

    def run(self) -> SimReport:
        """Run to the horizon plus the settling time and report."""
        if self.horizon_s is None:
            raise ValueError("run() needs a horizon; drive an endless stream with env.run()")
        started = time.perf_counter()
        self.start_processes()
        self.env.run(until=self.horizon_s + self.settle_s)
        return self.report(wall_s=time.perf_counter() - started)

    def _sync(self) -> None:
        if isinstance(self.clock, FrozenClock):
            self.clock.set(self.start + timedelta(seconds=self.env.now))

    def _step(self, what: str, fn: Any, *args: Any) -> tuple[bool, Any]:
        """Call the platform at the current instant; in tolerant mode, survive its refusal."""
        self._sync()
        try:
            return True, fn(*args)
        except DomainError as exc:
            if self.strict:
                raise
            log.warning("simulator: %s refused: %s", what, exc)
            return False, None

    def _take_calls(self) -> Iterator[simpy.Event]:
        for call in self._calls:
            if self.horizon_s is not None and call.at_s >= self.horizon_s:
                break
            if call.at_s > self.env.now:
                yield self.env.timeout(call.at_s - self.env.now)
            ok, opened = self._step("open", self.port.open_incident, call)
            if not ok or opened is None:
                self.rejected += 1
                continue
            trace = _Trace(call=call, incident=opened, received_s=self.env.now)
            self.traces.append(trace)
            self.env.process(self._handle(trace))

    def _handle(self, trace: _Trace) -> Iterator[simpy.Event]:
        yield self.env.timeout(trace.call.handling_s)
        trace.ready_s = self.env.now
        self.waiting.append(trace)
        self._dispatch_waiting([trace])

    def _dispatch_waiting(self, only: list[_Trace] | None = None) -> None:
        """Give free units to waiting calls, most urgent first, then oldest."""
        candidates = sorted(only if only is not None else self.waiting, key=_Trace.queue_key)
        if not candidates:
            return
        self.refresh_positions()
        for trace in candidates:
            # The shortcut trusts the simulator's view of the fleet, which
            # people acting in the live demo can make stale.
            if self.strict and not self.fleet.free.any():
                trace.waited = True
                continue
            choice = self._choose(trace)
            if choice is None:
                trace.waited = True
                continue
            self._send(trace, choice)
        self.waiting = [t for t in self.waiting if t.dispatched_s is None and not t.abandoned]
        self.max_queue = max(self.max_queue, len(self.waiting))

    def _choose(self, trace: _Trace) -> Choice | None:
        incident = trace.incident
        if self.policy == "recommend":
            ok, choice = self._step("recommend", self.port.recommend, incident, trace.call)
            return choice if ok else None
        fleet = self.fleet
        if self.policy == "nearest_unit":
            row = fleet.nearest(np.flatnonzero(fleet.free), incident.lng, incident.lat)
        else:
            row = self._nearest_station_unit(incident)
        if row is None:
            return None
        eta_s = self.estimator.eta_s(
            float(fleet.lng[row]),
            float(fleet.lat[row]),
            incident.lng,
            incident.lat,
            unit_kind=fleet.kind_names[row],
            urban=incident.urban,
        )
        return Choice(fleet.ids[row], eta_s)

    def _nearest_station_unit(self, incident: OpenedIncident) -> int | None:
        fleet = self.fleet
        d_m = distance_m_array(self._station_lng, self._station_lat, incident.lng, incident.lat)
        order = sorted(
            range(len(self._station_codes)),
            key=lambda i: (
                self._station_codes[i] != incident.station_code,
                float(d_m[i]),
                self._station_codes[i],
            ),
        )
        for i in order:
            rows = fleet.by_station.get(self._station_codes[i])
            if rows is None:
                continue
            rows = rows[fleet.free[rows]]
            if rows.size == 0:
                continue
            vehicles = rows[np.isin(fleet.kinds[rows], list(_VEHICLES))]
            return fleet.nearest(vehicles if vehicles.size else rows, incident.lng, incident.lat)
        return None

    def _send(self, trace: _Trace, choice: Choice) -> None:
        ok, _ = self._step(
            "dispatch", self.port.dispatch, trace.incident, choice.unit_id, choice.eta_s
        )
        if not ok:
            # Only in tolerant mode (the live demo): someone else acted on
            # this incident or unit; let the call go rather than retry forever.
            trace.abandoned = True
            return
        row = self.fleet.row[choice.unit_id]
        self.fleet.free[row] = False
        self.fleet.returning.pop(row, None)
        self.fleet.busy_since[row] = self.env.now
        self.fleet.used.add(row)
        self.peak_busy = max(self.peak_busy, int((~self.fleet.free).sum()))
        trace.dispatched_s = self.env.now
        trace.unit_id = choice.unit_id
        trace.capable = trace.incident.required <= self.fleet.caps[row]
        self.env.process(self._respond(trace, row, choice.eta_s))

    def _respond(self, trace: _Trace, row: int, eta_s: float) -> Iterator[simpy.Event]:
        incident, unit_id = trace.incident, self.fleet.ids[row]
        reaction_s = min(trace.call.reaction_s, eta_s)
        yield self.env.timeout(reaction_s)
        ok, _ = self._step("acknowledge", self.port.acknowledge, incident, unit_id)
        if ok:
            trace.acknowledged_s = self.env.now
            yield self.env.timeout(eta_s - reaction_s)
            ok, _ = self._step("arrive", self.port.arrive, incident, unit_id)
        if ok:
            trace.arrived_s = self.env.now
            self.fleet.lng[row], self.fleet.lat[row] = incident.lng, incident.lat
            yield self.env.timeout(trace.call.service_s)
            ok, _ = self._step("resolve", self.port.resolve, incident)
        if ok:
            trace.resolved_s = self.env.now
        else:
            trace.abandoned = True
        self._release(row, urban=incident.urban)
        self._dispatch_waiting()

    def _release(self, row: int, *, urban: bool) -> None:
        fleet = self.fleet
        fleet.free[row] = True
        since = fleet.busy_since.pop(row)
        end = self.env.now if self.horizon_s is None else min(self.env.now, self.horizon_s)
        fleet.busy_s[row] += max(end - since, 0.0)
        home = (float(fleet.home_lng[row]), float(fleet.home_lat[row]))
        here = (float(fleet.lng[row]), float(fleet.lat[row]))
        if here != home:
            trip_s = self.estimator.eta_s(
                *here, *home, unit_kind=fleet.kind_names[row], urban=urban
            )
            fleet.returning[row] = (*here, self.env.now, max(trip_s, 1.0))

    def refresh_positions(self) -> None:
        """Move units driving home to where they are now, in the platform too."""
        fleet, now = self.fleet, self.env.now
        if not fleet.returning or self._refreshed_at == now:
            return
        self._refreshed_at = now
        fixes: list[tuple[str, float, float]] = []
        for row, (lng0, lat0, left_s, trip_s) in list(fleet.returning.items()):
            share = min((now - left_s) / trip_s, 1.0)
            lng = lng0 + (float(fleet.home_lng[row]) - lng0) * share
            lat = lat0 + (float(fleet.home_lat[row]) - lat0) * share
            if share >= 1.0:
                lng, lat = float(fleet.home_lng[row]), float(fleet.home_lat[row])
                del fleet.returning[row]
            fleet.lng[row], fleet.lat[row] = lng, lat
            fixes.append((fleet.ids[row], lng, lat))
        self._step("positions", self.port.move_units, fixes)

    # -- reporting -----------------------------------------------------------

    def report(self, *, wall_s: float = 0.0) -> SimReport:
        """Summarise the calls taken so far."""
        traces = self.traces
        end_s = self.env.now
        dispatch_delays = [
            t.dispatched_s - t.received_s for t in traces if t.dispatched_s is not None
        ]
        responses = [t.arrived_s - t.received_s for t in traces if t.arrived_s is not None]
        basic = [
            t.arrived_s - t.received_s
            for t in traces
            if t.arrived_s is not None and t.incident.required <= _BASIC
        ]
        calls = len(traces)

        def share(limit: float) -> float:
            hits = sum(
                1 for t in traces if t.arrived_s is not None and t.arrived_s - t.received_s <= limit
            )
            return round(hits / calls, 4) if calls else 0.0

        within_target = sum(
            1
            for t in traces
            if t.arrived_s is not None and t.arrived_s - t.received_s <= t.incident.arrival_target_s
        )
        dispatch_breaches = sum(
            1
            for t in traces
            if ((t.dispatched_s if t.dispatched_s is not None else end_s) - t.received_s)
            > t.incident.dispatch_target_s
        )
        arrival_breaches = sum(
            1
            for t in traces
            if ((t.arrived_s if t.arrived_s is not None else end_s) - t.received_s)
            > t.incident.arrival_target_s
        )
        fleet = self.fleet
        busy_s = fleet.busy_s.copy()
        span_s = self.horizon_s if self.horizon_s is not None else end_s
        for row, since in fleet.busy_since.items():
            busy_s[row] += max(min(end_s, span_s) - since, 0.0)
        units = len(fleet.ids)
        return SimReport(
            policy=self.policy,
            backend=getattr(self.port, "backend", type(self.port).__name__),
            hours=round(span_s / 3600.0, 3),
            calls=calls,
            rejected=self.rejected,
            dispatched=len(dispatch_delays),
            arrived=len(responses),
            resolved=sum(1 for t in traces if t.resolved_s is not None),
            open_at_end=sum(1 for t in traces if t.resolved_s is None),
            waited=sum(1 for t in traces if t.waited),
            max_queue=self.max_queue,
            dispatch_delay_s=Summary.of(dispatch_delays),
            response_s=Summary.of(responses),
            response_basic_s=Summary.of(basic),
            mismatched=sum(1 for t in traces if t.capable is False),
            within_1_min=share(60.0),
            within_3_min=share(180.0),
            within_5_min=share(300.0),
            within_target=round(within_target / calls, 4) if calls else 0.0,
            dispatch_breaches=dispatch_breaches,
            arrival_breaches=arrival_breaches,
            units=units,
            units_used=len(fleet.used),
            utilisation=round(float(busy_s.sum()) / (units * span_s), 4)
            if units and span_s > 0
            else 0.0,
            peak_busy=self.peak_busy,
            wall_s=round(wall_s, 2),
        )


def format_report(reports: Sequence[SimReport]) -> str:
    """Print runs side by side, one column per policy.

    >>> s = Summary.of([100.0, 400.0])
    >>> r = SimReport("recommend", "memory", 1.0, 2, 0, 2, 2, 2, 0, 0, 0, s, s, s, 0,
    ...               0.0, 0.5, 0.5, 0.5, 0, 1, 3, 2, 0.25, 2)
    >>> lines = format_report([r]).splitlines()
    >>> print(lines[0].strip())
    recommend
    >>> print(lines[12])
    response mean (s)                         250.0
    """
    if not reports:
        return "(no runs)"

    def secs(v: float | None) -> str:
        return "-" if v is None else f"{v:,.1f}"

    def pct(v: float) -> str:
        return f"{100.0 * v:.1f} %"

    rows: list[tuple[str, Any]] = [
        ("backend", lambda r: r.backend),
        ("hours simulated", lambda r: f"{r.hours:g}"),
        ("calls received", lambda r: f"{r.calls:,}"),
        ("calls refused (outside)", lambda r: f"{r.rejected:,}"),
        ("dispatched / arrived", lambda r: f"{r.dispatched:,} / {r.arrived:,}"),
        ("resolved / open at end", lambda r: f"{r.resolved:,} / {r.open_at_end:,}"),
        ("waited for a unit", lambda r: f"{r.waited:,}"),
        ("longest queue", lambda r: f"{r.max_queue:,}"),
        ("dispatch delay mean (s)", lambda r: secs(r.dispatch_delay_s.mean)),
        ("dispatch delay p90 (s)", lambda r: secs(r.dispatch_delay_s.p90)),
        ("response mean (s)", lambda r: secs(r.response_s.mean)),
        ("response p50 (s)", lambda r: secs(r.response_s.p50)),
        ("response p90 (s)", lambda r: secs(r.response_s.p90)),
        ("response p99 (s)", lambda r: secs(r.response_s.p99)),
        ("response mean, patrol-only calls (s)", lambda r: secs(r.response_basic_s.mean)),
        ("sent a unit lacking a capability", lambda r: f"{r.mismatched:,}"),
        ("arrived within 1 min", lambda r: pct(r.within_1_min)),
        ("arrived within 3 min", lambda r: pct(r.within_3_min)),
        ("arrived within 5 min", lambda r: pct(r.within_5_min)),
        ("arrived within own target", lambda r: pct(r.within_target)),
        ("dispatch breaches (>target)", lambda r: f"{r.dispatch_breaches:,}"),
        ("arrival breaches (>target)", lambda r: f"{r.arrival_breaches:,}"),
        ("units / used", lambda r: f"{r.units:,} / {r.units_used:,}"),
        ("utilisation (fleet)", lambda r: pct(r.utilisation)),
        ("peak units busy", lambda r: f"{r.peak_busy:,}"),
        ("run time (s)", lambda r: f"{r.wall_s:.1f}"),
    ]
    label_w = max(len(label) for label, _ in rows)
    cells = [[fmt(r) for r in reports] for _, fmt in rows]
    col_w = [max(len(r.policy), *(len(row[i]) for row in cells)) for i, r in enumerate(reports)]
    lines = [
        " " * label_w + "".join(f"  {r.policy:>{w}}" for r, w in zip(reports, col_w, strict=True)),
        "-" * (label_w + sum(w + 2 for w in col_w)),
    ]
    for (label, _), row in zip(rows, cells, strict=True):
        lines.append(
            f"{label:<{label_w}}" + "".join(f"  {c:>{w}}" for c, w in zip(row, col_w, strict=True))
        )
    return "\n".join(lines)


# -- the synthetic call stream ------------------------------------------------


@dataclass(frozen=True)
class GridArea:
    """A grid where calls can come from: its code, whether urban, its outline."""

    code: str
    urban: bool
    geometry: Any


def grid_areas(*, session: Session) -> list[GridArea]:
    """Read the city's grids, sorted by code, for the call generator."""
    rows = session.execute(
        select(Grid.code, Grid.is_urban, Grid.geometry_wkb).order_by(Grid.code)
    ).all()
    geometries = shapely.from_wkb([r.geometry_wkb for r in rows]) if rows else []
    return [
        GridArea(code=r.code, urban=bool(r.is_urban), geometry=g)
        for r, g in zip(rows, geometries, strict=True)
    ]


class CallGenerator:
    """An endless stream of calls with a daily rhythm and spatial concentration.

    Arrivals are a Poisson process whose rate follows
    :data:`HOURLY_PROFILE` by local hour (thinning). Places: a grid drawn
    with weight ``urban_weight`` for urban grids and 1 for rural ones, plus
    ``hotspots`` urban grids that together draw ``hotspot_share`` of the
    calls; then a uniform point inside the grid. Category by
    :data:`CATEGORY_WEIGHTS`, then a sub-category (priority-1 ones weighted
    0.3) among those that need some unit and that a single unit of the
    fleet can serve (``feasible``, when given). Handling, reaction and
    on-scene times are drawn per call.

    Parameters
    ----------
    grids : sequence of GridArea
    catalogue : Catalogue
    rng : random.Random
        The only source of randomness.
    calls_per_hour : float
        Mean rate over a day.
    start : datetime
        Aware; the local hour of ``start + at_s`` in ``tz`` sets the rate.
    tz : tzinfo
        Local time zone (Asia/Shanghai).
    feasible : iterable of frozenset of str, optional
        The capability sets of the fleet's units.
    """

    def __init__(
        self,
        grids: Sequence[GridArea],
        catalogue: Catalogue,
        *,
        rng: random.Random,
        calls_per_hour: float,
        start: datetime,
        tz: tzinfo = SHANGHAI,
        feasible: Iterable[frozenset[str]] | None = None,
        profile: Sequence[float] = HOURLY_PROFILE,
        urban_weight: float = 6.0,
        hotspots: int = 5,
        hotspot_share: float = 0.15,
    ) -> None:
        if calls_per_hour <= 0:
            raise ValueError("calls_per_hour must be positive")
        if len(profile) != 24 or min(profile) < 0:
            raise ValueError("profile needs 24 non-negative hourly values")
        if not grids:
            raise ValueError("no grids to place calls in")
        self.rng = rng
        self.start = start
        self.tz = tz
        mean = sum(profile) / 24.0
        self.rates_per_s = [calls_per_hour * p / mean / 3600.0 for p in profile]
        self.max_rate_per_s = max(self.rates_per_s)
        self.grids = list(grids)
        for g in self.grids:
            shapely.prepare(g.geometry)
        weights = [urban_weight if g.urban else 1.0 for g in self.grids]
        urban_rows = [i for i, g in enumerate(self.grids) if g.urban] or list(
            range(len(self.grids))
        )
        chosen = rng.sample(urban_rows, min(hotspots, len(urban_rows)))
        if chosen and 0.0 < hotspot_share < 1.0:
            extra = hotspot_share / (1.0 - hotspot_share) * sum(weights) / len(chosen)
            for i in chosen:
                weights[i] += extra
        self.hotspots = sorted(self.grids[i].code for i in chosen)
        self._grid_cum = _cumulative(weights)
        fleet_caps = [frozenset(c) for c in feasible] if feasible is not None else None
        self.subs: list[tuple[str, str, str]] = []  # (category, sub, category key)
        sub_weights: list[float] = []
        self.excluded: list[str] = []
        for category in catalogue.categories:
            eligible = []
            for sub in category.subcategories:
                caps = frozenset(sub.capabilities)
                if not caps or (fleet_caps is not None and not any(caps <= f for f in fleet_caps)):
                    self.excluded.append(sub.code)
                    continue
                eligible.append(sub)
            share = CATEGORY_WEIGHTS.get(category.key, 0.02)
            raw = [(_PRIORITY_1_WEIGHT if s.priority == 1 else 1.0) for s in eligible]
            for sub, w in zip(eligible, raw, strict=True):
                self.subs.append((category.code, sub.code, category.key))
                sub_weights.append(share * w / sum(raw))
        if not self.subs:
            raise ValueError("no incident sub-category can be served by this fleet")
        self._sub_cum = _cumulative(sub_weights)

    def __iter__(self) -> Iterator[Call]:
        rng, seq, at_s = self.rng, 0, 0.0
        while True:
            at_s += rng.expovariate(self.max_rate_per_s)
            hour = (self.start + timedelta(seconds=at_s)).astimezone(self.tz).hour
            if rng.random() * self.max_rate_per_s > self.rates_per_s[hour]:
                continue
            seq += 1
            grid = self.grids[
                bisect.bisect_right(self._grid_cum, rng.random() * self._grid_cum[-1])
            ]
            lng, lat = _point_in(grid.geometry, rng)
            category_code, sub_code, key = self.subs[
                bisect.bisect_right(self._sub_cum, rng.random() * self._sub_cum[-1])
            ]
            handling = rng.lognormvariate(math.log(HANDLING_MEDIAN_S), HANDLING_SIGMA)
            reaction = rng.uniform(REACTION_MIN_S, REACTION_MAX_S)
            service = rng.lognormvariate(math.log(SERVICE_MEDIAN_MIN[key] * 60.0), SERVICE_SIGMA)
            yield Call(
                seq=seq,
                at_s=at_s,
                lng=lng,
                lat=lat,
                category_code=category_code,
                sub_code=sub_code,
                handling_s=min(max(handling, HANDLING_MIN_S), HANDLING_MAX_S),
                reaction_s=reaction,
                service_s=min(max(service, SERVICE_MIN_S), SERVICE_MAX_S),
                label=key,
            )


def _cumulative(weights: Sequence[float]) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


def _point_in(geometry: Any, rng: random.Random, tries: int = 64) -> tuple[float, float]:
    """A uniform point inside a polygon (rejection from its box; its inner point at worst)."""
    min_lng, min_lat, max_lng, max_lat = geometry.bounds
    for _ in range(tries):
        lng = rng.uniform(min_lng, max_lng)
        lat = rng.uniform(min_lat, max_lat)
        if shapely.contains_xy(geometry, lng, lat):
            return lng, lat
    p = geometry.representative_point()
    return p.x, p.y


# -- the platform adapter -----------------------------------------------------


class PlatformPort:
    """The simulator's port onto the command services, one committed transaction per step.

    Parameters
    ----------
    runtime : Runtime
        Its clock stamps every record; its sessions reach the database.
    catalogue, estimator : optional
        The bureau's catalogue (from the settings) and a
        :class:`GreatCircleEstimator` by default, as the API uses.
    actor : Actor
        Who the timeline and audit log name (:data:`SIM_ACTOR`).
    """

    backend = "platform"

    def __init__(
        self,
        runtime: Runtime,
        *,
        catalogue: Catalogue | None = None,
        estimator: TravelTimeEstimator | None = None,
        actor: Actor = SIM_ACTOR,
    ) -> None:
        self.runtime = runtime
        self.clock = runtime.clock
        self.settings = runtime.settings.command
        self.catalogue = catalogue or load_catalogue(self.settings.catalogue_path)
        self.estimator = estimator or GreatCircleEstimator()
        self.actor = actor
        with self.session() as session:
            self.index = geo_service.load_index(session=session)

    def session(self) -> AbstractContextManager[Session]:
        """One committed unit of work, attributed to the simulator's actor."""
        return session_scope(
            self.runtime,
            actor_id=self.actor.user_id,
            actor_username=self.actor.username,
            actor_role=self.actor.primary_role,
        )

    def fleet(self) -> list[FleetUnit]:
        with self.session() as session:
            return [
                FleetUnit(
                    id=u.id,
                    kind=u.kind,
                    station_code=u.station_code,
                    capabilities=frozenset(u.capabilities),
                    lng=u.lng,
                    lat=u.lat,
                    home_lng=u.home_lng,
                    home_lat=u.home_lat,
                    available=u.status == "available",
                )
                for u in session.scalars(select(Unit).order_by(Unit.id))
            ]

    def stations(self) -> dict[str, tuple[float, float]]:
        with self.session() as session:
            rows = session.execute(select(Station.code, Station.lng, Station.lat)).all()
        return {r.code: (r.lng, r.lat) for r in rows}

    def grid_areas(self) -> list[GridArea]:
        """The city's grids, for a call generator."""
        with self.session() as session:
            return grid_areas(session=session)

    def open_incident(self, call: Call) -> OpenedIncident | None:
        body = IncidentCreate(
            source=IncidentSource.call_110,
            narrative=f"模拟警情 simulated call #{call.seq} ({call.label or call.category_code})",
            lng=call.lng,
            lat=call.lat,
            category_code=call.category_code,
            sub_code=call.sub_code,
            priority=call.priority,
        )
        with self.session() as session:
            try:
                incident = command_service.open_incident(
                    session=session,
                    clock=self.clock,
                    actor=self.actor,
                    index=self.index,
                    catalogue=self.catalogue,
                    settings=self.settings,
                    incident_in=body,
                )
            except OutsideJurisdiction:
                return None
            return OpenedIncident(
                required=command_units.required_capabilities(self.catalogue, incident),
                key=incident.id,
                number=incident.number,
                lng=incident.lng,
                lat=incident.lat,
                station_code=incident.station_code,
                urban=self.index.district_urban.get(incident.district_code, False),
                priority=incident.priority,
                dispatch_target_s=incident.dispatch_target_s,
                arrival_target_s=incident.arrival_target_s,
            )

    def recommend(self, incident: OpenedIncident, call: Call) -> Choice | None:
        with self.session() as session:
            row = session.get(Incident, incident.key)
            assert row is not None
            ranked = command_units.recommend(
                session=session,
                incident=row,
                catalogue=self.catalogue,
                estimator=self.estimator,
                urban=incident.urban,
                limit=1,
            )
        return Choice(ranked[0][0].unit_id, ranked[0][0].eta_s) if ranked else None

    def dispatch(self, incident: OpenedIncident, unit_id: str, eta_s: float) -> None:
        with self.session() as session:
            command_service.dispatch(
                session=session,
                clock=self.clock,
                actor=self.actor,
                incident_id=incident.key,
                unit_ids=[unit_id],
                etas_s={unit_id: round(eta_s, 1)},
            )

    def _unit_action(self, incident: OpenedIncident, unit_id: str, action: str) -> None:
        with self.session() as session:
            if action == "arrive":
                # The fix first: the unit's event then carries its place on scene.
                self._record(session, [(unit_id, incident.lng, incident.lat)])
            command_service.unit_action(
                session=session,
                clock=self.clock,
                actor=self.actor,
                unit_id=unit_id,
                incident_id=incident.key,
                action=action,
            )

    def acknowledge(self, incident: OpenedIncident, unit_id: str) -> None:
        self._unit_action(incident, unit_id, "acknowledge")

    def arrive(self, incident: OpenedIncident, unit_id: str) -> None:
        self._unit_action(incident, unit_id, "arrive")

    def resolve(self, incident: OpenedIncident) -> None:
        with self.session() as session:
            command_service.transition(
                session=session,
                clock=self.clock,
                actor=self.actor,
                incident_id=incident.key,
                to_status="resolved",
                note="模拟处置完毕 simulated: dealt with",
            )

    def move_units(self, fixes: Sequence[tuple[str, float, float]]) -> None:
        if fixes:
            with self.session() as session:
                self._record(session, fixes)

    def _record(self, session: Session, fixes: Sequence[tuple[str, float, float]]) -> None:
        now = self.clock.now()
        command_units.record_positions(
            session=session,
            clock=self.clock,
            settings=self.settings,
            positions=[PositionIn(unit_id=u, lng=x, lat=y, at=now) for u, x, y in fixes],
        )


def simulate(
    runtime: Runtime,
    *,
    policy: str,
    hours: float,
    calls_per_hour: float,
    seed: int,
    settle_s: float = 3600.0,
) -> SimReport:
    """Run the synthetic city through the platform for some hours under one policy.

    The runtime's clock must be a :class:`FrozenClock`: the run starts at
    its current instant and moves it. Everything is committed (the
    simulator is the edge): run it on a scratch database, or inside a
    transaction that is rolled back, never on a city in use.
    """
    if not isinstance(runtime.clock, FrozenClock):
        raise ValueError("simulate() needs a FrozenClock: it moves the platform's time")
    start = runtime.clock.now()
    port = PlatformPort(runtime)
    fleet_caps = {u.capabilities for u in port.fleet()}
    calls = CallGenerator(
        port.grid_areas(),
        port.catalogue,
        rng=random.Random(seed),
        calls_per_hour=calls_per_hour,
        start=start,
        feasible=fleet_caps,
    )
    sim = CitySim(
        port,
        calls,
        policy=policy,
        clock=runtime.clock,
        start=start,
        horizon_s=hours * 3600.0,
        settle_s=settle_s,
        estimator=port.estimator,
    )
    return sim.run()
