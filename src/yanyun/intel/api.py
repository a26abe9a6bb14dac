"""Routes of intelligence (情): the pool's catalog and ingest, cameras, plate search."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Path, Query, Request

from yanyun.auth.deps import require
from yanyun.auth.permissions import Perm
from yanyun.auth.service import Actor
from yanyun.core.config import CoreSettings as Settings
from yanyun.core.errors import Invalid
from yanyun.core.http import ClockDep, SessionDep, SettingsDep
from yanyun.core.params import PathKey
from yanyun.core.sheets import upload
from yanyun.intel import around, ebike_reads, ebike_registry, service, watchlist
from yanyun.intel import ingest as checks
from yanyun.intel.schemas import (
    AroundIn,
    AroundRead,
    CameraPage,
    CameraRead,
    CancelIn,
    CompactRead,
    DatasetRead,
    HitDecision,
    ImportResult,
    IngestRead,
    OwnerIn,
    OwnerInFull,
    PlateSearchIn,
    PlateSearchRead,
    QuarantinedRead,
    RegistrationHistory,
    RegistrationIn,
    RegistrationQuery,
    RegistrationRead,
    SightingBatchIn,
    WatchDecision,
    WatchHitRead,
    WatchIn,
    WatchRead,
)

router = APIRouter(prefix="/api/v1/intel", tags=["intel"])

CameraReader = Annotated[Actor, Depends(require(Perm.cameras_read))]
Searcher = Annotated[Actor, Depends(require(Perm.sightings_search))]
Ingester = Annotated[Actor, Depends(require(Perm.sightings_ingest))]
OwnerReader = Annotated[Actor, Depends(require(Perm.registrations_read))]
Registrar = Annotated[Actor, Depends(require(Perm.registrations_write))]


def get_pool(request: Request) -> service.Pool:
    return request.app.state.runtime.provide(service.POOL)


PoolDep = Annotated[service.Pool, Depends(get_pool)]


async def raw_body(request: Request) -> bytes:
    return await request.body()


BodyDep = Annotated[bytes, Depends(raw_body)]


def _ingest(
    session: Any,
    actor: Actor,
    clock: Any,
    pool: service.Pool,
    settings: Settings,
    table: Any,
    batch_id: str | None,
    source: str,
) -> IngestRead:
    result = service.ingest(
        session=session,
        actor=actor,
        clock=clock,
        pool=pool,
        settings=settings.intel,
        table=table,
        batch_id=batch_id,
        source=source,
    )
    return IngestRead(**vars(result))


@router.get("/datasets", response_model=list[DatasetRead])
def list_datasets(session: SessionDep, actor: CameraReader, pool: PoolDep) -> list[DatasetRead]:
    """The pool's catalog: each dataset, its schema, source and whether it is personal."""
    return service.catalog(session=session, pool=pool)


@router.post("/sightings/batches", response_model=IngestRead)
def ingest_json(
    body: SightingBatchIn,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Ingester,
    pool: PoolDep,
) -> IngestRead:
    """A batch of sightings as JSON; durable when answered, and re-sending it adds nothing."""
    table = checks.rows_to_table([r.model_dump() for r in body.rows])
    return _ingest(session, actor, clock, pool, settings, table, body.batch_id, "json")


@router.post("/sightings/arrow", response_model=IngestRead)
def ingest_arrow(
    body: BodyDep,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Ingester,
    pool: PoolDep,
    batch_id: Annotated[str, Header(alias="X-Batch-Id", max_length=64)],
) -> IngestRead:
    """A batch as an Arrow IPC stream (columns plate, camera, seen_at, kind)."""
    table = _read(checks.read_arrow_ipc, body)
    return _ingest(session, actor, clock, pool, settings, table, batch_id, "arrow")


@router.post("/sightings/files", response_model=IngestRead)
def ingest_file(
    body: BodyDep,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Ingester,
    pool: PoolDep,
    batch_id: Annotated[str, Query(max_length=64)],
    format: Annotated[Literal["csv", "parquet"], Query()] = "csv",
) -> IngestRead:
    """A CSV or Parquet file sent as the request body."""
    reader = checks.read_csv if format == "csv" else checks.read_parquet
    table = _read(reader, body)
    return _ingest(session, actor, clock, pool, settings, table, batch_id, format)


