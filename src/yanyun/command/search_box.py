"""The search box of the ranking: which lng/lat box can hold a rank, and how it grows.

Kept apart from :mod:`yanyun.command.ranking` because it is pure geometry
on a sphere plus the estimator's lower bound: the exactness argument of
:meth:`FleetIndex.top_k` rests on these two functions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from yanyun.geo.coords import EARTH_RADIUS_M
from yanyun.geo.travel import TravelTimeEstimator

__all__ = ["RADIUS_SAFETY", "box_covers", "enclosing_box", "grown_radius_m", "kth_smallest"]

# Units outside the search box are at least its radius away; the bound is
# taken a hair inside that radius so rounding in the box or in the
# estimator's distance cannot let an outside unit tie or beat the k-th.
RADIUS_SAFETY = 1.0 - 1e-9
_MIN_GROWTH = 1.5
_MAX_GROWTH = 16.0


def enclosing_box(
    lng: float, lat: float, radius_m: float
) -> tuple[float, float, float, float] | None:
    """Return a lng/lat box holding every point within ``radius_m`` of a point.

    Every point outside the box is more than ``radius_m`` metres (great
    circle, mean-radius sphere) from ``(lng, lat)``. Latitude: a point more
    than ``radius_m / R`` radians north or south is farther than that. Within
    that band, the haversine term ``cos(lat1) cos(lat2) sin²(dlng / 2)`` alone
    reaches ``sin²(radius_m / 2R)`` at the half-width returned, with
    ``cos(lat2)`` taken at the band's edge nearest a pole.

    Parameters
    ----------
    lng, lat : float
        Centre, degrees WGS-84.
    radius_m : float
        Metres, non-negative.

    Returns
    -------
    tuple of float or None
        ``(min_lng, min_lat, max_lng, max_lat)`` in degrees. The longitude
        range is ``(-180, 180)`` when the box would reach a pole or cross
        the antimeridian; ``None`` when the radius covers the whole globe.

    Examples
    --------
    >>> [round(v, 4) for v in enclosing_box(112.57, 26.89, 1000.0)]
    [112.5599, 26.881, 112.5801, 26.899]
    >>> enclosing_box(112.57, 26.89, 0.0)
    (112.57, 26.89, 112.57, 26.89)
    >>> enclosing_box(179.99, 0.0, 5000.0)[::2]  # would cross the antimeridian
    (-180.0, 180.0)
    >>> enclosing_box(0.0, 0.0, 3.0e7) is None  # farther than the antipode
    True
    """
    if radius_m >= math.pi * EARTH_RADIUS_M:
        return None
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    lat_lo, lat_hi = lat - dlat, lat + dlat
    whole = (-180.0, lat_lo, 180.0, lat_hi)
    if lat_lo <= -90.0 or lat_hi >= 90.0:
        return whole
    cos_edge = math.cos(math.radians(max(abs(lat_lo), abs(lat_hi))))
    s = math.sin(radius_m / (2.0 * EARTH_RADIUS_M)) / math.sqrt(
        math.cos(math.radians(lat)) * cos_edge
    )
    if s >= 1.0:
        return whole
    dlng = math.degrees(2.0 * math.asin(s))
    if lng - dlng < -180.0 or lng + dlng > 180.0:
        return whole
    return (lng - dlng, lat_lo, lng + dlng, lat_hi)


def grown_radius_m(
    radius_m: float,
    kth_eta_s: float,
    found: int,
    k: int,
    estimator: TravelTimeEstimator,
    *,
    urban: bool,
) -> float:
    """Return the next radius: where the bound would pass the k-th ETA, if known."""
    if math.isinf(kth_eta_s):
        # Too few qualify here: scale the box's area to twice the share
        # of candidates still missing.
        growth = math.sqrt(2.0 * k / found) if found else 4.0
        return radius_m * min(max(growth, 2.0), _MAX_GROWTH)
    # Extrapolate the bound along its slope between r and 2r; a kind's
    # ETA is near linear in distance, so this usually lands at once.
    at_r = estimator.eta_lower_bound_s(radius_m, urban=urban)
    at_2r = estimator.eta_lower_bound_s(2.0 * radius_m, urban=urban)
    slope = (at_2r - at_r) / radius_m
    wanted = radius_m + (kth_eta_s - at_r) / slope if slope > 0 else math.inf
    return min(max(wanted * 1.01, radius_m * _MIN_GROWTH), radius_m * _MAX_GROWTH)


def box_covers(box: Sequence[float], bounds: Sequence[float]) -> bool:
    """Whether ``box`` holds ``bounds`` (both min/max lng/lat): no need to search wider."""
    return (
        box[0] <= bounds[0] and box[1] <= bounds[1] and box[2] >= bounds[2] and box[3] >= bounds[3]
    )


def kth_smallest(eta_s: np.ndarray, k: int) -> float:
    """Return the k-th smallest ETA, or infinity when fewer than ``k`` units qualify."""
    if eta_s.size > k:
        return float(np.partition(eta_s, k - 1)[k - 1])
    if eta_s.size == k:
        return float(eta_s.max())
    return math.inf
