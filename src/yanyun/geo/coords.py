"""Coordinate systems: WGS-84, GCJ-02 (the Chinese map offset) and metric UTM.

Internally every coordinate in yanyun is WGS-84 ``(lng, lat)`` in degrees.
Chinese web maps (AMap, Tencent) and the shipped district boundaries use
GCJ-02, an obfuscated datum defined by a published closed-form offset from
WGS-84; conversion happens at the edges with the functions here. Areas,
Voronoi tessellation and clustering need metres, so shapely geometries are
projected to UTM zone 49N (EPSG:32649), the zone holding Hunan province.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import TypeVar

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

__all__ = [
    "EARTH_RADIUS_M",
    "METRIC_CRS",
    "LngLat",
    "distance_m",
    "distance_m_array",
    "from_metric",
    "gcj02_to_wgs84",
    "gcj02_to_wgs84_array",
    "to_metric",
    "utm_transformer",
    "wgs84_to_gcj02",
    "wgs84_to_gcj02_array",
]

LngLat = tuple[float, float]
GeometryT = TypeVar("GeometryT", bound=BaseGeometry)

#: Mean earth radius (IUGG R1) used by the great-circle distance.
EARTH_RADIUS_M = 6371008.8

#: UTM zone 49N on WGS-84; covers 108°E-114°E, i.e. all of Hengyang.
METRIC_CRS = "EPSG:32649"

# GCJ-02 is defined on the Krasovsky 1940 ellipsoid.
_KRASOVSKY_A = 6378245.0
_KRASOVSKY_EE = 0.00669342162296594323

# The offset is applied only inside this rough bounding box of China.
_CHINA_LNG = (72.004, 137.8347)
_CHINA_LAT = (0.8293, 55.8271)

# The inverse iteration stops when the forward image is this close to the
# target (degrees); 1e-10 deg is about 0.01 mm, far below the 1e-7 promised.
_INVERSE_TOLERANCE_DEG = 1e-10
_INVERSE_MAX_ITERATIONS = 30


def _in_china(lng: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return (
        (lng >= _CHINA_LNG[0])
        & (lng <= _CHINA_LNG[1])
        & (lat >= _CHINA_LAT[0])
        & (lat <= _CHINA_LAT[1])
    )


def _gcj02_offset(lng: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the GCJ-02 offset (dlng, dlat) in degrees at WGS-84 points.

    The published formula: two trigonometric series in (lng-105, lat-35)
    scaled to degrees by the Krasovsky radii of curvature at the latitude.
    """
    x = lng - 105.0
    y = lat - 35.0
    pi = math.pi
    common = (20.0 * np.sin(6.0 * pi * x) + 20.0 * np.sin(2.0 * pi * x)) * 2.0 / 3.0
    t_lat = (
        -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * np.sqrt(np.abs(x))
        + common
        + (20.0 * np.sin(pi * y) + 40.0 * np.sin(pi * y / 3.0)) * 2.0 / 3.0
        + (160.0 * np.sin(pi * y / 12.0) + 320.0 * np.sin(pi * y / 30.0)) * 2.0 / 3.0
    )
    t_lng = (
        300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * np.sqrt(np.abs(x))
        + common
        + (20.0 * np.sin(pi * x) + 40.0 * np.sin(pi * x / 3.0)) * 2.0 / 3.0
        + (150.0 * np.sin(pi * x / 12.0) + 300.0 * np.sin(pi * x / 30.0)) * 2.0 / 3.0
    )
    rad_lat = np.radians(lat)
    magic = 1.0 - _KRASOVSKY_EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (t_lat * 180.0) / ((_KRASOVSKY_A * (1.0 - _KRASOVSKY_EE)) / (magic * sqrt_magic) * pi)
    dlng = (t_lng * 180.0) / (_KRASOVSKY_A / sqrt_magic * np.cos(rad_lat) * pi)
    inside = _in_china(lng, lat)
    return np.where(inside, dlng, 0.0), np.where(inside, dlat, 0.0)


