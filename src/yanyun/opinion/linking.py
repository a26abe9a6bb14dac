"""Which incidents an opinion event is about, and which claims no incident backs.

Opinion may not read the command context's tables. The functions here take
incidents as plain records: the service feeds them from its own copy, filled
from command's incident events (see `handlers.py`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from yanyun.geo.coords import distance_m


@dataclass(frozen=True)
class IncidentRecord:
    """What linking needs of an incident; coordinates WGS-84."""

    id: str
    category_code: str | None
    district_code: str | None
    lng: float
    lat: float
    received_at: datetime
    number: str | None = None


def matching_incidents(
    incidents: Iterable[IncidentRecord],
    *,
    category_code: str | None,
    district_code: str | None,
    lng: float | None,
    lat: float | None,
    at: datetime,
    radius_m: float,
    window_s: float,
) -> list[IncidentRecord]:
    """Incidents of the same category near the place and time, closest first.

    With a point, "near" is within `radius_m`; with only a district, the same
    district; with neither, nothing matches (a claim placed nowhere cannot be
    checked against the map). An event with no category matches any category.
    """
    if lng is None and district_code is None:
        return []
    found: list[tuple[float, IncidentRecord]] = []
    for inc in incidents:
        if abs((inc.received_at - at).total_seconds()) > window_s:
            continue
        if category_code and inc.category_code and inc.category_code != category_code:
            continue
        if lng is not None and lat is not None:
            d = distance_m((lng, lat), (inc.lng, inc.lat))
            if d > radius_m:
                continue
        else:
            if inc.district_code != district_code:
                continue
            d = 0.0
        found.append((d, inc))
    found.sort(key=lambda x: (x[0], x[1].received_at))
    return [inc for _, inc in found]


def unverified_claim(*, claim: bool, linked: list[IncidentRecord]) -> bool:
    """A post telling of a death, attack, fire or missing child that no incident backs."""
    return claim and not linked