def _read(reader: Any, body: bytes) -> Any:
    if not body:
        raise Invalid("body", "请求体为空", "the request body is empty")
    try:
        return reader(body)
    except checks.UnreadableBatch as exc:
        raise Invalid("body", "无法读取批次数据", f"the batch cannot be read: {exc}") from exc


@router.get("/quarantine/{batch_id}", response_model=list[QuarantinedRead])
def quarantine(batch_id: PathKey, actor: Ingester, pool: PoolDep) -> list[QuarantinedRead]:
    """Rows of a batch that validation refused, with the reason."""
    return service.quarantined(pool=pool, batch_id=batch_id)


@router.post("/pool/compact", response_model=CompactRead)
def compact(actor: Ingester, pool: PoolDep) -> CompactRead:
    """Rewrite each day's small files into its plate-sorted layout."""
    return service.compact_sightings(pool=pool)


@router.post("/around", response_model=AroundRead)
def search_around(
    body: AroundIn,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Searcher,
    pool: PoolDep,
) -> AroundRead:
    """Plates seen near a place within minutes of a time, closest first, with their movements
    in the hour around; needs the searcher's case and a purpose, and is audited."""
    return around.search_around(
        session=session, clock=clock, pool=pool, settings=settings.intel, lng=body.lng,
        lat=body.lat, at=body.at, radius_m=body.radius_m, minutes=body.minutes,
        purpose=body.purpose, case_number=body.case_number, limit=body.limit,
    )


@router.post("/plate-search", response_model=PlateSearchRead)
def plate_search(
    body: PlateSearchIn,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Searcher,
    pool: PoolDep,
) -> PlateSearchRead:
    """Sightings and trajectory of a plate (exact or fuzzy); needs a case number and a purpose."""
    return service.search_plate(
        session=session,
        actor=actor,
        clock=clock,
        pool=pool,
        settings=settings.intel,
        plate=body.plate,
        fuzzy=body.fuzzy,
        start=body.start,
        end=body.end,
        area=body.area,
        purpose=body.purpose,
        case_number=body.case_number,
        limit=body.limit,
    )


@router.post("/registrations/lookup", response_model=RegistrationRead)
def registration(
    body: RegistrationQuery, session: SessionDep, clock: ClockDep, actor: OwnerReader
) -> RegistrationRead:
    """The registered owner of a plate (masked); needs a case number and a purpose."""
    return service.lookup_registration(
        session=session,
        actor=actor,
        clock=clock,
        plate=body.plate,
        purpose=body.purpose,
        case_number=body.case_number,
    )


@router.post("/registrations", response_model=RegistrationRead, status_code=201)
def register_ebike(body: RegistrationIn, session: SessionDep, clock: ClockDep,
                   actor: Registrar) -> RegistrationRead:
    """电动车登记: an e-bike and its owner (shown masked)."""
    return ebike_registry.register(session=session, clock=clock, actor=actor, reg_in=body)


@router.post("/registrations/import", response_model=ImportResult)
def import_registrations(
    data: Annotated[bytes, Depends(upload)], session: SessionDep, clock: ClockDep,
    actor: Registrar,
) -> ImportResult:
    """Load an old register (CSV in UTF-8 or GBK, or XLSX): all rows or none, each bad row
    named with its line and field."""
    result = ebike_registry.import_registrations(session=session, clock=clock, actor=actor,
                                                 data=data)
    return result


@router.post("/registrations/{plate}/transfer", response_model=RegistrationRead)
def transfer_ebike(plate: Annotated[str, Path(min_length=2, max_length=16)], body: OwnerIn,
                   session: SessionDep, clock: ClockDep, actor: Registrar) -> RegistrationRead:
    """过户: a new owner; the former one stays in the registration's history."""
    return ebike_registry.transfer(session=session, clock=clock, actor=actor, plate=plate,
                                   owner=body)


@router.post("/registrations/{plate}/cancel", response_model=RegistrationRead)
def cancel_ebike(plate: Annotated[str, Path(min_length=2, max_length=16)], body: CancelIn,
                 session: SessionDep, clock: ClockDep, actor: Registrar) -> RegistrationRead:
    """注销: kept on record, no longer active."""
    return ebike_registry.cancel(session=session, clock=clock, actor=actor, plate=plate,
                                 reason=body.reason)


