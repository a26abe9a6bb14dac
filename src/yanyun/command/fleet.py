"""The demo city's units and 1-3-5 circles, generated deterministically from a seed.

Sizes follow the seed documents: 41 quick-response platforms, 152 fixed
posts, 389 motorcycles, and patrol cars at every one of the stations.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import datetime

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


@dataclass
class _FleetDraft:
    """The rows being drawn: units and circles, stamped with the bureau's org paths."""

    bureau: str
    now: datetime
    units: list[dict] = field(default_factory=list)
    circles: list[dict] = field(default_factory=list)

    def add_unit(
        self, uid: str, call_sign: str, kind: str, station: Station, caps: list[str],
        lng: float, lat: float,
    ) -> None:
        self.units.append(
            {
                "id": uid,
                "call_sign": call_sign,
                "kind": kind,
                "station_code": station.code,
                "org_path": f"{self.bureau}/{station.district_code}/{station.code}",
                "capabilities": caps,
                "crew": [],
                "status": "available",
                "lng": lng,
                "lat": lat,
                "position_at": self.now,
                "home_lng": lng,
                "home_lat": lat,
                "current_incident_id": None,
            }
        )

    def add_circle(
        self, cid: str, name_zh: str, name_en: str, kind: str, lng: float, lat: float,
        radius_m: float, target_min: int, station_code: str,
    ) -> None:
        self.circles.append(
            {
                "id": cid, "name_zh": name_zh, "name_en": name_en, "kind": kind,
                "lng": lng, "lat": lat, "radius_m": radius_m, "target_min": target_min,
                "station_code": station_code,
            }
        )


def build_fleet(
    *, session: Session, clock: Clock, seed: int, spec: FleetSpec = FleetSpec()
) -> FleetReport:
    """Create the demo units and circles unless they exist (idempotent).

    The draws happen in one fixed order (station patrols, platforms, fixed
    posts, motorcycles) so a seed gives the same fleet every time.
    """
    existing = session.scalar(select(func.count()).select_from(Unit)) or 0
    if existing:
        circles = session.scalar(select(func.count()).select_from(ResponseCircle)) or 0
        return FleetReport(False, existing, circles)
    rng = random.Random(seed)
    urban = {d.code: d.is_urban for d in session.scalars(select(District))}
    stations = list(session.scalars(select(Station).order_by(Station.code)))
    if not stations:
        return FleetReport(False, 0, 0)
    draft = _FleetDraft(bureau=_bureau_code(session), now=clock.now())
    urban_grids = list(
        session.execute(
            select(Grid.code, Grid.station_code, Grid.district_code, Grid.lng, Grid.lat)
            .where(Grid.is_urban.is_(True))
            .order_by(Grid.code)
        ).all()
    )
    _station_patrols(draft, rng, stations, urban, spec)
    pool = list(urban_grids) or [(None, s.code, s.district_code, s.lng, s.lat) for s in stations]
    by_code = {s.code: s for s in stations}
    _platforms(draft, rng, pool, by_code, spec)
    _fixed_posts(draft, rng, pool, by_code, spec)
    draft.circles += _landmark_circles(session, spec)
    _motorcycles(draft, rng, stations, urban, spec)
    _store(session, clock, draft, seed)
    return FleetReport(True, len(draft.units), len(draft.circles))


def _station_patrols(
    draft: _FleetDraft, rng: random.Random, stations: list[Station], urban: dict[str, bool],
    spec: FleetSpec,
) -> None:
    """Patrol cars at every station (the first of a first-grade station armed), and its circle."""
    for s in stations:
        for n in range(1, spec.patrol_cars_per_station + 1):
            caps = ["patrol", "first_aid"] if n % 2 else ["patrol", "traffic"]
            if s.grade == 1 and n == 1:
                caps.append("armed")
            lng, lat = _jitter(rng, s.lng, s.lat, 150)
            draft.add_unit(f"{s.code}-P{n}", f"{s.name_zh}巡{n}", "patrol_car", s, caps, lng, lat)
        is_urban = urban.get(s.district_code, False)
        draft.add_circle(
            f"C-{s.code}", f"{s.name_zh}快反圈", f"{s.name_en} circle", "station", s.lng, s.lat,
            spec.urban_station_radius_m if is_urban else spec.rural_station_radius_m,
            3 if is_urban else 5, s.code,
        )


def _platforms(
    draft: _FleetDraft, rng: random.Random, pool: list, by_code: dict[str, Station],
    spec: FleetSpec,
) -> None:
    """Quick-response platforms in urban grids, each with its one-minute circle."""
    platform_grids = rng.sample(pool, min(spec.quick_response_platforms, len(pool)))
    for i, g in enumerate(sorted(platform_grids, key=lambda g: g[0] or g[1]), start=1):
        s = by_code[g[1]]
        uid = f"QR{i:03d}"
        draft.add_unit(
            uid, f"快警平台{i}号", "quick_response", s, ["patrol", "armed", "first_aid"], g[3], g[4]
        )
        draft.add_circle(
            f"C-{uid}", f"快警平台{i}号1分钟圈", f"Quick-response platform {i} one-minute circle",
            "platform", g[3], g[4], spec.platform_radius_m, 1, s.code,
        )


def _fixed_posts(
    draft: _FleetDraft, rng: random.Random, pool: list, by_code: dict[str, Station],
    spec: FleetSpec,
) -> None:
    picked = rng.sample(pool, min(spec.fixed_posts, len(pool)))
    for i, g in enumerate(sorted(picked, key=lambda g: g[0] or g[1]), start=1):
        s = by_code[g[1]]
        draft.add_unit(f"FP{i:03d}", f"固定执勤点{i}", "fixed_post", s, ["patrol"], g[3], g[4])


def _motorcycles(
    draft: _FleetDraft, rng: random.Random, stations: list[Station], urban: dict[str, bool],
    spec: FleetSpec,
) -> None:
    """Motorcycles (铁骑) spread over stations, three times as many per urban station."""
    weights = [3.0 if urban.get(s.district_code, False) else 1.0 for s in stations]
    for i in range(1, spec.motorcycles + 1):
        s = rng.choices(stations, weights=weights)[0]
        lng, lat = _jitter(rng, s.lng, s.lat, 800)
        draft.add_unit(f"MC{i:03d}", f"铁骑{i}", "motorcycle", s, ["patrol", "traffic"], lng, lat)


def _store(session: Session, clock: Clock, draft: _FleetDraft, seed: int) -> None:
    """Insert in bulk (one audit row for the whole build, not one per unit) and announce it."""
    session.info["audit_writes"] = False
    try:
        session.execute(insert(Unit), draft.units)
        session.execute(insert(ResponseCircle), draft.circles)
    finally:
        session.info.pop("audit_writes", None)
    audit.record(
        session,
        clock=clock,
        action="build_fleet",
        resource_type="unit",
        detail={"seed": seed, "units": len(draft.units), "circles": len(draft.circles)},
    )
    events.publish(
        session, FleetBuilt(units=len(draft.units), circles=len(draft.circles)), clock=clock,
        resource_id="*", org_path=draft.bureau,
    )


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
