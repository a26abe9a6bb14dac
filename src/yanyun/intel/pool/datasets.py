"""The datasets of the pool: their schemas, sort order, source and whether they are personal."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

# Sighting flags (bit mask in the `flags` column).
FLAG_ABSURD_SPEED = 1

SIGHTING_SCHEMA = pa.schema(
    [
        pa.field("plate", pa.string(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),
        pa.field("camera", pa.string(), nullable=False),
        pa.field("seen_at", pa.timestamp("ms", tz="UTC"), nullable=False),
        pa.field("flags", pa.int8(), nullable=False),
        pa.field("batch_id", pa.string(), nullable=False),
    ]
)

QUARANTINE_SCHEMA = pa.schema(
    [
        pa.field("batch_id", pa.string(), nullable=False),
        pa.field("row", pa.int32(), nullable=False),
        pa.field("reason", pa.string(), nullable=False),
        pa.field("reason_zh", pa.string(), nullable=False),
        pa.field("reason_en", pa.string(), nullable=False),
        pa.field("plate", pa.string()),
        pa.field("camera", pa.string()),
        pa.field("seen_at", pa.string()),
        pa.field("kind", pa.string()),
        pa.field("received_at", pa.timestamp("ms", tz="UTC"), nullable=False),
    ]
)


@dataclass(frozen=True)
class DatasetSpec:
    """What the catalog says of a dataset: its schema, order, source and whether it is personal."""

    name: str
    schema: pa.Schema
    time_column: str
    sort_by: tuple[str, ...]
    key: str | None
    personal: bool
    source: str
    description_zh: str
    description_en: str


SIGHTINGS = DatasetSpec(
    name="sightings",
    schema=SIGHTING_SCHEMA,
    time_column="seen_at",
    sort_by=("plate", "seen_at", "camera"),
    key="plate",
    personal=True,
    source="卡口/视频结构化过车记录 (checkpoint and video plate readings, ingest API and files)",
    description_zh="过车/过人记录：号牌、车辆类型、点位、时间",
    description_en="Camera sightings: plate, vehicle kind, camera, time",
)

QUARANTINE = DatasetSpec(
    name="quarantine",
    schema=QUARANTINE_SCHEMA,
    time_column="received_at",
    sort_by=("batch_id", "row"),
    key=None,
    personal=True,
    source="入库校验拒收的行 (rows refused by ingest validation, with the batch id)",
    description_zh="隔离区：校验未通过的记录及原因",
    description_en="Quarantine: rows refused by validation, with the reason",
)

DATASETS = {spec.name: spec for spec in (SIGHTINGS, QUARANTINE)}
