"""The demo city's units and 1-3-5 circles, generated deterministically from a seed.

Sizes follow the seed documents: 41 quick-response platforms, 152 fixed
posts, 389 motorcycles, and patrol cars at every one of the stations.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from yanyun.auth import service as auth_service
from yanyun.command.models import ResponseCircle, Unit
from yanyun.core import audit, events
from yanyun.core.clock import Clock
from yanyun.events.command import FleetBuilt
from yanyun.geo.models import District, Grid, Station


@dataclass(frozen=True)
class FleetSpec:
    patrol_cars_per_station: int = 2
    quick_response_platforms: int = 41
    fixed_posts: int = 152
    motorcycles: int = 389
    platform_radius_m: float = 600.0
    urban_station_radius_m: float = 1500.0
    rural_station_radius_m: float = 3000.0
    landmark_radius_m: float = 800.0


@dataclass(frozen=True)
class FleetReport:
    built: bool
    units: int
    circles: int


def _jitter(rng: random.Random, lng: float, lat: float, metres: float) -> tuple[float, float]:
    angle = rng.uniform(0, 2 * math.pi)
    r = metres * math.sqrt(rng.random())
    dlat = r * math.cos(angle) / 111_000
    dlng = r * math.sin(angle) / (111_000 * math.cos(math.radians(lat)))
    return lng + dlng, lat + dlat


def build_fleet(
    *, session: Session, clock: Clock, seed: int, spec: FleetSpec = FleetSpec()
) -> FleetReport:
    """Create the demo units and circles unless they exist (idempotent)."""
    existing = session.scalar(select(func.count()).select_from(Unit)) or 0
    if existing:
        circles = session.scalar(select(func.count()).select_from(ResponseCircle)) or 0
        return FleetReport(False, existing, circles)
    rng = random.Random(seed)
    now = clock.now()
    urban = {d.code: d.is_urban for d in session.scalars(select(District))}
    stations = list(session.scalars(select(Station).order_by(Station.code)))
    if not stations:
        return FleetReport(False, 0, 0)
    bureau = _bureau_code(session)
    urban_grids = list(
        session.execute(
            select(Grid.code, Grid.station_code, Grid.district_code, Grid.lng, Grid.lat)
            .where(Grid.is_urban.is_(True))
            .order_by(Grid.code)
        ).all()
    )
    units: list[dict] = []
    circles: list[dict] = []

    def add_unit(
        uid: str,
        call_sign: str,
        kind: str,
        station: Station,
        caps: list[str],
        lng: float,
        lat: float,
    ) -> None:
        units.append(
            {
                "id": uid,
                "call_sign": call_sign,
                "kind": kind,
                "station_code": station.code,
                "org_path": f"{bureau}/{station.district_code}/{station.code}",
                "capabilities": caps,
                "crew": [],
                "status": "available",
                "lng": lng,
                "lat": lat,
                "position_at": now,
                "home_lng": lng,
                "home_lat": lat,
                "current_incident_id": None,
            }
        )

    by_code = {s.code: s for s in stations}
    for s in stations:
        for n in range(1, spec.patrol_cars_per_station + 1):
            caps = ["patrol", "first_aid"] if n % 2 else ["patrol", "traffic"]
            if s.grade == 1 and n == 1:
                caps.append("armed")
            lng, lat = _jitter(rng, s.lng, s.lat, 150)
            add_unit(f"{s.code}-P{n}", f"{s.name_zh}巡{n}", "patrol_car", s, caps, lng, lat)
        is_urban = urban.get(s.district_code, False)
        circles.append(
            {
                "id": f"C-{s.code}",
                "name_zh": f"{s.name_zh}快反圈",
                "name_en": f"{s.name_en} circle",
                "kind": "station",
                "lng": s.lng,
                "lat": s.lat,
                "radius_m": spec.urban_station_radius_m
                if is_urban
                else spec.rural_station_radius_m,
                "target_min": 3 if is_urban else 5,
                "station_code": s.code,
            }
        )
    pool = list(urban_grids) or [(None, s.code, s.district_code, s.lng, s.lat) for s in stations]
    platform_grids = rng.sample(pool, min(spec.quick_response_platforms, len(pool)))
    for i, g in enumerate(sorted(platform_grids, key=lambda g: g[0] or g[1]), start=1):
        s = by_code[g[1]]
        uid = f"QR{i:03d}"
        add_unit(
            uid, f"快警平台{i}号", "quick_response", s, ["patrol", "armed", "first_aid"], g[3], g[4]
        )
        circles.append(
            {
                "id": f"C-{uid}",
                "name_zh": f"快警平台{i}号1分钟圈",
                "name_en": f"Quick-response platform {i} one-minute circle",
                "kind": "platform",
                "lng": g[3],
                "lat": g[4],
                "radius_m": spec.platform_radius_m,
                "target_min": 1,
                "station_code": s.code,
            }
        )
    for i, g in enumerate(
        sorted(rng.sample(pool, min(spec.fixed_posts, len(pool))), key=lambda g: g[0] or g[1]),
        start=1,
    ):
        s = by_code[g[1]]
        add_unit(f"FP{i:03d}", f"固定执勤点{i}", "fixed_post", s, ["patrol"], g[3], g[4])
    circles += _landmark_circles(session, spec)
    weights = [3.0 if urban.get(s.district_code, False) else 1.0 for s in stations]
    for i in range(1, spec.motorcycles + 1):
        s = rng.choices(stations, weights=weights)[0]
        lng, lat = _jitter(rng, s.lng, s.lat, 800)
        add_unit(f"MC{i:03d}", f"铁骑{i}", "motorcycle", s, ["patrol", "traffic"], lng, lat)

    session.info["audit_writes"] = False
    try:
        session.execute(insert(Unit), units)
        session.execute(insert(ResponseCircle), circles)
    finally:
        session.info.pop("audit_writes", None)
    audit.record(
        session,
        clock=clock,
        action="build_fleet",
        resource_type="unit",
        detail={"seed": seed, "units": len(units), "circles": len(circles)},
    )
    events.publish(
        session, FleetBuilt(units=len(units), circles=len(circles)), clock=clock,
        resource_id="*", org_path=bureau,
    )
    return FleetReport(True, len(units), len(circles))


# Places the seed documents give quick-response circles: schools, hospitals,
# malls and transport hubs, read off the demo city's landmark list by name.
LANDMARK_CIRCLE_KINDS = (
    ("transport_hub", ("站", "机场")),
    ("hospital", ("医院",)),
    ("school", ("大学", "学院", "中学", "小学", "学校")),
    ("mall", ("广场", "商场", "购物中心")),
)


def _landmark_circles(session: Session, spec: FleetSpec) -> list[dict]:
    from yanyun.command.intake import load_landmarks
    from yanyun.geo.service import load_index

    index = load_index(session=session)
    circles = []
    for landmark in load_landmarks():
        if landmark.kind != "landmark":
            continue
        kind = next(
            (k for k, words in LANDMARK_CIRCLE_KINDS if any(w in landmark.name for w in words)),
            None,
        )
        located = index.locate(landmark.lng, landmark.lat)
        if kind is None or not located.inside or located.station is None:
            continue  # a test city smaller than the landmark list
        circles.append(
            {
                "id": f"C-L{len(circles) + 1:03d}",
                "name_zh": f"{landmark.name}快反圈",
                "name_en": f"{landmark.name} circle",
                "kind": kind,
                "lng": landmark.lng,
                "lat": landmark.lat,
                "radius_m": spec.landmark_radius_m,
                "target_min": 3,
                "station_code": located.station.code,
            }
        )
    return circles


def _bureau_code(session: Session) -> str:

    return auth_service.bureau_code(session=session)