@router.get("/registrations", response_model=list[RegistrationRead])
def latest_registrations(
    session: SessionDep, actor: Registrar,
    plate: Annotated[str | None, Query(min_length=1, max_length=16)] = None,
    status: Annotated[Literal["active", "cancelled"] | None, Query()] = None,
    kind: Annotated[Literal["ebike", "car"], Query()] = "ebike",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[RegistrationRead]:
    """The register's latest registrations, owners masked (the 电动车登记 page's list)."""
    return ebike_reads.latest(session=session, prefix=plate, status=status, kind=kind,
                              limit=limit)


@router.get("/registrations/{plate}/history", response_model=RegistrationHistory)
def registration_history(plate: Annotated[str, Path(min_length=2, max_length=16)],
                         session: SessionDep, actor: Registrar) -> RegistrationHistory:
    """A plate's registration and its changes (registered, transferred, cancelled), masked."""
    return ebike_reads.history(session=session, plate=plate)


@router.post("/registrations/owner", response_model=OwnerInFull)
def owner_in_full(body: RegistrationQuery, session: SessionDep, clock: ClockDep,
                  actor: Registrar) -> OwnerInFull:
    """An owner unmasked, for the register's keepers: needs a case they work on and a
    purpose, and is audited."""
    return ebike_reads.owner_in_full(session=session, clock=clock, plate=body.plate,
                                     purpose=body.purpose, case_number=body.case_number)


@router.post("/watches", response_model=WatchRead, status_code=201)
def request_watch(body: WatchIn, session: SessionDep, clock: ClockDep,
                  actor: Searcher) -> WatchRead:
    """布控: ask for a plate to be watched under one's case; a second user approves it."""
    return watchlist.request_watch(session=session, clock=clock, actor=actor, watch_in=body)


@router.get("/watches", response_model=list[WatchRead])
def list_watches(session: SessionDep, actor: Searcher) -> list[WatchRead]:
    """The watches of the caller's area, newest first."""
    return watchlist.list_watches(session=session, actor=actor)


@router.post("/watches/{entry_id}/decision", response_model=WatchRead)
def decide_watch(entry_id: PathKey, body: WatchDecision, session: SessionDep, clock: ClockDep,
                 actor: Annotated[Actor, Depends(require(Perm.watch_approve))]) -> WatchRead:
    """Approve or refuse a watch someone else asked for."""
    return watchlist.decide_watch(session=session, clock=clock, actor=actor, entry_id=entry_id,
                                  decision=body)


@router.post("/watches/{entry_id}/end", response_model=WatchRead)
def end_watch(entry_id: PathKey, session: SessionDep, clock: ClockDep,
              actor: Searcher) -> WatchRead:
    return watchlist.end_watch(session=session, clock=clock, actor=actor, entry_id=entry_id)


@router.get("/watch-hits", response_model=list[WatchHitRead])
def watch_hits(
    session: SessionDep, actor: Searcher,
    status: str | None = Query(None, pattern="^(pending|confirmed|rejected)$"),
) -> list[WatchHitRead]:
    """Sightings of watched plates in the caller's area, newest first."""
    return watchlist.list_hits(session=session, actor=actor, status=status)


@router.post("/watch-hits/{hit_id}/decision", response_model=WatchHitRead)
def decide_hit(hit_id: PathKey, body: HitDecision, session: SessionDep, clock: ClockDep,
               actor: Searcher) -> WatchHitRead:
    """Confirm the read against the image (then it may be acted on), or reject it."""
    return watchlist.decide_hit(session=session, clock=clock, actor=actor, hit_id=hit_id,
                                confirm=body.confirm)


@router.get("/cameras", response_model=CameraPage)
def cameras(
    session: SessionDep,
    actor: CameraReader,
    kind: Annotated[Literal["hd_video", "checkpoint", "ebike"] | None, Query()] = None,
    area: Annotated[str | None, Query(max_length=32)] = None,
    after: Annotated[str | None, Query(max_length=16)] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
) -> CameraPage:
    """The camera registry, paged by code."""
    items = service.list_cameras(session=session, kind=kind, area=area, after=after, limit=limit)
    return CameraPage(
        items=[CameraRead.model_validate(c) for c in items],
        next_after=items[-1].code if len(items) == limit else None,
        counts=service.camera_counts(session=session),
    )
