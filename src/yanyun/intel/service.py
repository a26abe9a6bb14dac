"""Intelligence services: the public face of the context, and the demo's data pool.

The services live in modules named for what they do: `lake` (the open pool),
`catalog`, `cameras`, `registrations` (owner lookup), `batches` (ingest),
`quarantine` and `plate_search`; this module re-exports them, so callers keep
importing `yanyun.intel.service`. Services flush, never commit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from yanyun.core.clock import Clock
from yanyun.core.config import CoreSettings as Settings
from yanyun.geo.service import CityIndex
from yanyun.intel.batches import IngestResult, ingest, recent_sightings
from yanyun.intel.cameras import (
    build_cameras,
    camera_book,
    camera_counts,
    cameras_built,
    list_cameras,
)
from yanyun.intel.catalog import catalog, compact_sightings, register_catalog
from yanyun.intel.generator import SightingGenerator, days_back
from yanyun.intel.lake import POOL, Pool, open_pool
from yanyun.intel.models import Camera, Registration
from yanyun.intel.plate_search import search_plate
from yanyun.intel.quarantine import mask_plate, quarantined
from yanyun.intel.registrations import (
    build_registrations,
    lookup_registration,
    mask_id_number,
    mask_phone,
)

__all__ = [
    "POOL",
    "DemoReport",
    "IngestResult",
    "Pool",
    "build_cameras",
    "build_demo",
    "build_registrations",
    "camera_book",
    "camera_counts",
    "cameras_built",
    "catalog",
    "clear_demo_pool",
    "compact_sightings",
    "ingest",
    "list_cameras",
    "lookup_registration",
    "mask_id_number",
    "mask_phone",
    "mask_plate",
    "open_pool",
    "quarantined",
    "recent_sightings",
    "register_catalog",
    "search_plate",
]


@dataclass(frozen=True)
class DemoReport:
    cameras: int
    registrations: int
    sightings: int
    sample_plate: str | None


def build_demo(
    *, session: Session, clock: Clock, index: CityIndex, settings: Settings, pool: Pool
) -> DemoReport:
    """Cameras, registrations, catalog and a modest pool of sightings (once, deterministic)."""
    intel = settings.intel
    seed = settings.city.seed
    register_catalog(session=session, clock=clock)
    made = build_cameras(session=session, clock=clock, index=index, count=intel.cameras, seed=seed)
    if not made and pool.sightings.row_count():
        return DemoReport(0, 0, 0, None)
    cams = session.execute(select(Camera.code, Camera.lng, Camera.lat).order_by(Camera.code)).all()
    if not cams or intel.demo_days == 0:
        return DemoReport(made, 0, 0, None)
    generator = SightingGenerator(
        camera_codes=np.array([c.code for c in cams]),
        lng=np.array([c.lng for c in cams]),
        lat=np.array([c.lat for c in cams]),
        plates=intel.demo_plates,
        seed=seed,
        commuter_share=0.2,
    )
    registered = build_registrations(
        session=session,
        clock=clock,
        plates=[str(p) for p in generator.plates],
        kinds=[str(k) for k in generator.kinds],
        seed=seed,
    )
    total = 0
    now = clock.now()
    for day in days_back(now, intel.demo_days):
        table = generator.day(day, rows=intel.demo_rows_per_day)
        total += pool.sightings.append(
            table,
            batch_id=f"demo-{seed}-{day.isoformat()}",
            received_ms=int(now.timestamp() * 1000),
        ).rows
    return DemoReport(made, registered, total, generator.commuter_plate())


def clear_demo_pool(*, session: Session) -> None:
    """Only for tests that rebuild: the relational side of the demo."""
    session.execute(delete(Registration))
    session.execute(delete(Camera))
