"""Travel time of a unit to a point: an estimate behind a replaceable interface.

Recommendation ranks units by estimated arrival time. Until a road-network
router is plugged in, the estimate is great-circle distance times a detour
factor, divided by a speed that depends on the unit kind and on whether the
trip is urban or rural, plus a fixed start-up time per kind:

    eta_s = dispatch_overhead_s[kind] + distance_m * detour / speed_ms[kind, area]

Anything satisfying :class:`TravelTimeEstimator` can replace
:class:`GreatCircleEstimator`; callers never depend on the formula. The
default figures, and where they come from, are in ``docs/geo.md``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Protocol, runtime_checkable

import numpy as np

from yanyun.geo.coords import distance_m, distance_m_array

__all__ = [
    "DEFAULT_DETOUR_FACTOR_RURAL",
    "DEFAULT_DETOUR_FACTOR_URBAN",
    "DEFAULT_DISPATCH_OVERHEAD_S",
    "DEFAULT_SPEEDS_KMH",
    "UNIT_KINDS",
    "UNIT_KIND_CODES",
    "GreatCircleEstimator",
    "TravelTimeEstimator",
    "unit_kind_codes",
]

#: The kinds of unit that can be sent, in the order of their array codes.
UNIT_KINDS: tuple[str, ...] = ("patrol_car", "quick_response", "motorcycle", "foot", "fixed_post")

#: Kind name -> small integer code used in numpy arrays (``int8``).
UNIT_KIND_CODES: Mapping[str, int] = {kind: code for code, kind in enumerate(UNIT_KINDS)}

#: Effective speed along the road, km/h, as ``(urban, rural)``. Assumptions,
#: to be calibrated against recorded arrivals; see GreatCircleEstimator.
DEFAULT_SPEEDS_KMH: Mapping[str, tuple[float, float]] = {
    "patrol_car": (30.0, 50.0),
    "quick_response": (30.0, 50.0),
    "motorcycle": (35.0, 45.0),
    "foot": (6.0, 5.0),
    "fixed_post": (6.0, 5.0),
}

#: Seconds from the order to moving towards the incident, per kind.
DEFAULT_DISPATCH_OVERHEAD_S: Mapping[str, float] = {
    "patrol_car": 30.0,
    "quick_response": 20.0,
    "motorcycle": 15.0,
    "foot": 0.0,
    "fixed_post": 0.0,
}

#: Road distance over great-circle distance in towns and in the countryside.
DEFAULT_DETOUR_FACTOR_URBAN = 1.35
DEFAULT_DETOUR_FACTOR_RURAL = 1.25


def unit_kind_codes(kinds: list[str] | tuple[str, ...]) -> np.ndarray:
    """Turn unit kind names into the ``int8`` codes the array methods take.

    Raises ``ValueError`` for a name outside :data:`UNIT_KINDS`.

    >>> unit_kind_codes(["patrol_car", "foot"]).tolist()
    [0, 3]
    >>> unit_kind_codes(["bicycle"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: unknown unit kind 'bicycle'; known: patrol_car, quick_response, ...
    """
    return np.array([_kind_code(kind) for kind in kinds], dtype=np.int8)


def _kind_code(kind: str) -> int:
    try:
        return UNIT_KIND_CODES[kind]
    except KeyError:
        raise ValueError(f"unknown unit kind {kind!r}; known: {', '.join(UNIT_KINDS)}") from None


@runtime_checkable
class TravelTimeEstimator(Protocol):
    """Estimated travel time of a unit to a point, in seconds.

    Implementations: :class:`GreatCircleEstimator` now, a road-network
    router later. ``urban`` says whether the trip is in a town (the
    incident's area decides). All three methods must agree: ``eta_s_array``
    returns, element by element, what ``eta_s`` returns, and
    ``eta_lower_bound_s`` never exceeds either.
    """

    def eta_s(
        self,
        from_lng: float,
        from_lat: float,
        to_lng: float,
        to_lat: float,
        *,
        unit_kind: str,
        urban: bool,
    ) -> float:
        """Return the seconds a unit of this kind needs from one point to another."""
        ...

    def eta_s_array(
        self,
        from_lng: np.ndarray,
        from_lat: np.ndarray,
        to_lng: float,
        to_lat: float,
        *,
        unit_kinds: np.ndarray,
        urban: bool,
    ) -> np.ndarray:
        """Return the seconds each unit (array of positions, kind codes) needs to one point."""
        ...

    def eta_lower_bound_s(self, distance_m: float, *, urban: bool) -> float:
        """Return a time no unit of any kind can beat from ``distance_m`` or farther.

        ``distance_m`` is great-circle distance. Spatial search uses it to
        stop looking once farther units cannot rank; a router can answer
        with the start-up time plus the distance at its top speed.
        """
        ...


class GreatCircleEstimator:
    """Travel time from great-circle distance, a detour factor and a speed per kind.

    ``eta_s = dispatch_overhead_s[kind] + distance_m * detour / speed``,
    where the detour factor and speed depend on ``urban``.

    Parameters
    ----------
    speeds_kmh : mapping of str to (float, float), optional
        Effective average speed along the road in km/h, ``(urban, rural)``,
        per kind in :data:`UNIT_KINDS`. Kinds left out keep the defaults
        (:data:`DEFAULT_SPEEDS_KMH`). Speeds must be positive.
    detour_factor_urban, detour_factor_rural : float
        Road distance over great-circle distance, at least 1. Defaults 1.35
        and 1.25.
    dispatch_overhead_s : mapping of str to float, optional
        Seconds from the order until the unit moves (crew to the car,
        engine started), per kind; kinds left out keep
        :data:`DEFAULT_DISPATCH_OVERHEAD_S`. Non-negative.

    Notes
    -----
    The defaults are assumptions, not measurements, chosen to be defensible
    until arrivals recorded by the platform (assignment to arrival) are
    fitted:

    - *Cars* (``patrol_car``, ``quick_response``): 30 km/h urban, 50 km/h
      rural. Police cars on an emergency call may exceed limits (Road
      Traffic Safety Law, art. 53), but city traffic, junctions and turns
      keep door-to-door averages near typical urban traffic speeds; rural
      county and township roads are posted 40-70 km/h (Implementing
      Regulations, art. 45) with bends and villages in between.
    - *Motorcycles* (the "eagle-eye" 铁骑): 35 km/h urban, since they pass
      queues, which is why cities field them; 45 km/h rural, below a car
      on open road.
    - *On foot* (``foot`` and ``fixed_post``): 6 km/h urban, a hurried walk
      (normal walking is 4.5-5 km/h, about 1.3 m/s); 5 km/h rural.
    - *Detour*: road-circuity studies put road over straight-line distance
      at about 1.2-1.4; a rectangular street grid averages 4/pi = 1.27 over
      all directions. Short urban trips detour more (one-way streets,
      rivers, railways): 1.35 urban, 1.25 rural.
    - *Start-up*: 30 s to reach and start a patrol car, 20 s for a
      quick-response crew waiting at its platform, 15 s to mount a
      motorcycle, none on foot or at a fixed post.

    Examples
    --------
    A patrol car 1 km (great circle) from the incident, in town: 30 s to
    start, then 1,350 m of road at 30 km/h (8.33 m/s), 162 s:

    >>> est = GreatCircleEstimator()
    >>> round(est.eta_s(112.57, 26.89, 112.58, 26.89, unit_kind="patrol_car", urban=True))
    191
    >>> round(est.eta_s(112.57, 26.89, 112.58, 26.89, unit_kind="foot", urban=True))  # seconds
    803
    >>> est.eta_s(112.57, 26.89, 112.57, 26.89, unit_kind="patrol_car", urban=False)  # in place
    30.0

    The array form takes many units (kind codes, see :data:`UNIT_KIND_CODES`)
    and one destination:

    >>> kinds = unit_kind_codes(["patrol_car", "motorcycle", "fixed_post"])
    >>> lng, lat = np.array([112.58, 112.58, 112.57]), np.array([26.89, 26.89, 26.89])
    >>> np.round(est.eta_s_array(lng, lat, 112.57, 26.89, unit_kinds=kinds, urban=False)).tolist()
    [119.0, 114.0, 0.0]

    Custom speeds replace only the kinds given:

    >>> slow = GreatCircleEstimator(speeds_kmh={"patrol_car": (15.0, 40.0)})
    >>> round(slow.eta_s(112.57, 26.89, 112.58, 26.89, unit_kind="patrol_car", urban=True))
    351
    """

    def __init__(
        self,
        speeds_kmh: Mapping[str, tuple[float, float]] | None = None,
        *,
        detour_factor_urban: float = DEFAULT_DETOUR_FACTOR_URBAN,
        detour_factor_rural: float = DEFAULT_DETOUR_FACTOR_RURAL,
        dispatch_overhead_s: Mapping[str, float] | None = None,
    ) -> None:
        speeds = {**DEFAULT_SPEEDS_KMH, **_checked_kinds(speeds_kmh or {}, "speeds_kmh")}
        overhead = {
            **DEFAULT_DISPATCH_OVERHEAD_S,
            **_checked_kinds(dispatch_overhead_s or {}, "dispatch_overhead_s"),
        }
        for name, factor in (("urban", detour_factor_urban), ("rural", detour_factor_rural)):
            if not (math.isfinite(factor) and factor >= 1.0):
                raise ValueError(f"detour_factor_{name} must be at least 1, got {factor!r}")
        for kind in UNIT_KINDS:
            urban_kmh, rural_kmh = speeds[kind]
            if not all(math.isfinite(v) and v > 0.0 for v in (urban_kmh, rural_kmh)):
                raise ValueError(f"speeds of {kind!r} must be positive, got {speeds[kind]!r}")
            if not (math.isfinite(overhead[kind]) and overhead[kind] >= 0.0):
                raise ValueError(f"overhead of {kind!r} must be >= 0 s, got {overhead[kind]!r}")
        self.speeds_kmh: Mapping[str, tuple[float, float]] = {k: speeds[k] for k in UNIT_KINDS}
        self.detour_factor_urban = float(detour_factor_urban)
        self.detour_factor_rural = float(detour_factor_rural)
        self.dispatch_overhead_s: Mapping[str, float] = {k: float(overhead[k]) for k in UNIT_KINDS}
        # Seconds per metre of great-circle distance, indexed [rural=0/urban=1, kind code].
        self._s_per_m = np.array(
            [
                [self.detour_factor_rural * 3.6 / speeds[k][1] for k in UNIT_KINDS],
                [self.detour_factor_urban * 3.6 / speeds[k][0] for k in UNIT_KINDS],
            ],
            dtype=np.float64,
        )
        self._overhead_s = np.array([overhead[k] for k in UNIT_KINDS], dtype=np.float64)
        # Plain tuples: the bound is asked once or twice per query, and
        # numpy's call overhead would exceed the arithmetic.
        self._bound_terms = tuple(
            tuple(zip(self._overhead_s.tolist(), self._s_per_m[area].tolist(), strict=True))
            for area in (0, 1)
        )

    def __repr__(self) -> str:
        return (
            f"GreatCircleEstimator(speeds_kmh={dict(self.speeds_kmh)!r}, "
            f"detour_factor_urban={self.detour_factor_urban!r}, "
            f"detour_factor_rural={self.detour_factor_rural!r}, "
            f"dispatch_overhead_s={dict(self.dispatch_overhead_s)!r})"
        )

    def eta_s(
        self,
        from_lng: float,
        from_lat: float,
        to_lng: float,
        to_lat: float,
        *,
        unit_kind: str,
        urban: bool,
    ) -> float:
        """Return the seconds a unit of ``unit_kind`` needs between two WGS-84 points.

        Parameters
        ----------
        from_lng, from_lat, to_lng, to_lat : float
            Degrees, WGS-84.
        unit_kind : str
            One of :data:`UNIT_KINDS`; ``ValueError`` otherwise.
        urban : bool
            Urban speeds and detour factor if true, rural ones if false.

        Returns
        -------
        float
            Seconds; the start-up time alone when both points coincide.
        """
        code = _kind_code(unit_kind)
        d_m = distance_m((from_lng, from_lat), (to_lng, to_lat))
        return float(self._overhead_s[code]) + d_m * float(self._s_per_m[int(urban), code])

    def eta_s_array(
        self,
        from_lng: np.ndarray,
        from_lat: np.ndarray,
        to_lng: float,
        to_lat: float,
        *,
        unit_kinds: np.ndarray,
        urban: bool,
    ) -> np.ndarray:
        """Return the seconds each unit needs to reach one WGS-84 point.

        Parameters
        ----------
        from_lng, from_lat : numpy.ndarray
            Units' positions in degrees, of equal shape.
        to_lng, to_lat : float
            The destination in degrees.
        unit_kinds : numpy.ndarray of int
            Kind codes (:data:`UNIT_KIND_CODES`), same shape as the positions.
        urban : bool
            Urban speeds and detour factor if true, rural ones if false.

        Returns
        -------
        numpy.ndarray of float64
            Seconds, same shape as ``from_lng``; equal to :meth:`eta_s` per
            element up to floating-point rounding (about 1e-15 relative).

        Examples
        --------
        >>> est = GreatCircleEstimator()
        >>> est.eta_s_array(np.array([]), np.array([]), 112.57, 26.89,
        ...                 unit_kinds=np.array([], dtype=np.int8), urban=True).shape
        (0,)
        >>> est.eta_s_array(np.array([112.57]), np.array([26.89]), 112.57, 26.89,
        ...                 unit_kinds=np.array([7]), urban=True)
        Traceback (most recent call last):
        ...
        ValueError: unit kind codes must lie in 0..4
        """
        codes = np.asarray(unit_kinds)
        if codes.size and (codes.min() < 0 or codes.max() >= len(UNIT_KINDS)):
            raise ValueError(f"unit kind codes must lie in 0..{len(UNIT_KINDS) - 1}")
        d_m = distance_m_array(from_lng, from_lat, to_lng, to_lat)
        return self._overhead_s[codes] + d_m * self._s_per_m[int(urban)][codes]

    def eta_lower_bound_s(self, distance_m: float, *, urban: bool) -> float:
        """Return the least ETA any kind can have from ``distance_m`` metres or farther.

        Every kind's ETA grows with distance, so the bound is the least over
        kinds of their ETA at exactly ``distance_m``.

        >>> est = GreatCircleEstimator()
        >>> est.eta_lower_bound_s(0.0, urban=True)  # someone on foot, in place
        0.0
        >>> round(est.eta_lower_bound_s(5000.0, urban=True))  # a motorcycle, seconds
        709
        """
        return min(
            overhead + distance_m * s_per_m for overhead, s_per_m in self._bound_terms[int(urban)]
        )


def _checked_kinds(values: Mapping[str, object], name: str) -> dict:
    unknown = sorted(set(values) - set(UNIT_KINDS))
    if unknown:
        raise ValueError(f"{name}: unknown unit kinds {unknown}; known: {', '.join(UNIT_KINDS)}")
    return dict(values)
