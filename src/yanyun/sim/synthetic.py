"""The synthetic city run through the platform itself: calls drawn from its grids, one policy."""

from __future__ import annotations

import random

from yanyun.core.clock import FrozenClock
from yanyun.core.db import Runtime
from yanyun.sim.calls import CallGenerator
from yanyun.sim.engine import CitySim
from yanyun.sim.platform import PlatformPort
from yanyun.sim.report import SimReport


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
