"""Plate search: a plate's sightings (exact or fuzzy) with their cameras, and its trajectory.

Sightings are personal data: a search needs a case number and a purpose and is
audited with them, what it found included.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.auth.service import Actor
from yanyun.core.audit import record_personal_read, require_purpose
from yanyun.core.clock import SHANGHAI, Clock, as_utc
from yanyun.core.errors import Invalid
from yanyun.geo.models import Grid
from yanyun.intel.engines import PlateQuery
from yanyun.intel.lake import Pool
from yanyun.intel.models import Camera
from yanyun.intel.plates import fuzzy_candidates, is_valid, match_kind, normalise
from yanyun.intel.pool import FLAG_ABSURD_SPEED
from yanyun.intel.schemas import PlateMatch, PlateSearchRead, SightingRead
from yanyun.intel.settings import IntelSettings

_MATCH_ORDER = ["exact", "confusion", "edit"]


def search_plate(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    pool: Pool,
    settings: IntelSettings,
    plate: str,
    fuzzy: bool = False,
    start: datetime | None = None,
    end: datetime | None = None,
    area: str | None = None,
    purpose: str | None = None,
    case_number: str | None = None,
    limit: int = 5000,
) -> PlateSearchRead:
    """A plate's sightings and trajectory; personal data, so case and purpose are required."""
    purpose, case_number = require_purpose(purpose, case_number)
    query_plate = _checked_plate(plate, fuzzy)
    start, end = _window(start, end, clock=clock, settings=settings)
    query = PlateQuery(
        start_ms=int(start.timestamp() * 1000),
        end_ms=int(end.timestamp() * 1000),
        plates=() if fuzzy else (query_plate,),
        canonical=tuple(fuzzy_candidates(query_plate)) if fuzzy else (),
        limit=limit,
    )
    started = time.perf_counter()
    rows = pool.engine.search(query)
    engine_ms = (time.perf_counter() - started) * 1000
    sightings = _sightings(session, rows.to_pylist(), area)
    by_plate: dict[str, list[SightingRead]] = {}
    for item in sightings:
        by_plate.setdefault(item.plate, []).append(item)
    plates = _plate_matches(query_plate, by_plate)
    record_personal_read(
        session,
        clock=clock,
        resource_type="intel_sighting",
        resource_id=query_plate,
        purpose=purpose,
        case_number=case_number,
        detail=_audit_detail(fuzzy, start, end, area, plates, sightings),
    )
    return PlateSearchRead(
        query=query_plate,
        mode="fuzzy" if fuzzy else "exact",
        engine=pool.engine.name,
        start=start,
        end=end,
        area=area,
        plates=plates,
        sightings=sightings,
        truncated=rows.num_rows >= limit,
        trajectory=_trajectory(by_plate),
        engine_ms=round(engine_ms, 2),
        row_groups_read=getattr(pool.engine, "last_row_groups", None) if not fuzzy else None,
    )


def _checked_plate(plate: str, fuzzy: bool) -> str:
    """The plate in its normal form; refused if malformed (exact) or of a wrong length (fuzzy)."""
    query_plate = normalise(plate)
    if not fuzzy and not is_valid(query_plate):
        raise Invalid(
            "plate",
            "号牌格式不正确（模糊查询请勾选模糊）",
            "the plate is malformed (tick fuzzy for a partial reading)",
        )
    if fuzzy and not (4 <= len(query_plate) <= 10):
        raise Invalid("plate", "模糊查询号牌应为4-10个字符", "a fuzzy plate has 4-10 characters")
    return query_plate


def _window(
    start: datetime | None, end: datetime | None, *, clock: Clock, settings: IntelSettings
) -> tuple[datetime, datetime]:
    """The searched window in UTC: the last seven days by default, at most `max_window_days`."""
    end = as_utc(end) if end else clock.now()
    start = as_utc(start) if start else end - timedelta(days=7)
    if start >= end:
        raise Invalid("start", "开始时间须早于结束时间", "start must be before end")
    if end - start > timedelta(days=settings.max_window_days):
        raise Invalid(
            "start",
            f"时间范围不能超过{settings.max_window_days}天",
            f"the window is at most {settings.max_window_days} days",
        )
    return start, end