def _as_float_arrays(lng: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lng_arr = np.asarray(lng, dtype=np.float64)
    lat_arr = np.asarray(lat, dtype=np.float64)
    if lng_arr.shape != lat_arr.shape:
        raise ValueError(f"lng and lat shapes differ: {lng_arr.shape} != {lat_arr.shape}")
    return lng_arr, lat_arr


def wgs84_to_gcj02_array(lng: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Convert arrays of WGS-84 coordinates to GCJ-02.

    Parameters
    ----------
    lng, lat : numpy.ndarray
        WGS-84 longitudes and latitudes in degrees, of equal shape.

    Returns
    -------
    tuple of numpy.ndarray
        ``(lng_gcj, lat_gcj)`` in degrees, float64, same shape as the input.
        Points outside China's rough bounding box are returned unchanged.

    Examples
    --------
    >>> lng_gcj, lat_gcj = wgs84_to_gcj02_array(np.array([112.57, 2.35]), np.array([26.89, 48.85]))
    >>> np.round(lng_gcj, 5).tolist(), np.round(lat_gcj, 5).tolist()
    ([112.57524, 2.35], [26.88642, 48.85])
    """
    lng_arr, lat_arr = _as_float_arrays(lng, lat)
    dlng, dlat = _gcj02_offset(lng_arr, lat_arr)
    return lng_arr + dlng, lat_arr + dlat


def gcj02_to_wgs84_array(lng: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Convert arrays of GCJ-02 coordinates back to WGS-84.

    GCJ-02 has no closed-form inverse, so the forward formula is inverted by
    fixed-point iteration ``w <- w - (f(w) - g)``; the offset changes by
    about 0.6 % of a degree per degree, so each step gains two digits and
    five steps suffice anywhere in China. Iteration stops when the forward
    image of every point is within 1e-10 degrees of the input (about 0.01 mm
    on the ground), so the result is far inside the 1e-7 degree (about 1 cm)
    this function guarantees.

    Parameters
    ----------
    lng, lat : numpy.ndarray
        GCJ-02 longitudes and latitudes in degrees, of equal shape.

    Returns
    -------
    tuple of numpy.ndarray
        ``(lng, lat)`` WGS-84 in degrees, float64, same shape as the input.
        Points outside China's rough bounding box are returned unchanged.

    Examples
    --------
    >>> lng, lat = gcj02_to_wgs84_array(np.array([112.57524]), np.array([26.88642]))
    >>> np.round(lng, 5).tolist(), np.round(lat, 5).tolist()
    ([112.57], [26.89])
    >>> gcj02_to_wgs84_array(np.array([]), np.array([]))[0].shape
    (0,)
    """
    lng_gcj, lat_gcj = _as_float_arrays(lng, lat)
    lng_w = lng_gcj.copy()
    lat_w = lat_gcj.copy()
    for _ in range(_INVERSE_MAX_ITERATIONS):
        fwd_lng, fwd_lat = wgs84_to_gcj02_array(lng_w, lat_w)
        err_lng = fwd_lng - lng_gcj
        err_lat = fwd_lat - lat_gcj
        lng_w -= err_lng
        lat_w -= err_lat
        if err_lng.size == 0 or (
            np.max(np.abs(err_lng)) < _INVERSE_TOLERANCE_DEG
            and np.max(np.abs(err_lat)) < _INVERSE_TOLERANCE_DEG
        ):
            break
    return lng_w, lat_w


def wgs84_to_gcj02(lng: float, lat: float) -> LngLat:
    """Convert one WGS-84 point to GCJ-02 (the AMap / Tencent map datum).

    Uses the published GCJ-02 offset formula on the Krasovsky 1940 ellipsoid
    (a = 6378245.0 m, e² = 0.00669342162296594323). In Hengyang the offset
    is about +0.0052° in longitude and -0.0036° in latitude, some 650 m.

    Parameters
    ----------
    lng, lat : float
        WGS-84 longitude and latitude in degrees.

    Returns
    -------
    tuple of float
        ``(lng_gcj, lat_gcj)`` in degrees. Outside China's rough bounding
        box (72.004°E-137.8347°E, 0.8293°N-55.8271°N) the point is returned
        unchanged, as every GCJ-02 implementation does.

    Examples
    --------
    >>> lng_gcj, lat_gcj = wgs84_to_gcj02(112.57, 26.89)
    >>> round(lng_gcj, 5), round(lat_gcj, 5)
    (112.57524, 26.88642)
    >>> wgs84_to_gcj02(2.35, 48.85)  # Paris: outside China, unchanged
    (2.35, 48.85)
    """
    lng_gcj, lat_gcj = wgs84_to_gcj02_array(np.array([lng]), np.array([lat]))
    return float(lng_gcj[0]), float(lat_gcj[0])


def gcj02_to_wgs84(lng: float, lat: float) -> LngLat:
    """Convert one GCJ-02 point back to WGS-84.

    The inverse is found by iterating the forward formula until its image is
    within 1e-10 degrees of the input; the returned point is therefore
    within 1e-7 degrees (about 1 cm) of the exact inverse, in practice
    within 0.01 mm. See :func:`gcj02_to_wgs84_array`.

    Parameters
    ----------
    lng, lat : float
        GCJ-02 longitude and latitude in degrees.

    Returns
    -------
    tuple of float
        ``(lng, lat)`` WGS-84 in degrees; unchanged outside China.

    Examples
    --------
    >>> lng, lat = gcj02_to_wgs84(*wgs84_to_gcj02(112.57, 26.89))
    >>> abs(lng - 112.57) < 1e-9 and abs(lat - 26.89) < 1e-9
    True
    >>> gcj02_to_wgs84(-74.0, 40.7)  # New York: outside China, unchanged
    (-74.0, 40.7)
    """
    lng_w, lat_w = gcj02_to_wgs84_array(np.array([lng]), np.array([lat]))
    return float(lng_w[0]), float(lat_w[0])


def distance_m_array(
    lng1: np.ndarray, lat1: np.ndarray, lng2: np.ndarray, lat2: np.ndarray
) -> np.ndarray:
    """Great-circle distances in metres between arrays of WGS-84 points.

    Haversine on a sphere of radius 6,371,008.8 m (the mean earth radius);
    the sphere errs by up to about 0.5 % against the ellipsoid, which is
    below what a travel-time estimate can use.

    Parameters
    ----------
    lng1, lat1, lng2, lat2 : numpy.ndarray
        Degrees; broadcast against each other (one point against many works).

    Returns
    -------
    numpy.ndarray
        Distances in metres, float64, of the broadcast shape.

    Examples
    --------
    >>> d = distance_m_array(np.array([112.57, 112.57]), np.array([26.89, 26.89]),
    ...                      np.array([112.58, 112.57]), np.array([26.89, 26.90]))
    >>> np.round(d).tolist()
    [992.0, 1112.0]
    """
    phi1 = np.radians(np.asarray(lat1, dtype=np.float64))
    phi2 = np.radians(np.asarray(lat2, dtype=np.float64))
    dphi = phi2 - phi1
    dlmb = np.radians(np.asarray(lng2, dtype=np.float64) - np.asarray(lng1, dtype=np.float64))
    h = np.sin(dphi / 2.0) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlmb / 2.0) ** 2
    # Rounding can push h a hair above 1 for antipodal points.
    return 2.0 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def distance_m(a: LngLat, b: LngLat) -> float:
    """Great-circle distance in metres between two WGS-84 points.

    Parameters
    ----------
    a, b : tuple of float
        ``(lng, lat)`` in degrees.

    Returns
    -------
    float
        Haversine distance in metres on the mean-radius sphere
        (6,371,008.8 m); 0.0 for identical points.

    Examples
    --------
    >>> round(distance_m((112.57, 26.89), (112.58, 26.89)))
    992
    >>> distance_m((112.57, 26.89), (112.57, 26.89))
    0.0
    >>> round(distance_m((0.0, 0.0), (180.0, 0.0)) / 1000)  # half the equator, km
    20015
    """
    phi1 = math.radians(a[1])
    phi2 = math.radians(b[1])
    dphi = phi2 - phi1
    dlmb = math.radians(b[0] - a[0])
    h = math.sin(dphi / 2.0) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2.0) ** 2
    return 2.0 * EARTH_RADIUS_M * math.asin(math.sqrt(min(max(h, 0.0), 1.0)))


