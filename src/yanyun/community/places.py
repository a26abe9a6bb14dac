"""Names of the city's places for read models, from the in-memory city index."""

from __future__ import annotations

from yanyun.geo.schemas import PlaceRef
from yanyun.geo.service import CityIndex


def name_zh(places: dict[str, PlaceRef], code: str) -> str | None:
    """The Chinese name of a grid or station by code, or None for a code the city lacks."""
    place = places.get(code)
    return place.name_zh if place else None


def station_name_zh(city: CityIndex, code: str) -> str | None:
    """The Chinese name of a station, or None for a code the city lacks."""
    return name_zh(city.stations, code)
