"""Rank units for an incident by estimated arrival time: pure logic, no I/O.

:class:`FleetIndex` keeps the units' live state in numpy arrays, so that
the service can answer "which five units get there first?" for each new
incident in well under a millisecond with 10,000 units, and move a unit or
change its availability in O(1) as positions and statuses stream in.

The answer is exact: the same units, in the same order, as computing every
eligible unit's ETA and sorting by ``(eta_s, unit_id)``. Speed comes from
looking only inside a box around the incident, sized by the local density
of units, and growing the box until the estimator's lower bound proves that
no unit outside it can rank (see :meth:`FleetIndex.top_k`). Measurements
are in ``docs/benchmarks.md``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from yanyun.command.candidate_reasons import Candidate, describe_candidates
from yanyun.command.capabilities import capability_mask
from yanyun.command.search_box import (
    RADIUS_SAFETY,
    box_covers,
    enclosing_box,
    grown_radius_m,
    kth_smallest,
)
from yanyun.geo.coords import EARTH_RADIUS_M, distance_m
from yanyun.geo.travel import UNIT_KIND_CODES, UNIT_KINDS, TravelTimeEstimator

__all__ = ["FleetIndex", "UnitSnapshot"]

# The first box is sized to hold this many units per requested candidate
# at the local density; most queries then finish in one round.
_UNITS_PER_CANDIDATE = 16
_MIN_RADIUS_M = 100.0
# Unit counts on a coarse grid over the fleet's initial extent give the
# local density that sizes the first box: a city centre holds many times
# the units per km² of the countryside.
_DENSITY_GRID = 32
_M_PER_DEG = math.pi * EARTH_RADIUS_M / 180.0


@dataclass(frozen=True, slots=True)
class UnitSnapshot:
    """A unit's state as the index needs it: where, what kind, what it can do, free or not."""

    id: str
    lng: float
    lat: float
    kind: str
    capabilities: frozenset[str]
    available: bool


def _check_position(lng: float, lat: float, what: str) -> None:
    if not (math.isfinite(lng) and math.isfinite(lat) and -180 <= lng <= 180 and -90 <= lat <= 90):
        raise ValueError(f"{what}: position ({lng!r}, {lat!r}) is not a WGS-84 point")