@lru_cache(maxsize=2)
def utm_transformer(*, inverse: bool = False) -> Transformer:
    """Return the cached WGS-84 -> UTM 49N transformer (or the inverse one).

    Built on first use rather than at import, since pyproj reads its
    database when a Transformer is created. Axis order is always (x, y) =
    (lng, lat) / (easting, northing).

    Examples
    --------
    >>> e, n = utm_transformer().transform(111.0, 0.0)  # zone 49N's meridian
    >>> round(e), round(n)
    (500000, 0)
    """
    src, dst = ("EPSG:4326", METRIC_CRS)
    if inverse:
        src, dst = dst, src
    return Transformer.from_crs(src, dst, always_xy=True)


def _transform_geometry(geom: GeometryT, transformer: Transformer) -> GeometryT:
    def project(xy: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geom, project)


def to_metric(geom: GeometryT) -> GeometryT:
    """Project a WGS-84 shapely geometry (or array of them) to UTM 49N metres.

    Areas, lengths and Voronoi diagrams computed on the result are in metres;
    within Hengyang the UTM scale error is below 0.04 %.

    Examples
    --------
    >>> from shapely import box
    >>> round(to_metric(box(112.5, 26.8, 112.51, 26.81)).area / 1e6, 3)  # km²
    1.101
    """
    return _transform_geometry(geom, utm_transformer())


def from_metric(geom: GeometryT) -> GeometryT:
    """Project a UTM 49N shapely geometry (or array of them) back to WGS-84.

    Examples
    --------
    >>> from shapely import Point
    >>> p = from_metric(to_metric(Point(112.57, 26.89)))
    >>> round(p.x, 9), round(p.y, 9)
    (112.57, 26.89)
    """
    return _transform_geometry(geom, utm_transformer(inverse=True))
