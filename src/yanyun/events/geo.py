"""Events of the city's geography."""

from __future__ import annotations

from yanyun.core.events import Event


class CityBuilt(Event):
    """The city's districts, stations and grids were generated."""

    kinds = ("city.built",)
    resource_type = "city"

    districts: int
    stations: int
    grids: int
