"""Intelligence services: the pool's catalog and ingest, cameras, registrations, plate search.

Services flush, never commit; the pool's own writes are durable when they
return (fsync), so an ingest answer that says "accepted" is true whatever the
database transaction does afterwards, and the batch ledger in the pool's
manifest recognises a re-sent batch even if the database row was lost.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from yanyun.auth.service import Actor
from yanyun.core.audit import record_personal_read, require_purpose
from yanyun.core.clock import SHANGHAI, Clock, as_utc
from yanyun.core.config import CoreSettings as Settings
from yanyun.core.contexts import Provider
from yanyun.core.errors import Invalid, NotFound
from yanyun.core.ids import new_id
from yanyun.geo.models import Grid
from yanyun.geo.service import CityIndex
from yanyun.intel import ingest as checks
from yanyun.intel.engines import Engine, PlateQuery, build_engine
from yanyun.intel.generator import (
    CAMERA_KIND_LABELS,
    GridShape,
    SightingGenerator,
    days_back,
    generate_cameras,
)
from yanyun.intel.models import Camera, IngestBatch, PoolDataset, Registration
from yanyun.intel.plates import fuzzy_candidates, is_valid, match_kind, normalise
from yanyun.intel.pool import (
    DATASETS,
    FLAG_ABSURD_SPEED,
    QUARANTINE,
    SIGHTINGS,
    Dataset,
    KeyIndex,
)
from yanyun.intel.settings import IntelSettings

# -- the pool ---------------------------------------------------------------


@dataclass
class Pool:
    """The open datasets of the lake and the engine that queries them (one per app)."""

    sightings: Dataset
    quarantine: Dataset
    index: KeyIndex
    engine: Engine
    cameras: dict[str, Any] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Check, append and remember one batch at a time: two batches checked
    # side by side could both accept the same re-sent row.
    ingest_lock: threading.Lock = field(default_factory=threading.Lock)
    recent: checks.RecentSightings | None = None
    recent_batches: set[str] = field(default_factory=set)


def open_pool(lake: Path, settings: IntelSettings, *, engine: str | None = None) -> Pool:
    sightings = Dataset(lake, SIGHTINGS, row_group_rows=settings.row_group_rows)
    quarantine = Dataset(lake, QUARANTINE, row_group_rows=settings.row_group_rows)
    sightings.recover()
    quarantine.recover()
    index = KeyIndex(sightings, cache_bytes=settings.row_group_cache_mb * 1_000_000)
    chosen = build_engine(engine or settings.engine, sightings, spark_master=settings.spark_master)
    if chosen.name == "duckdb":
        chosen.index = index  # type: ignore[attr-defined]
    return Pool(sightings=sightings, quarantine=quarantine, index=index, engine=chosen)


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


def catalog(*, session: Session, pool: Pool | None = None) -> list[dict[str, Any]]:
    live = {"sightings": pool.sightings, "quarantine": pool.quarantine} if pool else {}
    out = []
    for row in session.scalars(select(PoolDataset).order_by(PoolDataset.name)):
        data = {
            "name": row.name,
            "description": {"zh-CN": row.description_zh, "en": row.description_en},
            "source": row.source,
            "personal": row.personal,
            "partitioning": row.partitioning,
            "sort_key": row.sort_key,
            "fields": row.fields,
        }
        if row.name in live:
            manifest = live[row.name].manifest()
            data["files"] = len(manifest.files)
            data["rows"] = sum(f.rows for f in manifest.files)
            data["batches"] = len(manifest.batches)
        out.append(data)
    return out


# -- cameras ----------------------------------------------------------------


def cameras_built(*, session: Session) -> bool:
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


def camera_book(*, session: Session, pool: Pool) -> checks.CameraBook:
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
    book = checks.CameraBook(
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
    return dict(session.execute(select(Camera.kind, func.count()).group_by(Camera.kind)).all())


# -- registrations ----------------------------------------------------------

_SURNAMES = "王李张刘陈杨黄赵周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华兰红玉建国志文斌"
_BRANDS = {
    "car": ["比亚迪", "吉利", "大众", "丰田", "长安", "五菱"],
    "ebike": ["雅迪", "爱玛", "台铃", "新日", "小牛"],
}
_COLOURS = ["白", "黑", "银", "红", "蓝", "灰"]


def build_registrations(
    *, session: Session, clock: Clock, plates: list[str], kinds: list[str], seed: int
) -> int:
    """Synthetic owners for the demo plates (names and numbers are made up)."""
    if session.scalar(select(func.count()).select_from(Registration)):
        return 0
    rng = random.Random(seed)
    now = clock.now()
    rows = []
    for plate, kind in zip(plates, kinds, strict=True):
        rows.append(
            {
                "id": new_id(clock),
                "plate": plate,
                "vehicle_kind": kind,
                "owner_name": rng.choice(_SURNAMES)
                + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2)))),
                "owner_id_number": "4304" + "".join(str(rng.randrange(10)) for _ in range(14)),
                "owner_phone": "1"
                + rng.choice("35789")
                + "".join(str(rng.randrange(10)) for _ in range(9)),
                "address": f"衡阳市{rng.choice(['雁峰区', '石鼓区', '蒸湘区', '珠晖区'])}"
                f"{rng.randrange(1, 300)}号",
                "brand": rng.choice(_BRANDS.get(kind, _BRANDS["car"])),
                "colour": rng.choice(_COLOURS),
                "registered_at": now - timedelta(days=rng.randrange(30, 3000)),
            }
        )
    session.execute(Registration.__table__.insert(), rows)
    session.flush()
    return len(rows)


def mask_id_number(value: str) -> str:
    return value[:3] + "*" * max(0, len(value) - 7) + value[-4:] if len(value) > 7 else "****"


def mask_phone(value: str) -> str:
    return value[:3] + "****" + value[-4:] if len(value) >= 8 else "****"


def lookup_registration(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    plate: str,
    purpose: str | None,
    case_number: str | None,
) -> dict[str, Any]:
    """The owner of a plate: refused without case and purpose, audited with them, masked."""
    purpose, case_number = require_purpose(purpose, case_number)
    plate = normalise(plate)
    row = session.scalar(select(Registration).where(Registration.plate == plate))
    record_personal_read(
        session,
        clock=clock,
        resource_type="intel_registration",
        resource_id=plate,
        purpose=purpose,
        case_number=case_number,
        detail={"found": row is not None},
    )
    if row is None:
        raise NotFound("登记信息", plate)
    return {
        "plate": row.plate,
        "vehicle_kind": row.vehicle_kind,
        "owner_name": row.owner_name,
        "owner_id_number": mask_id_number(row.owner_id_number),
        "owner_phone": mask_phone(row.owner_phone),
        "address": row.address,
        "brand": row.brand,
        "colour": row.colour,
        "registered_at": row.registered_at,
    }


# -- ingest -----------------------------------------------------------------


@dataclass(frozen=True)
class IngestResult:
    batch_id: str
    rows: int
    accepted: int
    rejected: int
    flagged: int
    duplicate_batch: bool
    rejects: list[dict[str, Any]]
    rejects_truncated: bool


def _check_batch_id(batch_id: str | None) -> str:
    batch_id = (batch_id or "").strip()
    if not batch_id or len(batch_id) > 64 or not all(c.isalnum() or c in "-_.:" for c in batch_id):
        raise Invalid(
            "batch_id",
            "批次编号必填，1-64位字母、数字或 -_.:",
            "batch_id is required: 1-64 letters, digits or -_.:",
        )
    return batch_id


def ingest(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    pool: Pool,
    settings: IntelSettings,
    table: pa.Table,
    batch_id: str | None,
    source: str,
    max_rejects: int = 10_000,
) -> IngestResult:
    """Validate a batch; durable accepted rows in the pool, refused rows in quarantine."""
    batch_id = _check_batch_id(batch_id)
    if table.num_rows > settings.max_batch_rows:
        raise Invalid(
            "rows",
            f"单批最多{settings.max_batch_rows}行",
            f"a batch holds at most {settings.max_batch_rows} rows",
        )
    missing = [c for c in ("plate", "camera", "seen_at") if c not in table.schema.names]
    if missing:
        raise Invalid(
            "columns", f"缺少列：{', '.join(missing)}", f"missing columns: {', '.join(missing)}"
        )
    with pool.ingest_lock:
        known = pool.sightings.manifest().batches.get(batch_id)
        if known is not None:
            _ledger(session, clock, actor, batch_id, source, known)
            return IngestResult(
                batch_id,
                known.get("rows_in", known["rows"]),
                known["rows"],
                known.get("rejected", 0),
                known.get("flagged", 0),
                True,
                [],
                False,
            )
        now = clock.now()
        now_ms = int(now.timestamp() * 1000)
        book = camera_book(session=session, pool=pool)
        recent = recent_sightings(pool=pool, cameras=book, settings=settings, now_ms=now_ms)
        checked = checks.check(
            table,
            cameras=book,
            now_ms=now_ms,
            future_tolerance_ms=settings.future_tolerance_s * 1000,
            max_speed_kmh=settings.max_speed_kmh,
            recent=recent,
        )
        rejected = checked.rejects.num_rows
        if rejected:
            codes = pc.index_in(checked.rejects.column("reason"), value_set=_REASON_KEYS)
            quarantine = (
                checked.rejects.append_column("batch_id", pa.repeat(batch_id, rejected))
                .append_column("reason_zh", _REASONS_ZH.take(codes))
                .append_column("reason_en", _REASONS_EN.take(codes))
                .append_column(
                    "received_at", pa.repeat(pa.scalar(now, pa.timestamp("ms", tz="UTC")), rejected)
                )
            )
            pool.quarantine.append(quarantine, batch_id=batch_id, received_ms=now_ms)
        accepted = checked.accepted.append_column(
            "batch_id", pa.repeat(batch_id, checked.accepted.num_rows)
        )
        record = {
            "rows_in": checked.rows,
            "rejected": rejected,
            "flagged": checked.flagged,
            "source": source,
            "at": now.isoformat(),
        }
        result = pool.sightings.append(
            accepted, batch_id=batch_id, record=record, presorted=True, received_ms=now_ms
        )
        if not result.duplicate and checked.seen is not None:
            recent.add(checked.seen)  # durable now: later batches are checked against it
            pool.recent_batches.add(batch_id)
    _ledger(session, clock, actor, batch_id, source, result.recorded)
    rejects = [
        {
            "row": r["row"],
            "reason": r["reason"],
            "message": {
                "zh-CN": checks.REASONS[r["reason"]][0],
                "en": checks.REASONS[r["reason"]][1],
            },
            "plate": r["plate"],
            "camera": r["camera"],
            "seen_at": r["seen_at"],
        }
        for r in checked.rejects.slice(0, max_rejects).to_pylist()
    ]
    return IngestResult(
        batch_id=batch_id,
        rows=checked.rows,
        accepted=checked.accepted.num_rows,
        rejected=rejected,
        flagged=checked.flagged,
        duplicate_batch=result.duplicate,
        rejects=rejects,
        rejects_truncated=rejected > max_rejects,
    )


_REASON_KEYS = pa.array(list(checks.REASONS), pa.string())
_REASONS_ZH = pa.array([zh for zh, _ in checks.REASONS.values()], pa.string())
_REASONS_EN = pa.array([en for _, en in checks.REASONS.values()], pa.string())


def recent_sightings(
    *, pool: Pool, cameras: checks.CameraBook, settings: IntelSettings, now_ms: int
) -> checks.RecentSightings:
    """The writer's memory of recent sightings, rebuilt from the pool when it cannot be trusted.

    Built on the first ingest after the pool is opened, and again whenever the
    manifest names a batch this process did not write (another process, the
    demo builder, a CLI load): reading the window's rows back is the only way
    to be sure. Compactions do not count: they move rows, never add them.
    """
    window_ms = settings.recent_window_h * 3_600_000
    batches = set(pool.sightings.manifest().batches)
    recent = pool.recent
    if recent is None or recent.window_ms != window_ms or batches - pool.recent_batches:
        recent = checks.RecentSightings(window_ms)
        recent.advance(now_ms)
        for entry in pool.sightings.files(start_ms=recent.horizon_ms):
            rows = pq.read_table(
                pool.sightings.root / entry.path,
                columns=["plate", "camera", "seen_at"],
                filters=[
                    ("seen_at", ">=", pa.scalar(recent.horizon_ms, pa.timestamp("ms", "UTC")))
                ],
            )
            recent.add_rows(rows, cameras)
        pool.recent = recent
    recent.advance(now_ms)
    pool.recent_batches = batches
    return recent


def _ledger(
    session: Session, clock: Clock, actor: Actor, batch_id: str, source: str, known: dict
) -> None:
    if session.get(IngestBatch, batch_id) is not None:
        return
    session.add(
        IngestBatch(
            batch_id=batch_id,
            dataset=SIGHTINGS.name,
            source=known.get("source", source),
            received_at=clock.now(),
            rows=known.get("rows_in", known["rows"]),
            accepted=known["rows"],
            rejected=known.get("rejected", 0),
            flagged=known.get("flagged", 0),
            received_by=actor.username,
        )
    )
    session.flush()


def mask_plate(plate: str | None) -> str | None:
    """Enough of a plate to find the row in the sender's file, not enough to track a car.

    >>> mask_plate("湘DLJ15N"), mask_plate("AB"), mask_plate(None)
    ('湘D***5N', '**', None)
    """
    if plate is None:
        return None
    if len(plate) <= 4:
        return "*" * len(plate)
    return plate[:2] + "*" * (len(plate) - 4) + plate[-2:]


def quarantined(*, pool: Pool, batch_id: str) -> list[dict[str, Any]]:
    """A batch's refused rows with their reasons; plates masked (this read is bound to no case)."""
    table = pool.quarantine.read_all()
    rows = table.filter(pc.equal(table.column("batch_id"), batch_id)).sort_by("row").to_pylist()
    for row in rows:
        row["plate"] = mask_plate(row.get("plate"))
    return rows


