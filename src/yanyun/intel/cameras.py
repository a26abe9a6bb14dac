"""The camera registry: the demo city's cameras, pages of the registry, its arrays for checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yanyun.core.clock import Clock, as_utc
from yanyun.geo.models import Grid
from yanyun.geo.service import CityIndex
from yanyun.intel.camera_book import CameraBook
from yanyun.intel.generator import CAMERA_KIND_LABELS, GridShape, generate_cameras
from yanyun.intel.lake import Pool
from yanyun.intel.models import Camera


def cameras_built(*, session: Session) -> bool:
    """Whether the registry holds any camera."""
    return bool(session.scalar(select(func.count()).select_from(Camera)))


def build_cameras(
    *, session: Session, clock: Clock, index: CityIndex, count: int, seed: int
) -> int:
    """Create the demo city's cameras unless present; returns how many were created."""
    if cameras_built(session=session):
        return 0
    grids = [
        GridShape(code=r.code, name_zh=r.name_zh, is_urban=r.is_urban, geometry_wkb=r.geometry_wkb)
        for r in session.execute(
            select(Grid.code, Grid.name_zh, Grid.is_urban, Grid.geometry_wkb).order_by(Grid.code)
        )
    ]
    if not grids:
        return 0
    now = clock.now()
    draft = generate_cameras(
        grids, count=count, seed=seed, installed_before=now - timedelta(days=400)
    )
    located = index.resolver.resolve_many(draft.lng, draft.lat)
    rows = []
    for i in range(count):
        g = int(located[i]) if located[i] >= 0 else -1
        grid_code = index.grid_codes[g] if g >= 0 else grids[int(draft.grid_index[i])].code
        kind = str(draft.kind[i])
        grid_name = index.grids[grid_code].name_zh if grid_code in index.grids else grid_code
        rows.append(
            {
                "code": str(draft.code[i]),
                "kind": kind,
                "name_zh": f"{grid_name}{CAMERA_KIND_LABELS[kind][0]}{i % 1000:03d}",
                "lng": float(draft.lng[i]),
                "lat": float(draft.lat[i]),
                "grid_code": grid_code,
                "station_code": index.grid_station[grid_code],
                "district_code": index.grid_district[grid_code],
                "installed_at": datetime.fromtimestamp(int(draft.installed_ms[i]) / 1000, UTC),
                "active": True,
            }
        )
    session.execute(Camera.__table__.insert(), rows)
    session.flush()
    return len(rows)


def camera_book(*, session: Session, pool: Pool) -> CameraBook:
    """The registry as arrays, rebuilt only when the registry changed."""
    count, last = session.execute(select(func.count(), func.max(Camera.code))).one()
    key = (count, last)
    with pool.lock:
        cached = pool.cameras.get("book")
        if cached is not None and cached[0] == key:
            return cached[1]
    rows = session.execute(
        select(Camera.code, Camera.installed_at, Camera.lng, Camera.lat).order_by(Camera.code)
    ).all()
    book = CameraBook(
        codes=pa.array([r.code for r in rows], pa.string()),
        installed_ms=np.array(
            [int(as_utc(r.installed_at).timestamp() * 1000) for r in rows], dtype=np.int64
        ),
        lng=np.array([r.lng for r in rows], dtype=float),
        lat=np.array([r.lat for r in rows], dtype=float),
    )
    with pool.lock:
        pool.cameras["book"] = (key, book)
    return book


def list_cameras(
    *,
    session: Session,
    kind: str | None = None,
    area: str | None = None,
    after: str | None = None,
    limit: int = 1000,
) -> list[Camera]:
    """A page of the registry by code, filtered by kind and by grid, station or district."""
    stmt = select(Camera).order_by(Camera.code).limit(limit)
    if kind:
        stmt = stmt.where(Camera.kind == kind)
    if area:
        stmt = stmt.where(
            (Camera.grid_code == area)
            | (Camera.station_code == area)
            | (Camera.district_code == area)
        )
    if after:
        stmt = stmt.where(Camera.code > after)
    return list(session.scalars(stmt))


def camera_counts(*, session: Session) -> dict[str, int]:
    """How many cameras of each kind."""
    return dict(session.execute(select(Camera.kind, func.count()).group_by(Camera.kind)).all())
