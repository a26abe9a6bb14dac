"""Who passed here then: plates seen near a place within minutes of a time, ranked.

For a hit-and-run, the question is not "where was this plate" but "which
plates were at the scene": every sighting at the cameras within r metres of
the place within ±t minutes, each plate ranked by how close in place and time
it came (the sum of its distance over r and its time gap over t, at its
closest sighting), with its movements in the hour around, and how fast it
moved away from the scene afterwards (who left in a hurry). Personal data:
bound to the searcher's case and audited like a plate search; the limits
keep it a search around a scene, not a sweep of the city.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import duckdb
from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.core.audit import record_personal_read, require_purpose
from yanyun.core.clock import Clock, as_utc
from yanyun.core.errors import Invalid
from yanyun.geo.coords import distance_m
from yanyun.intel.lake import Pool
from yanyun.intel.models import Camera
from yanyun.intel.plate_search import _sightings
from yanyun.intel.schemas import AroundCandidate, AroundRead
from yanyun.intel.settings import IntelSettings

#: How far a candidate's movements are shown before and after the time.
TRAJECTORY_SPAN = timedelta(minutes=60)
#: Degrees of latitude per metre (for the cameras' bounding box).
_DEG_PER_M = 1 / 111_320


def cameras_near(session: Session, lng: float, lat: float, radius_m: float) -> dict[str, float]:
    """Active cameras within ``radius_m`` of the point: code -> metres."""
    dlat = radius_m * _DEG_PER_M
    dlng = dlat / max(math.cos(math.radians(lat)), 0.01)
    rows = session.execute(
        select(Camera.code, Camera.lng, Camera.lat).where(
            Camera.active.is_(True),
            Camera.lng.between(lng - dlng, lng + dlng),
            Camera.lat.between(lat - dlat, lat + dlat),
        )
    ).all()
    near = {r.code: distance_m((lng, lat), (r.lng, r.lat)) for r in rows}
    return {code: d for code, d in near.items() if d <= radius_m}


def _passages(pool: Pool, cameras: list[str], start: datetime, end: datetime,
              limit: int) -> list[dict]:
    """Every sighting at ``cameras`` in [start, end): parameters bound, never pasted."""
    start_ms, end_ms = int(start.timestamp() * 1000), int(end.timestamp() * 1000)
    paths = pool.sightings.paths(pool.sightings.files(start_ms=start_ms, end_ms=end_ms))
    if not paths or not cameras:
        return []
    connection = duckdb.connect(":memory:")
    try:
        result = connection.execute(
            "SELECT plate, kind, camera, epoch_ms(seen_at) AS seen_ms "
            "FROM read_parquet(?) WHERE list_contains(?, camera) "
            "AND epoch_ms(seen_at) >= ? AND epoch_ms(seen_at) < ? "
            "ORDER BY seen_ms LIMIT ?",
            [paths, cameras, start_ms, end_ms, limit],
        )
        names = [column[0] for column in result.description]
        return [dict(zip(names, row, strict=True)) for row in result.fetchall()]
    finally:
        connection.close()


def _check_limits(radius_m: float, minutes: float, settings: IntelSettings) -> None:
    if radius_m > settings.around_max_radius_m:
        raise Invalid("radius_m", f"半径不能超过{settings.around_max_radius_m:g}米",
                      f"the radius is at most {settings.around_max_radius_m:g} m")
    if minutes > settings.around_max_minutes:
        raise Invalid("minutes", f"时间范围不能超过前后{settings.around_max_minutes:g}分钟",
                      f"the window is at most ±{settings.around_max_minutes:g} minutes")


def search_around(
    *, session: Session, clock: Clock, pool: Pool, settings: IntelSettings, lng: float,
    lat: float, at: datetime, radius_m: float, minutes: float, purpose: str | None,
    case_number: str | None, limit: int = 20,
) -> AroundRead:
    """The plates seen near (lng, lat) within ±minutes of ``at``, closest first."""
    purpose, case_number = require_purpose(purpose, case_number)
    _check_limits(radius_m, minutes, settings)
    at = as_utc(at)
    if at > clock.now() + timedelta(minutes=5):
        raise Invalid("at", "时间不能晚于当前时间", "the time is in the future")
    near = cameras_near(session, lng, lat, radius_m)
    window = timedelta(minutes=minutes)
    passages = _passages(pool, sorted(near), at - window, at + window, 50_000)
    best: dict[str, tuple[float, dict]] = {}
    for row in passages:
        gap_min = abs(row["seen_ms"] / 60_000 - at.timestamp() / 60)
        score = near[row["camera"]] / radius_m + gap_min / minutes
        if row["plate"] not in best or score < best[row["plate"]][0]:
            best[row["plate"]] = (score, row)
    ranked = sorted(best.items(), key=lambda item: (item[1][0], item[0]))[:limit]
    candidates = [
        _candidate(session, pool, plate, score, row, near, lng, lat, at)
        for plate, (score, row) in ranked
    ]
    record_personal_read(
        session, clock=clock, resource_type="intel_around", resource_id=f"{lng:.5f},{lat:.5f}",
        purpose=purpose, case_number=case_number,
        detail={"at": at.isoformat(), "radius_m": radius_m, "minutes": minutes,
                "cameras": len(near), "passages": len(passages),
                "plates": [c.plate for c in candidates]},
    )
    return AroundRead(lng=lng, lat=lat, at=at, radius_m=radius_m, minutes=minutes,
                      cameras=len(near), passages=len(passages), candidates=candidates)


def _candidate(
    session: Session, pool: Pool, plate: str, score: float, closest: dict,
    near: dict[str, float], lng: float, lat: float, at: datetime,
) -> AroundCandidate:
    """One plate: its closest passage, its movements in the hour around, how it left."""
    rows = _plate_rows(pool, plate, at - TRAJECTORY_SPAN, at + TRAJECTORY_SPAN)
    sightings = _sightings(session, rows, None)
    after = [s for s in sightings if s.seen_at > at and s.lng is not None]
    away = None
    if after:
        last = after[-1]
        minutes_after = (last.seen_at - at).total_seconds() / 60
        if minutes_after > 0:
            away = round(distance_m((lng, lat), (last.lng, last.lat)) / minutes_after, 1)
    return AroundCandidate(
        plate=plate, kind=closest["kind"], score=round(score, 3),
        closest_camera=closest["camera"], closest_m=round(near[closest["camera"]], 1),
        closest_gap_s=round(abs(closest["seen_ms"] / 1000 - at.timestamp()), 1),
        away_m_per_min=away, sightings=sightings,
    )


def _plate_rows(pool: Pool, plate: str, start: datetime, end: datetime) -> list[dict]:
    from yanyun.intel.engines import PlateQuery

    query = PlateQuery(start_ms=int(start.timestamp() * 1000),
                       end_ms=int(end.timestamp() * 1000), plates=(plate,), limit=500)
    return pool.engine.search(query).to_pylist()