def _sightings(
    session: Session, found: list[dict[str, Any]], area: str | None
) -> list[SightingRead]:
    """The rows found with their cameras' places; only those inside `area` if it is given."""
    cameras, grid_names = _cameras_seen(session, found)
    if area:
        found = [
            r
            for r in found
            if (cam := cameras.get(r["camera"])) is not None
            and area in (cam.grid_code, cam.station_code, cam.district_code)
        ]
    return [_sighting(r, cameras.get(r["camera"]), grid_names) for r in found]


def _audit_detail(
    fuzzy: bool,
    start: datetime,
    end: datetime,
    area: str | None,
    plates: list[PlateMatch],
    sightings: list[SightingRead],
) -> dict[str, Any]:
    """What the audit keeps of a search: its mode, window and area, and what it found."""
    return {
        "mode": "fuzzy" if fuzzy else "exact",
        "start": start.isoformat(),
        "end": end.isoformat(),
        "area": area,
        "plates": [p.plate for p in plates][:50],
        "sightings": len(sightings),
    }


def _cameras_seen(
    session: Session, found: Sequence[dict[str, Any]]
) -> tuple[dict[str, Camera], dict[str, str]]:
    """The cameras of the rows found, by code, and the names of their grids."""
    codes = sorted({r["camera"] for r in found})
    cameras = (
        {c.code: c for c in session.scalars(select(Camera).where(Camera.code.in_(codes)))}
        if codes
        else {}
    )
    grid_codes = {c.grid_code for c in cameras.values()}
    grid_names = (
        dict(
            session.execute(select(Grid.code, Grid.name_zh).where(Grid.code.in_(grid_codes))).all()
        )
        if grid_codes
        else {}
    )
    return cameras, grid_names


def _sighting(r: dict[str, Any], cam: Camera | None, grid_names: dict[str, str]) -> SightingRead:
    """One row found, with its camera's place; built unvalidated: response_model checks it."""
    at = datetime.fromtimestamp(r["seen_ms"] / 1000, UTC)
    return SightingRead.model_construct(
        plate=r["plate"],
        kind=r["kind"],
        seen_at=at,
        seen_at_local=at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S"),
        camera=r["camera"],
        camera_kind=cam.kind if cam else None,
        camera_name=cam.name_zh if cam else None,
        lng=cam.lng if cam else None,
        lat=cam.lat if cam else None,
        grid_code=cam.grid_code if cam else None,
        grid_name=grid_names.get(cam.grid_code) if cam else None,
        station_code=cam.station_code if cam else None,
        district_code=cam.district_code if cam else None,
        flags=["absurd_speed"] if r["flags"] & FLAG_ABSURD_SPEED else [],
    )


def _plate_matches(query_plate: str, by_plate: dict[str, list[SightingRead]]) -> list[PlateMatch]:
    """Each plate found, how it matched the query: exact first, then by sightings and plate."""
    return sorted(
        (
            PlateMatch(plate=p, match=match_kind(query_plate, p), sightings=len(items))
            for p, items in by_plate.items()
        ),
        key=lambda x: (_MATCH_ORDER.index(x.match), -x.sightings, x.plate),
    )


def _trajectory(by_plate: dict[str, list[SightingRead]]) -> dict[str, Any]:
    """A GeoJSON line per plate through the cameras it passed, with times and camera codes."""
    features = [
        {
            "type": "Feature",
            "geometry": {
                "type": "LineString",
                "coordinates": [[s.lng, s.lat] for s in items if s.lng is not None],
            },
            "properties": {
                "plate": p,
                "times": [s.seen_at_local for s in items if s.lng is not None],
                "cameras": [s.camera for s in items if s.lng is not None],
            },
        }
        for p, items in by_plate.items()
    ]
    return {"type": "FeatureCollection", "features": features}

