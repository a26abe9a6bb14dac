"""Chicago's public record as a replay stream: its district stations, a fleet at them, its crimes.

The helpers read the public data described in ``../shared/data/README.md``
(City of Chicago data portal, "Crimes - 2001 to present"); the data stays
where it is, never in the repository.
"""

from __future__ import annotations

import csv
import random
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from yanyun.sim.ports import FleetUnit
from yanyun.sim.replay import ReplayStream, call_of_class

CHICAGO_TZ = ZoneInfo("America/Chicago")

#: Coarse classes of Chicago's ``primary_type``: violent offences need an
#: armed unit and come first; the rest need any patrol. Types not listed
#: are "other".
CHICAGO_TYPES: Mapping[str, str] = {
    **{
        t: "violent"
        for t in (
            "HOMICIDE",
            "ROBBERY",
            "BATTERY",
            "ASSAULT",
            "CRIM SEXUAL ASSAULT",
            "KIDNAPPING",
            "WEAPONS VIOLATION",
            "HUMAN TRAFFICKING",
            "INTIMIDATION",
            "ARSON",
        )
    },
    **{
        t: "property"
        for t in (
            "THEFT",
            "BURGLARY",
            "MOTOR VEHICLE THEFT",
            "CRIMINAL DAMAGE",
            "CRIMINAL TRESPASS",
            "DECEPTIVE PRACTICE",
        )
    },
}

_LOCATION = re.compile(r"\(\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*\)")




def load_chicago_stations(path: Path) -> dict[str, tuple[float, float]]:
    """Read the district stations from ``chicago_police_stations.csv``: code -> (lng, lat).

    Codes are three-digit district numbers as in the incidents (``"009"``);
    headquarters is left out (it answers no calls). Coordinates come from
    the ``(lat, lon)`` pair at the end of the LOCATION column.
    """
    stations: dict[str, tuple[float, float]] = {}
    with Path(path).open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            district = (row.get("DISTRICT") or "").strip()
            match = _LOCATION.search(row.get("LOCATION") or "")
            if not district.isdigit() or match is None:
                continue
            lat, lng = float(match.group(1)), float(match.group(2))
            stations[f"{int(district):03d}"] = (lng, lat)
    return stations


def chicago_fleet(
    stations: Mapping[str, tuple[float, float]],
    *,
    units_per_station: int = 6,
    armed_per_station: int = 2,
) -> list[FleetUnit]:
    """Patrol cars parked at each station; the first ``armed_per_station`` are armed."""
    if units_per_station < 1 or not 0 <= armed_per_station <= units_per_station:
        raise ValueError("need 1+ units per station and 0..units_per_station armed")
    units = []
    for code in sorted(stations):
        lng, lat = stations[code]
        for n in range(1, units_per_station + 1):
            caps = {"patrol", "armed"} if n <= armed_per_station else {"patrol"}
            units.append(
                FleetUnit(
                    id=f"D{code}-{n:02d}",
                    kind="patrol_car",
                    station_code=code,
                    capabilities=frozenset(caps),
                    lng=lng,
                    lat=lat,
                    home_lng=lng,
                    home_lat=lat,
                )
            )
    return units


def load_chicago_incidents(
    path: Path, *, start: datetime, days: float, rng: random.Random
) -> ReplayStream:
    """Read a window of ``incidents_2014_2018.parquet`` and turn it into calls.

    ``start`` is local Chicago time (naive or aware). Timestamps have
    minute resolution, so each call gets a uniform second within its
    minute. Rows without coordinates are dropped and counted. The type
    becomes a class (:data:`CHICAGO_TYPES`) that sets the capabilities
    required, the priority and the on-scene time; handling and reaction
    times are drawn as for the synthetic city. All draws come from ``rng``
    in the stream's order, so a seed gives the same calls to every policy.
    """
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    local_start = (
        start.replace(tzinfo=None)
        if start.tzinfo is None
        else (start.astimezone(CHICAGO_TZ).replace(tzinfo=None))
    )
    local_end = local_start + timedelta(days=days)
    table = pq.read_table(
        path,
        columns=["occurred_at", "primary_type", "district", "lat", "lon"],
        filters=[("occurred_at", ">=", local_start), ("occurred_at", "<", local_end)],
    )
    table = table.sort_by([("occurred_at", "ascending")])
    times = table.column("occurred_at").to_pylist()
    types = pc.cast(table.column("primary_type"), "string").to_pylist()
    districts = table.column("district").to_pylist()
    lats = table.column("lat").to_pylist()
    lngs = table.column("lon").to_pylist()
    aware_start = local_start.replace(tzinfo=CHICAGO_TZ)
    rows = []
    dropped = 0
    for when, kind, district, lat, lng in zip(times, types, districts, lats, lngs, strict=True):
        if lat is None or lng is None:
            dropped += 1
            continue
        # Minute timestamps: a uniform second within the minute.
        at_s = (when.replace(tzinfo=CHICAGO_TZ) - aware_start).total_seconds()
        rows.append((at_s + rng.uniform(0.0, 60.0), kind, district, lat, lng))
    rows.sort(key=lambda r: r[0])
    calls = []
    by_class: dict[str, int] = {}
    for seq, (at_s, kind, district, lat, lng) in enumerate(rows, start=1):
        klass = CHICAGO_TYPES.get(kind or "", "other")
        by_class[klass] = by_class.get(klass, 0) + 1
        calls.append(
            call_of_class(
                seq,
                at_s,
                float(lng),
                float(lat),
                klass,
                label=kind or "",
                station_code=district,
                rng=rng,
            )
        )
    return ReplayStream(
        start=aware_start,
        hours=days * 24.0,
        calls=calls,
        dropped_no_location=dropped,
        by_class=dict(sorted(by_class.items())),
    )