class FleetIndex:
    """The units that can be sent, as arrays, ranked by ETA on demand.

    Parameters
    ----------
    units : sequence of UnitSnapshot
        Unit ids must be unique; kinds from ``yanyun.geo.travel.UNIT_KINDS``;
        capabilities from :data:`CAPABILITIES`; positions WGS-84 degrees.
    box_search : bool
        Search a growing box around the incident (the default). ``False``
        computes the ETA of every eligible unit instead: same answers,
        slower; kept for comparisons.

    Notes
    -----
    Arrays, one row per unit in the order given: ``ids`` (list of str),
    ``lng``/``lat`` (float64), ``kinds`` (int8 codes), ``capabilities``
    (int32 bitmasks, :data:`CAPABILITY_BITS`), ``available`` (bool). They
    are exposed read-only; change them with :meth:`update`. The set of units
    is fixed: a unit joining or leaving the fleet means a new index (10,000
    units build in milliseconds), while going off duty is ``available=False``.

    Examples
    --------
    >>> from yanyun.geo.travel import GreatCircleEstimator
    >>> fleet = FleetIndex([
    ...     UnitSnapshot("car-1", 112.580, 26.890, "patrol_car", frozenset({"patrol"}), True),
    ...     UnitSnapshot("moto-1", 112.600, 26.890, "motorcycle", frozenset({"traffic"}), True),
    ...     UnitSnapshot("car-2", 112.571, 26.890, "patrol_car", frozenset({"patrol"}), False),
    ... ])
    >>> best = fleet.top_k(112.57, 26.89, k=5, required=frozenset({"patrol"}),
    ...                    estimator=GreatCircleEstimator(), urban=True)
    >>> [(c.rank, c.unit_id, round(c.eta_s), round(c.distance_m)) for c in best]
    [(1, 'car-1', 191, 992)]
    >>> best[0].reason_zh
    '巡逻车，距离990米，预计3分11秒到达，具备所需能力(巡逻)'
    >>> best[0].reason_en
    'patrol car, 990 m, ETA 3 min 11 s, has required capability (patrol)'
    >>> fleet.update("car-2", available=True)
    >>> [c.unit_id for c in fleet.top_k(112.57, 26.89, k=5, required=frozenset({"patrol"}),
    ...                                 estimator=GreatCircleEstimator(), urban=True)]
    ['car-2', 'car-1']
    """

    def __init__(self, units: Sequence[UnitSnapshot], *, box_search: bool = True) -> None:
        n = len(units)
        self._box_search = box_search
        self._ids: list[str] = [u.id for u in units]
        self._row: dict[str, int] = {uid: i for i, uid in enumerate(self._ids)}
        if len(self._row) != n:
            dup = next(uid for i, uid in enumerate(self._ids) if self._row[uid] != i)
            raise ValueError(f"duplicate unit id {dup!r}")
        self._lng = np.empty(n, dtype=np.float64)
        self._lat = np.empty(n, dtype=np.float64)
        self._kinds = np.empty(n, dtype=np.int8)
        self._caps = np.empty(n, dtype=np.int32)
        self._available = np.empty(n, dtype=bool)
        for i, u in enumerate(units):
            _check_position(u.lng, u.lat, f"unit {u.id!r}")
            if u.kind not in UNIT_KIND_CODES:
                known = ", ".join(UNIT_KINDS)
                raise ValueError(f"unit {u.id!r}: unknown kind {u.kind!r}; known: {known}")
            self._lng[i] = u.lng
            self._lat[i] = u.lat
            self._kinds[i] = UNIT_KIND_CODES[u.kind]
            self._caps[i] = capability_mask(u.capabilities)
            self._available[i] = bool(u.available)
        # Ties in ETA are broken by unit id; the rank of each id in sorted
        # order lets numpy do that with integers.
        self._id_rank = np.empty(n, dtype=np.int64)
        self._id_rank[sorted(range(n), key=self._ids.__getitem__)] = np.arange(n)
        # A box holding this one holds every unit, whatever updates did:
        # it only grows.
        if n:
            self._bounds = [
                float(self._lng.min()),
                float(self._lat.min()),
                float(self._lng.max()),
                float(self._lat.max()),
            ]
        else:
            self._bounds = [0.0, 0.0, 0.0, 0.0]
        self._grid_lng0, self._grid_lat0 = self._bounds[0], self._bounds[1]
        # A degenerate extent (one unit, one street) still gets cells of ~100 m.
        self._grid_dlng = max((self._bounds[2] - self._bounds[0]) / _DENSITY_GRID, 1e-3)
        self._grid_dlat = max((self._bounds[3] - self._bounds[1]) / _DENSITY_GRID, 1e-3)
        self._cell = np.array(
            [
                self._cell_of(x, y)
                for x, y in zip(self._lng.tolist(), self._lat.tolist(), strict=True)
            ],
            dtype=np.int32,
        )
        self._cell_counts = np.bincount(self._cell, minlength=_DENSITY_GRID**2).reshape(
            _DENSITY_GRID, _DENSITY_GRID
        )

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, unit_id: object) -> bool:
        return unit_id in self._row

    @property
    def ids(self) -> list[str]:
        """Unit ids, one per row (a copy)."""
        return list(self._ids)

    @property
    def lng(self) -> np.ndarray:
        """Longitudes, degrees WGS-84, float64 (read-only view)."""
        return _read_only(self._lng)

    @property
    def lat(self) -> np.ndarray:
        """Latitudes, degrees WGS-84, float64 (read-only view)."""
        return _read_only(self._lat)

    @property
    def kinds(self) -> np.ndarray:
        """Unit kind codes, ``yanyun.geo.travel.UNIT_KIND_CODES``, int8 (read-only view)."""
        return _read_only(self._kinds)

    @property
    def capabilities(self) -> np.ndarray:
        """Capability bitmasks, :data:`CAPABILITY_BITS`, int32 (read-only view)."""
        return _read_only(self._caps)

    @property
    def available(self) -> np.ndarray:
        """Whether each unit may be sent now, bool (read-only view)."""
        return _read_only(self._available)

    def update(
        self,
        unit_id: str,
        *,
        lng: float | None = None,
        lat: float | None = None,
        available: bool | None = None,
    ) -> None:
        """Move a unit or change its availability, in O(1).

        Arguments left as ``None`` keep their value. Raises ``KeyError`` for
        an unknown unit and ``ValueError`` for a position off the globe (the
        unit is then left unchanged).
        """
        row = self._row[unit_id]
        new_lng = float(self._lng[row]) if lng is None else float(lng)
        new_lat = float(self._lat[row]) if lat is None else float(lat)
        _check_position(new_lng, new_lat, f"unit {unit_id!r}")
        self._lng[row] = new_lng
        self._lat[row] = new_lat
        cell = self._cell_of(new_lng, new_lat)
        if cell != self._cell[row]:
            self._cell_counts.flat[self._cell[row]] -= 1
            self._cell_counts.flat[cell] += 1
            self._cell[row] = cell
        b = self._bounds
        b[0], b[1] = min(b[0], new_lng), min(b[1], new_lat)
        b[2], b[3] = max(b[2], new_lng), max(b[3], new_lat)
        if available is not None:
            self._available[row] = bool(available)

    def top_k(
        self,
        lng: float,
        lat: float,
        *,
        k: int = 5,
        required: frozenset[str],
        estimator: TravelTimeEstimator,
        urban: bool,
    ) -> list[Candidate]:
        """Return the ``k`` available units with the required capabilities that arrive first.

        Parameters
        ----------
        lng, lat : float
            The incident, degrees WGS-84.
        k : int
            How many candidates at most; fewer when fewer units qualify.
        required : frozenset of str
            Capabilities a unit must all have (empty: any unit).
        estimator : TravelTimeEstimator
            Gives each unit's ETA and the lower bound that limits the search.
        urban : bool
            Whether the incident is in a town (urban speeds and detours).

        Returns
        -------
        list of Candidate
            Ranked 1..k by ``(eta_s, unit_id)``, exactly as sorting every
            eligible unit would; ``[]`` when none qualifies.

        Notes
        -----
        The search looks at the units inside a box around the incident
        (:func:`enclosing_box`) of radius ``r``. If at least ``k`` of them
        qualify and the k-th best ETA is below
        ``estimator.eta_lower_bound_s(r)``, no unit outside can rank, and
        the answer is final. Otherwise ``r`` grows, to where the bound would
        pass the k-th ETA, or by the share of candidates still missing (1.5
        to 16 times), until the box holds every unit. The first radius
        (:meth:`initial_radius_m`) gives about sixteen units per candidate
        at the local density, so most queries take one round: a few
        vectorised passes over the coordinates, then the ETA of the units
        in the box only.
        """
        if k < 0:
            raise ValueError(f"k must be >= 0, got {k}")
        _check_position(lng, lat, "incident")
        req = capability_mask(required)
        if k == 0 or not self._ids:
            return []
        rows, eta_s, kth_eta_s = self._search(lng, lat, k, req, estimator, urban=urban)
        return self._candidates(rows, eta_s, kth_eta_s, k, lng, lat, required)

    def _search(
        self,
        lng: float,
        lat: float,
        k: int,
        req: int,
        estimator: TravelTimeEstimator,
        *,
        urban: bool,
    ) -> tuple[np.ndarray, np.ndarray, float]:
        """Grow the box until no unit outside can rank; return its rows, ETAs, the k-th ETA."""
        radius_m = self.initial_radius_m(lng, lat, k=k)
        while True:
            box = enclosing_box(lng, lat, radius_m) if self._box_search else None
            final = box is None or box_covers(box, self._bounds)
            rows = self._eligible_rows(None if final else box, req)
            eta_s = estimator.eta_s_array(
                self._lng[rows],
                self._lat[rows],
                lng,
                lat,
                unit_kinds=self._kinds[rows],
                urban=urban,
            )
            kth_eta_s = kth_smallest(eta_s, k)
            if final:
                break
            if kth_eta_s < estimator.eta_lower_bound_s(radius_m * RADIUS_SAFETY, urban=urban):
                break
            radius_m = grown_radius_m(radius_m, kth_eta_s, rows.size, k, estimator, urban=urban)
        return rows, eta_s, kth_eta_s

    def _eligible_rows(self, box: tuple[float, float, float, float] | None, req: int) -> np.ndarray:
        """Return the rows of available units with every required capability, inside ``box``.

        ``None`` means the whole fleet: no coordinate test at all.
        """
        if box is None:
            return np.flatnonzero(self._available & ((self._caps & req) == req))
        min_lng, min_lat, max_lng, max_lat = box
        inside = (self._lng >= min_lng) & (self._lng <= max_lng)
        inside &= self._lat >= min_lat
        inside &= self._lat <= max_lat
        rows = np.flatnonzero(inside)
        return rows[self._available[rows] & ((self._caps[rows] & req) == req)]

    def _cell_of(self, lng: float, lat: float) -> int:
        """Return the flat density-grid cell of a point, clamped to the grid."""
        col = min(max(int((lng - self._grid_lng0) / self._grid_dlng), 0), _DENSITY_GRID - 1)
        row = min(max(int((lat - self._grid_lat0) / self._grid_dlat), 0), _DENSITY_GRID - 1)
        return row * _DENSITY_GRID + col

    def initial_radius_m(self, lng: float, lat: float, *, k: int) -> float:
        """Return the radius of the first search box around an incident, in metres.

        About sixteen units per candidate at the local density: that of the
        3 x 3 cells of a 32 x 32 count grid (over the fleet's extent at
        build time) around the incident, or of the whole grid when those
        cells are empty or the incident lies outside. Exposed so that a
        search elsewhere (SQL, in the benchmark) can start from the same box.

        >>> fleet = FleetIndex([UnitSnapshot("u", 112.57, 26.89, "foot", frozenset(), True)])
        >>> round(fleet.initial_radius_m(112.57, 26.89, k=5))  # metres
        939
        """
        col = (lng - self._grid_lng0) / self._grid_dlng
        row = (lat - self._grid_lat0) / self._grid_dlat
        cell_m2 = (
            self._grid_dlng
            * _M_PER_DEG
            * math.cos(math.radians(lat))
            * self._grid_dlat
            * _M_PER_DEG
        )
        count, cells = len(self._ids), _DENSITY_GRID**2
        if 0.0 <= col < _DENSITY_GRID and 0.0 <= row < _DENSITY_GRID:
            c, r = int(col), int(row)
            block = self._cell_counts[max(r - 1, 0) : r + 2, max(c - 1, 0) : c + 2]
            local = int(block.sum())
            if local:
                count, cells = local, block.size
        density_per_m2 = count / (cells * cell_m2)
        # A box of half-width r covers 4 r² m².
        radius = math.sqrt(_UNITS_PER_CANDIDATE * k / (4.0 * density_per_m2))
        return max(radius, _MIN_RADIUS_M)

    def _candidates(
        self,
        rows: np.ndarray,
        eta_s: np.ndarray,
        kth_eta_s: float,
        k: int,
        lng: float,
        lat: float,
        required: frozenset[str],
    ) -> list[Candidate]:
        """Order the rows that can rank by (ETA, id) and describe the first k."""
        keep = np.flatnonzero(eta_s <= kth_eta_s) if rows.size > k else np.arange(rows.size)
        keep = keep[np.lexsort((self._id_rank[rows[keep]], eta_s[keep]))][:k]
        chosen = rows[keep]
        chosen_eta_s = eta_s[keep]
        # A few scalar haversines cost less than numpy's per-call overhead.
        distances_m = [
            distance_m(unit, (lng, lat))
            for unit in zip(self._lng[chosen].tolist(), self._lat[chosen].tolist(), strict=True)
        ]
        ids = [self._ids[row] for row in chosen.tolist()]
        return describe_candidates(
            ids, self._kinds[chosen].tolist(), chosen_eta_s.tolist(), distances_m, required
        )


def _read_only(array: np.ndarray) -> np.ndarray:
    view = array.view()
    view.flags.writeable = False
    return view
