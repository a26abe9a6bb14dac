"""What a run measured: response-time statistics and their side-by-side table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from yanyun.sim.state import FleetState, Trace

__all__ = ["SimReport", "Summary", "format_report", "summarise"]

# Calls that need no more than this may be answered by any patrolling unit.
_BASIC = frozenset({"patrol"})


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


def summarise(
    traces: Sequence[Trace],
    fleet: FleetState,
    *,
    policy: str,
    backend: str,
    end_s: float,
    horizon_s: float | None,
    rejected: int,
    max_queue: int,
    peak_busy: int,
    wall_s: float = 0.0,
) -> SimReport:
    """Summarise the calls a run took, as of ``end_s`` seconds into it."""
    dispatch_delays = [t.dispatched_s - t.received_s for t in traces if t.dispatched_s is not None]
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
    dispatch_breaches, arrival_breaches = _breaches(traces, end_s)
    span_s = horizon_s if horizon_s is not None else end_s
    busy_s = _busy_seconds(fleet, end_s, span_s)
    units = len(fleet.ids)
    return SimReport(
        policy=policy,
        backend=backend,
        hours=round(span_s / 3600.0, 3),
        calls=calls,
        rejected=rejected,
        dispatched=len(dispatch_delays),
        arrived=len(responses),
        resolved=sum(1 for t in traces if t.resolved_s is not None),
        open_at_end=sum(1 for t in traces if t.resolved_s is None),
        waited=sum(1 for t in traces if t.waited),
        max_queue=max_queue,
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
        peak_busy=peak_busy,
        wall_s=round(wall_s, 2),
    )


def _breaches(traces: Sequence[Trace], end_s: float) -> tuple[int, int]:
    """Dispatch and arrival deadlines missed; a step not taken by the end counts as late."""
    dispatch = sum(
        1
        for t in traces
        if ((t.dispatched_s if t.dispatched_s is not None else end_s) - t.received_s)
        > t.incident.dispatch_target_s
    )
    arrival = sum(
        1
        for t in traces
        if ((t.arrived_s if t.arrived_s is not None else end_s) - t.received_s)
        > t.incident.arrival_target_s
    )
    return dispatch, arrival


def _busy_seconds(fleet: FleetState, end_s: float, span_s: float) -> Any:
    """Seconds each unit spent busy, counting units still busy up to the end of the span."""
    busy_s = fleet.busy_s.copy()
    for row, since in fleet.busy_since.items():
        busy_s[row] += max(min(end_s, span_s) - since, 0.0)
    return busy_s


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
