"""The demo city, alive: simulated calls in real time on the demo database.

:func:`run_live` runs the simulator's engine on a SimPy
``RealtimeEnvironment`` against the platform (:class:`PlatformPort`), with
the runtime's own clock: here wall time is right, it *is* the demo. Calls
arrive at the given rate (with the daily rhythm), are opened, dispatched
with the platform's recommendation, acknowledged, reached and resolved,
each step committed on its own, so the live map and the event stream show
them as they happen.

Blocking; run it in a thread and stop it with the event::

    handle = start_live(runtime, calls_per_hour=30, seed=1)
    ...
    handle.stop()  # sets the event, joins the thread (stops within ~0.5 s)

People may act on the same incidents and units (dispatch a unit by hand,
resolve an incident early): the driver then logs the refusal and lets that
call go instead of failing.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import simpy
import simpy.rt
from sqlalchemy import select

from yanyun.command import lifecycle
from yanyun.command import service as command_service
from yanyun.command.models import Incident
from yanyun.core.db import Runtime
from yanyun.core.errors import DomainError
from yanyun.sim.calls import CallGenerator
from yanyun.sim.engine import CitySim
from yanyun.sim.field_port import FieldCrewPort
from yanyun.sim.platform import SIM_ACTOR, PlatformPort
from yanyun.sim.report import SimReport

__all__ = ["LiveHandle", "run_live", "start_live"]

log = logging.getLogger("yanyun.sim.live")

#: How often units driving home report their position (s).
AVL_INTERVAL_S = 15.0


def run_live(
    runtime: Runtime,
    *,
    calls_per_hour: float = 30.0,
    seed: int = 1,
    stop_event: threading.Event,
    poll_s: float = 0.5,
    time_factor: float = 1.0,
) -> SimReport:
    """Open calls in real time and walk them to resolution until ``stop_event`` is set.

    Parameters
    ----------
    runtime : Runtime
        The demo's runtime: its sessions, settings and clock (wall time).
    calls_per_hour : float
        Mean rate over a day; the hour of day shapes it.
    seed : int
        Seed of the call stream (places, categories, durations).
    stop_event : threading.Event
        Set it to stop; checked every ``poll_s`` seconds.
    time_factor : float
        Wall seconds per simulated second. Leave it at 1 with a wall
        clock; a smaller factor with a ``FrozenClock`` runs the same thing
        faster (tests).

    Returns
    -------
    SimReport
        What happened until the stop (policy ``recommend``, backend ``field``: the units'
        steps go through the field app's actions, as the crews' phones send them).

    Incidents the simulator left open in an earlier run (the process was
    killed) are cancelled first, which frees their units.
    """
    port = FieldCrewPort(runtime, actor=SIM_ACTOR)
    cancelled = cancel_leftovers(port)
    if cancelled:
        log.info("live simulator: cancelled %d incidents left open by an earlier run", cancelled)
    env = simpy.rt.RealtimeEnvironment(factor=time_factor, strict=False)
    start = runtime.clock.now()
    calls = CallGenerator(
        port.grid_areas(),
        port.catalogue,
        rng=random.Random(seed),
        calls_per_hour=calls_per_hour,
        start=start,
        feasible={u.capabilities for u in port.fleet()},
    )
    sim = CitySim(
        port,
        calls,
        policy="recommend",
        clock=runtime.clock,
        start=start,
        horizon_s=None,
        estimator=port.estimator,
        strict=False,
        env=env,
    )
    sim.start_processes()
    env.process(_report_positions(sim))
    stopped = env.event()
    env.process(_watch(env, stop_event, stopped, poll_s))
    env.run(until=stopped)
    return sim.report()


def _watch(
    env: simpy.Environment, stop_event: threading.Event, stopped: simpy.Event, poll_s: float
) -> Iterator[simpy.Event]:
    while not stop_event.is_set():
        yield env.timeout(poll_s)
    stopped.succeed()


def _report_positions(sim: CitySim) -> Iterator[simpy.Event]:
    # Between decisions too, so the map sees units drive home.
    while True:
        yield sim.env.timeout(AVL_INTERVAL_S)
        sim.refresh_positions()


def cancel_leftovers(port: PlatformPort) -> int:
    """Cancel the simulator's incidents still open (from a run that was killed); count them."""
    with port.session() as session:
        ids = list(
            session.scalars(
                select(Incident.id).where(
                    Incident.created_by == port.actor.user_id,
                    Incident.status.in_(sorted(lifecycle.OPEN_STATUSES)),
                )
            )
        )
    done = 0
    for incident_id in ids:
        try:
            with port.session() as session:
                command_service.transition(
                    session=session,
                    clock=port.clock,
                    actor=port.actor,
                    incident_id=incident_id,
                    to_status="cancelled",
                    note="模拟器重启，撤销遗留警情 simulator restarted: left-over call cancelled",
                )
            done += 1
        except DomainError as exc:
            log.warning("live simulator: could not cancel %s: %s", incident_id, exc)
    return done


@dataclass
class LiveHandle:
    """A running live simulator: its thread and the event that stops it."""

    thread: threading.Thread
    stop_event: threading.Event
    result: list[SimReport]

    def stop(self, timeout: float = 10.0) -> SimReport | None:
        """Ask the driver to stop, wait for it, and return its report if it finished."""
        self.stop_event.set()
        self.thread.join(timeout)
        return self.result[0] if self.result else None


def start_live(
    runtime: Runtime, *, calls_per_hour: float = 30.0, seed: int = 1, time_factor: float = 1.0
) -> LiveHandle:
    """Run :func:`run_live` in a daemon thread; stop it with ``handle.stop()``."""
    stop_event = threading.Event()
    result: list[SimReport] = []

    def target() -> None:
        try:
            result.append(
                run_live(
                    runtime,
                    calls_per_hour=calls_per_hour,
                    seed=seed,
                    stop_event=stop_event,
                    time_factor=time_factor,
                )
            )
        except Exception:
            log.exception("live simulator stopped on an error")

    thread = threading.Thread(target=target, name="yanyun-live-sim", daemon=True)
    thread.start()
    return LiveHandle(thread=thread, stop_event=stop_event, result=result)
