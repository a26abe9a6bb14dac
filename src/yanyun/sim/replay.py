"""Replay a recorded incident stream against a fleet placed at given stations, in memory.

The simulator's engine runs against :class:`~yanyun.sim.memory_port.MemoryPort`;
the stream comes from :mod:`yanyun.sim.chicago` or from plain records.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from yanyun.command.timing import (
    HANDLING_MAX_S,
    HANDLING_MEDIAN_S,
    HANDLING_MIN_S,
    HANDLING_SIGMA,
    REACTION_MAX_S,
    REACTION_MIN_S,
)
from yanyun.core.clock import FrozenClock
from yanyun.geo.travel import TravelTimeEstimator
from yanyun.sim.calls import SERVICE_MAX_S, SERVICE_MIN_S, SERVICE_SIGMA
from yanyun.sim.engine import CitySim
from yanyun.sim.memory_port import MemoryPort
from yanyun.sim.ports import Call, FleetUnit
from yanyun.sim.report import SimReport

__all__ = ["CLASS_RULES", "ReplayStream", "replay", "stream_from_records"]

#: Per class: capabilities required, priority (1 highest), median minutes on scene.
CLASS_RULES: Mapping[str, tuple[frozenset[str], int, float]] = {
    "violent": (frozenset({"patrol", "armed"}), 1, 45.0),
    "property": (frozenset({"patrol"}), 3, 30.0),
    "other": (frozenset({"patrol"}), 3, 25.0),
}

# Handling and reaction times as for the synthetic city (command.timing): the stream has neither.


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
            call_of_class(
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


def call_of_class(
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
