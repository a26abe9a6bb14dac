"""The demo volunteers: the organisation from corps to squads, rally points, 121,000 people."""

from __future__ import annotations

from datetime import datetime, timedelta
from random import Random
from typing import Any, TypedDict

import numpy as np

from yanyun.community.demo_spec import GIVEN, SURNAMES, CommunitySpec, DemoCity
from yanyun.community.selection import SKILLS


class UnitRow(TypedDict):
    id: str
    level: str
    parent_id: str | None
    name_zh: str
    name_en: str
    district_code: str | None
    station_code: str | None
    org_path: str


class RallyPointRow(TypedDict):
    id: str
    unit_id: str
    name_zh: str
    grid_code: str
    org_path: str
    lng: float
    lat: float


class VolunteerRow(TypedDict):
    id: str
    name_zh: str
    squad_id: str | None
    home_grid_code: str
    station_code: str
    org_path: str
    skills_mask: int
    available: bool
    grid_patroller: bool
    lng: float
    lat: float
    hours_total: float
    registered_at: datetime


def organisation(
    rng: Random, city: DemoCity, spec: CommunitySpec
) -> tuple[list[UnitRow], list[RallyPointRow]]:
    """Units (corps, detachment per district, brigade and squads per station) and rally points."""
    corps: UnitRow = {
        "id": f"VC-{city.bureau}",
        "level": "corps",
        "parent_id": None,
        "name_zh": "衡阳义警总队",
        "name_en": "Hengyang volunteer police corps",
        "district_code": None,
        "station_code": None,
        "org_path": city.bureau,
    }
    units = [corps] + [
        {
            "id": f"VD-{d.code}",
            "level": "detachment",
            "parent_id": corps["id"],
            "name_zh": f"{d.name_zh}义警支队",
            "name_en": f"{d.name_en} detachment",
            "district_code": d.code,
            "station_code": None,
            "org_path": f"{city.bureau}/{d.code}",
        }
        for d in city.districts
    ]
    points: list[RallyPointRow] = []
    district_codes = {d.code for d in city.districts}
    for s in city.stations:
        if s.district_code not in district_codes:
            continue
        units.extend(_brigade(s, city.station_path[s.code], spec))
        points.extend(_rally_points(rng, s, city, spec))
    return units, points


def _brigade(station: Any, org_path: str, spec: CommunitySpec) -> list[UnitRow]:
    """A station's brigade and its squads."""
    brigade = f"VB-{station.code}"
    rows: list[UnitRow] = [
        {
            "id": brigade,
            "level": "brigade",
            "parent_id": f"VD-{station.district_code}",
            "name_zh": f"{station.name_zh}义警大队",
            "name_en": f"{station.name_en} brigade",
            "district_code": station.district_code,
            "station_code": station.code,
            "org_path": org_path,
        }
    ]
    for k in range(1, spec.squads_per_brigade + 1):
        rows.append(
            {
                "id": f"VS-{station.code}-{k}",
                "level": "squad",
                "parent_id": brigade,
                "name_zh": f"{station.name_zh}义警第{k}中队",
                "name_en": f"{station.name_en} squad {k}",
                "district_code": station.district_code,
                "station_code": station.code,
                "org_path": org_path,
            }
        )
    return rows


def _rally_points(
    rng: Random, station: Any, city: DemoCity, spec: CommunitySpec
) -> list[RallyPointRow]:
    """A brigade's rally points, each at the centre of one of its station's grids."""
    own = city.by_station.get(station.code, [])
    points: list[RallyPointRow] = []
    for k in range(1, spec.rally_points_per_brigade + 1):
        if not own:
            break
        g = rng.choice(own)
        points.append(
            {
                "id": f"RP-{station.code}-{k}",
                "unit_id": f"VB-{station.code}",
                "name_zh": f"{station.name_zh}第{k}集结点",
                "grid_code": g.code,
                "org_path": city.station_path[station.code],
                "lng": g.lng,
                "lat": g.lat,
            }
        )
    return points


def volunteers(
    nrng: np.random.Generator,
    now: datetime,
    city: DemoCity,
    squads: dict[str, list[str]],
    spec: CommunitySpec,
) -> list[VolunteerRow]:
    """Volunteers living in the city's grids, more in urban ones, with skills and hours."""
    grids, grid_path = city.grids, city.grid_path
    n = spec.volunteers
    # Urban grids are small and crowded: weight them up so people live where people live.
    weights = np.array([4.0 if g.is_urban else 1.0 for g in grids])
    pick = nrng.choice(len(grids), size=n, p=weights / weights.sum())
    # Rows in grid order keep the index inserts sequential (several times faster).
    pick.sort()
    min_lng = np.array([g.min_lng for g in grids])[pick]
    max_lng = np.array([g.max_lng for g in grids])[pick]
    min_lat = np.array([g.min_lat for g in grids])[pick]
    max_lat = np.array([g.max_lat for g in grids])[pick]
    c_lng = np.array([g.lng for g in grids])[pick]
    c_lat = np.array([g.lat for g in grids])[pick]
    # Half-way between the centre and a uniform point keeps homes inside most grids.
    lng = (c_lng + min_lng + nrng.random(n) * (max_lng - min_lng)) / 2
    lat = (c_lat + min_lat + nrng.random(n) * (max_lat - min_lat)) / 2
    # Everyone patrols; about a third have first aid, fewer the rarer skills.
    shares = np.array([1.0, 0.35, 0.25, 0.2, 0.05, 0.15, 0.2, 0.3])[: len(SKILLS)]
    bits = nrng.random((n, len(SKILLS))) < shares
    masks = (bits * (1 << np.arange(len(SKILLS)))).sum(axis=1)
    available = nrng.random(n) < 0.8
    patroller = nrng.random(n) < spec.patroller_share
    hours = np.round(nrng.gamma(2.0, 12.0, n), 1)
    squad_pick = nrng.integers(0, 1 << 30, n)
    surnames = np.array(list(SURNAMES))[nrng.integers(0, len(SURNAMES), n)]
    given1 = np.array(list(GIVEN))[nrng.integers(0, len(GIVEN), n)]
    given2 = np.array(list(GIVEN))[nrng.integers(0, len(GIVEN), n)]
    two = nrng.random(n) < 0.7
    registered = now - timedelta(days=30)
    rows: list[VolunteerRow] = []
    for i in range(n):
        g = grids[pick[i]]
        own = squads.get(g.station_code) or [None]
        rows.append(
            {
                "id": f"V{i + 1:07d}",
                "name_zh": surnames[i] + given1[i] + (given2[i] if two[i] else ""),
                "squad_id": own[squad_pick[i] % len(own)],
                "home_grid_code": g.code,
                "station_code": g.station_code,
                "org_path": grid_path[g.code],
                "skills_mask": int(masks[i]),
                "available": bool(available[i]),
                "grid_patroller": bool(patroller[i]),
                "lng": float(lng[i]),
                "lat": float(lat[i]),
                "hours_total": float(hours[i]),
                "registered_at": registered,
            }
        )
    return rows
