"""The discrete-event simulator of the city: calls, dispatch, travel, service (SimPy).

A :class:`CitySim` takes a stream of :class:`~yanyun.sim.ports.Call`\\ s and walks each one
through the platform: open the incident, let a dispatch policy pick a unit,
dispatch it, acknowledge after a short reaction delay, arrive when the
travel-time estimate says, stay on scene for a service time, resolve; the
unit then drives back towards its home position and is available again on
the way. A call that finds no suitable unit free waits in a queue (most
urgent first, then oldest) until one is freed, and the wait counts in its
response time.

The simulator talks to the platform through a small port,
:class:`~yanyun.sim.ports.DispatchPort`, with two adapters:

- :class:`~yanyun.sim.platform.PlatformPort`: every step goes through the command
  services on a database session, one ``session_scope`` per step, so
  numbering, location, 1-3-5 circles, targets, breaches, the timeline and
  the outbox are the platform's own. ``yanyun sim`` and the live demo use it.
- ``yanyun.sim.memory_port.MemoryPort``: the same steps on a
  :class:`~yanyun.command.ranking.FleetIndex` in memory, no database; used
  to replay real incident streams (Chicago) at scale.

The SimPy clock drives the platform's clock: before every step the
injected :class:`~yanyun.core.clock.FrozenClock` is set to the simulated
instant, so every timestamp the platform records is simulated time. Every
random draw comes from the call stream's own ``random.Random(seed)`` and is
made when the call is generated (:mod:`yanyun.sim.calls`), so all policies see the same calls, with
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

import logging
import time
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import simpy

from yanyun.core.clock import Clock, FrozenClock
from yanyun.core.errors import DomainError
from yanyun.geo.coords import distance_m_array
from yanyun.geo.travel import UNIT_KIND_CODES, GreatCircleEstimator, TravelTimeEstimator
from yanyun.sim.ports import Call, Choice, DispatchPort, OpenedIncident
from yanyun.sim.report import SimReport, summarise
from yanyun.sim.state import FleetState, Trace

__all__ = ["POLICIES", "CitySim"]

log = logging.getLogger("yanyun.sim")

POLICIES: tuple[str, ...] = ("recommend", "nearest_station", "nearest_unit")

# The nearest_station policy sends a station's vehicles before its officers
# on foot: a station answering a call sends a car.
_VEHICLES = frozenset(UNIT_KIND_CODES[k] for k in ("patrol_car", "quick_response", "motorcycle"))


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
        self.fleet = FleetState(port.fleet())
        stations = port.stations()
        self._station_codes = sorted(stations)
        self._station_lng = np.array([stations[c][0] for c in self._station_codes])
        self._station_lat = np.array([stations[c][1] for c in self._station_codes])
        self.traces: list[Trace] = []
        self.rejected = 0
        self.waiting: list[Trace] = []
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
            trace = Trace(call=call, incident=opened, received_s=self.env.now)
            self.traces.append(trace)
            self.env.process(self._handle(trace))

    def _handle(self, trace: Trace) -> Iterator[simpy.Event]:
        yield self.env.timeout(trace.call.handling_s)
        trace.ready_s = self.env.now
        self.waiting.append(trace)
        self._dispatch_waiting([trace])

    def _dispatch_waiting(self, only: list[Trace] | None = None) -> None:
        """Give free units to waiting calls, most urgent first, then oldest."""
        candidates = sorted(only if only is not None else self.waiting, key=Trace.queue_key)
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

    def _choose(self, trace: Trace) -> Choice | None:
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

    def _send(self, trace: Trace, choice: Choice) -> None:
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

    def _respond(self, trace: Trace, row: int, eta_s: float) -> Iterator[simpy.Event]:
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
        return summarise(
            self.traces,
            self.fleet,
            policy=self.policy,
            backend=getattr(self.port, "backend", type(self.port).__name__),
            end_s=self.env.now,
            horizon_s=self.horizon_s,
            rejected=self.rejected,
            max_queue=self.max_queue,
            peak_busy=self.peak_busy,
            wall_s=wall_s,
        )
