"""The simulator's bookkeeping: what each call went through, and the fleet as it sees it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from yanyun.geo.coords import distance_m_array
from yanyun.geo.travel import UNIT_KIND_CODES
from yanyun.sim.ports import Call, FleetUnit, OpenedIncident

__all__ = ["FleetState", "Trace"]


@dataclass(slots=True)
class Trace:
    """One call's way through the run: when it was taken, sent, reached and resolved."""

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


class FleetState:
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
