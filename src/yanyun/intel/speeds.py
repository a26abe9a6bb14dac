"""Absurd speeds: a plate seen at two cameras further apart than it could have driven."""

from __future__ import annotations

import math

import numpy as np

from yanyun.intel.pool import FLAG_ABSURD_SPEED


def too_fast(km: np.ndarray, dt_ms: np.ndarray, max_kmh: float) -> np.ndarray:
    """km in dt_ms faster than max_kmh; at the same instant, anything beyond 100 m."""
    return np.where(dt_ms > 0, km * 3_600_000 > max_kmh * dt_ms, km > 0.1)


def absurd_speed_flags(
    same_plate: np.ndarray, ms: np.ndarray, lng: np.ndarray, lat: np.ndarray, max_kmh: float
) -> np.ndarray:
    """Flag a sighting reached from the plate's previous one faster than `max_kmh`.

    Rows are sorted by plate then time; `same_plate[i]` says row i-1 is the same plate.
    """
    flags = np.zeros(len(ms), np.int8)
    if len(ms) < 2:
        return flags
    km = distance_km(lng[:-1], lat[:-1], lng[1:], lat[1:])
    flags[1:][same_plate[1:] & too_fast(km, ms[1:] - ms[:-1], max_kmh)] = FLAG_ABSURD_SPEED
    return flags


def distance_km(
    lng1: np.ndarray, lat1: np.ndarray, lng2: np.ndarray, lat2: np.ndarray
) -> np.ndarray:
    """Distance on the equirectangular projection: within 0.1 % of the great circle over a
    city (tens of km), and a fifth of haversine's cost per row."""
    k = math.pi / 180
    dx = (lng2 - lng1) * np.cos((lat1 + lat2) * (k / 2))
    dy = lat2 - lat1
    return 6371.0088 * k * np.sqrt(dx * dx + dy * dy)
