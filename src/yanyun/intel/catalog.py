"""The pool's catalog: each dataset declared with its schema and source, and its live size."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.core.clock import Clock
from yanyun.intel.lake import Pool
from yanyun.intel.models import PoolDataset
from yanyun.intel.pool import DATASETS
from yanyun.intel.schemas import CompactRead, DatasetRead


def register_catalog(*, session: Session, clock: Clock) -> list[PoolDataset]:
    """Declare each dataset of the pool in the catalog (idempotent)."""
    for spec in DATASETS.values():
        row = session.get(PoolDataset, spec.name)
        if row is None:
            row = PoolDataset(name=spec.name, registered_at=clock.now())
            session.add(row)
        row.description_zh = spec.description_zh
        row.description_en = spec.description_en
        row.source = spec.source
        row.personal = spec.personal
        row.partitioning = "day (Asia/Shanghai); sealed months"
        row.sort_key = ", ".join(spec.sort_by)
        row.fields = [
            {"name": f.name, "type": str(f.type), "nullable": f.nullable} for f in spec.schema
        ]
    session.flush()
    return list(session.scalars(select(PoolDataset).order_by(PoolDataset.name)))


def catalog(*, session: Session, pool: Pool | None = None) -> list[DatasetRead]:
    """Each dataset of the catalog; with the pool, also its files, rows and remembered batches."""
    live = {"sightings": pool.sightings, "quarantine": pool.quarantine} if pool else {}
    out = []
    for row in session.scalars(select(PoolDataset).order_by(PoolDataset.name)):
        item = DatasetRead(
            name=row.name,
            description={"zh-CN": row.description_zh, "en": row.description_en},
            source=row.source,
            personal=row.personal,
            partitioning=row.partitioning,
            sort_key=row.sort_key,
            fields=row.fields,
        )
        if row.name in live:
            manifest = live[row.name].manifest()
            item.files = len(manifest.files)
            item.rows = sum(f.rows for f in manifest.files)
            item.batches = len(manifest.batches)
        out.append(item)
    return out


def compact_sightings(*, pool: Pool) -> CompactRead:
    """Rewrite each day's small files into its plate-sorted layout; the pool's size after."""
    days = pool.sightings.compact_all()
    manifest = pool.sightings.manifest()
    return CompactRead(
        days_compacted=days, files=len(manifest.files), rows=sum(f.rows for f in manifest.files)
    )