# -- plate search -----------------------------------------------------------


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
) -> dict[str, Any]:
    """A plate's sightings and trajectory; personal data, so case and purpose are required."""
    purpose, case_number = require_purpose(purpose, case_number)
    query_plate = normalise(plate)
    if not fuzzy and not is_valid(query_plate):
        raise Invalid(
            "plate",
            "号牌格式不正确（模糊查询请勾选模糊）",
            "the plate is malformed (tick fuzzy for a partial reading)",
        )
    if fuzzy and not (4 <= len(query_plate) <= 10):
        raise Invalid("plate", "模糊查询号牌应为4-10个字符", "a fuzzy plate has 4-10 characters")
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
    found = rows.to_pylist()
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
    if area:
        found = [
            r
            for r in found
            if (cam := cameras.get(r["camera"])) is not None
            and area in (cam.grid_code, cam.station_code, cam.district_code)
        ]
    sightings = []
    by_plate: dict[str, list[dict[str, Any]]] = {}
    for r in found:
        cam = cameras.get(r["camera"])
        at = datetime.fromtimestamp(r["seen_ms"] / 1000, UTC)
        item = {
            "plate": r["plate"],
            "kind": r["kind"],
            "seen_at": at,
            "seen_at_local": at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S"),
            "camera": r["camera"],
            "camera_kind": cam.kind if cam else None,
            "camera_name": cam.name_zh if cam else None,
            "lng": cam.lng if cam else None,
            "lat": cam.lat if cam else None,
            "grid_code": cam.grid_code if cam else None,
            "grid_name": grid_names.get(cam.grid_code) if cam else None,
            "station_code": cam.station_code if cam else None,
            "district_code": cam.district_code if cam else None,
            "flags": ["absurd_speed"] if r["flags"] & FLAG_ABSURD_SPEED else [],
        }
        sightings.append(item)
        by_plate.setdefault(r["plate"], []).append(item)
    plates = sorted(
        (
            {"plate": p, "match": match_kind(query_plate, p), "sightings": len(items)}
            for p, items in by_plate.items()
        ),
        key=lambda x: (
            ["exact", "confusion", "edit"].index(x["match"]),
            -x["sightings"],
            x["plate"],
        ),
    )
    features = [
        {
            "type": "Feature",
            "geometry": {
                "type": "LineString",
                "coordinates": [[s["lng"], s["lat"]] for s in items if s["lng"] is not None],
            },
            "properties": {
                "plate": p,
                "times": [s["seen_at_local"] for s in items if s["lng"] is not None],
                "cameras": [s["camera"] for s in items if s["lng"] is not None],
            },
        }
        for p, items in by_plate.items()
    ]
    record_personal_read(
        session,
        clock=clock,
        resource_type="intel_sighting",
        resource_id=query_plate,
        purpose=purpose,
        case_number=case_number,
        detail={
            "mode": "fuzzy" if fuzzy else "exact",
            "start": start.isoformat(),
            "end": end.isoformat(),
            "area": area,
            "plates": [p["plate"] for p in plates][:50],
            "sightings": len(sightings),
        },
    )
    return {
        "query": query_plate,
        "mode": "fuzzy" if fuzzy else "exact",
        "engine": pool.engine.name,
        "start": start,
        "end": end,
        "area": area,
        "plates": plates,
        "sightings": sightings,
        "truncated": rows.num_rows >= limit,
        "trajectory": {"type": "FeatureCollection", "features": features},
        "engine_ms": round(engine_ms, 2),
        "row_groups_read": getattr(pool.engine, "last_row_groups", None) if not fuzzy else None,
    }


# -- the demo ---------------------------------------------------------------


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


#: The process's one pool (one writer), shared by requests and the maintenance job.
POOL: Provider[Pool] = Provider(
    "intel.pool", lambda runtime: open_pool(runtime.settings.lake_path, runtime.settings.intel)
)
