"""Routes of command and dispatch: calls in, units out, the 1-3-5 clock on each."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select

from yanyun.auth.deps import require
from yanyun.auth.permissions import Perm
from yanyun.auth.service import Actor
from yanyun.command import day_summary, dispatching, lifecycle, merging, service, transitions, units
from yanyun.command.catalogue import Catalogue, load_catalogue
from yanyun.command.intake import Gazetteer, LexiconParser, load_landmarks
from yanyun.command.models import Incident, ResponseCircle
from yanyun.command.schemas import (
    OUTCOMES,
    STATUS_LABELS,
    CallRead,
    CandidateRead,
    ClockRead,
    DispatchIn,
    DuplicateRead,
    IncidentCreate,
    IncidentDetail,
    IncidentRead,
    IncidentStatus,
    IntakeIn,
    MergeIn,
    NoteIn,
    PositionBatch,
    PositionBatchResult,
    TransitionIn,
    TransitionRead,
    UnitAction,
    UnitRead,
)
from yanyun.core import audit
from yanyun.core.clock import as_utc
from yanyun.core.contexts import Provider
from yanyun.core.http import ClockDep, SessionDep, SettingsDep
from yanyun.core.params import Day, PathKey
from yanyun.geo.api import IndexDep
from yanyun.geo.travel import GreatCircleEstimator, TravelTimeEstimator

router = APIRouter(prefix="/api/v1", tags=["command"])

Reader = Annotated[Actor, Depends(require(Perm.incidents_read))]
Writer = Annotated[Actor, Depends(require(Perm.incidents_write))]
UnitReader = Annotated[Actor, Depends(require(Perm.units_read))]
UnitWriter = Annotated[Actor, Depends(require(Perm.units_write))]


#: The incident category catalogue (the shipped one or the bureau's own).
CATALOGUE: Provider[Catalogue] = Provider(
    "command.catalogue", lambda runtime: load_catalogue(runtime.settings.command.catalogue_path)
)
#: Travel-time estimates for recommending units.
ESTIMATOR: Provider[TravelTimeEstimator] = Provider(
    "command.estimator", lambda runtime: GreatCircleEstimator()
)


def catalogue_of(runtime: Any) -> Catalogue:
    return runtime.provide(CATALOGUE)


def _build_parser(runtime: Any) -> LexiconParser:
    from yanyun.geo.boundaries import load_boundaries

    city = runtime.settings.city.name
    gazetteer = Gazetteer.from_city(load_boundaries(city), load_landmarks(city))
    return LexiconParser(gazetteer, catalogue_of(runtime))


#: The Chinese intake parser with the city's gazetteer (its dictionaries take seconds).
PARSER: Provider[LexiconParser] = Provider("command.intake_parser", _build_parser)


def parser_of(runtime: Any) -> LexiconParser:
    return runtime.provide(PARSER)


def warm_up(runtime: Any) -> None:
    """Load the catalogue and the parser (and its segmenter's dictionary) before the
    first call, so the first dispatcher of the day does not wait seconds for them."""
    parser_of(runtime).parse("十分钟前在衡阳东站门口有人打架", now=runtime.clock.now())


def get_catalogue(request: Request) -> Catalogue:
    return catalogue_of(request.app.state.runtime)


def get_estimator(request: Request) -> TravelTimeEstimator:
    return request.app.state.runtime.provide(ESTIMATOR)


def get_parser(request: Request) -> LexiconParser:
    return parser_of(request.app.state.runtime)


CatalogueDep = Annotated[Catalogue, Depends(get_catalogue)]
EstimatorDep = Annotated[TravelTimeEstimator, Depends(get_estimator)]
ParserDep = Annotated[LexiconParser, Depends(get_parser)]


def _clock_read(incident: Incident) -> ClockRead:
    return ClockRead(
        dispatch_target_s=incident.dispatch_target_s,
        arrival_target_s=incident.arrival_target_s,
        dispatch_s=transitions.seconds_after_receipt(incident, incident.dispatched_at),
        arrival_s=transitions.seconds_after_receipt(incident, incident.arrived_at),
        dispatch_breached=incident.dispatch_breached,
        arrival_breached=incident.arrival_breached,
        circle_id=incident.circle_id,
    )


def incident_read(
    session: Any, incident: Incident, catalogue: Catalogue, units: list[str] | None = None
) -> dict[str, Any]:
    category = catalogue.category(incident.category_code)
    label_zh, label_en = category.label_zh, category.label_en
    if incident.sub_code:
        sub = catalogue.subcategory(incident.sub_code)
        label_zh, label_en = f"{label_zh}/{sub.label_zh}", f"{label_en}/{sub.label_en}"
    status_zh, status_en = STATUS_LABELS[incident.status]
    return dict(
        id=incident.id,
        number=incident.number,
        received_at=incident.received_at,
        occurred_at=incident.occurred_at,
        source=incident.source,
        caller_phone_masked=service.masked_phone(incident.caller_phone),
        narrative=incident.narrative,
        address_text=incident.address_text,
        lng=incident.lng,
        lat=incident.lat,
        district_code=incident.district_code,
        station_code=incident.station_code,
        grid_code=incident.grid_code,
        category_code=incident.category_code,
        sub_code=incident.sub_code,
        category_label_zh=label_zh,
        category_label_en=label_en,
        priority=incident.priority,
        status=incident.status,
        status_label_zh=status_zh,
        status_label_en=status_en,
        allowed_transitions=lifecycle.allowed_from(incident.status),
        clock=_clock_read(incident),
        merged_into_id=incident.merged_into_id,
        outcome=incident.outcome,
        units=transitions.assigned_units(session=session, incident_id=incident.id)
        if units is None
        else units,
    )


@router.post("/incidents", response_model=IncidentRead, status_code=201)
def create_incident(
    body: IncidentCreate,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Writer,
    index: IndexDep,
    catalogue: CatalogueDep,
) -> dict[str, Any]:
    """Take a call: locate, number and open an incident with its 1-3-5 targets."""
    incident = service.open_incident(
        session=session,
        clock=clock,
        actor=actor,
        index=index,
        catalogue=catalogue,
        settings=settings.command,
        incident_in=body,
    )
    session.flush()
    # A call just taken has no units: no need to ask the database.
    return incident_read(session, incident, catalogue, units=[])


@router.get("/incidents", response_model=list[IncidentRead])
def list_incidents(
    session: SessionDep,
    actor: Reader,
    catalogue: CatalogueDep,
    status: Annotated[list[IncidentStatus] | None, Query()] = None,
    open_only: bool = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[dict[str, Any]]:
    """The incident queue in the caller's scope: most urgent first, then newest."""
    rows = service.list_incidents(
        session=session,
        actor=actor,
        statuses=[s.value for s in status] if status else None,
        open_only=open_only,
        limit=limit,
        offset=offset,
    )
    return [incident_read(session, r, catalogue) for r in rows]


@router.get("/incidents/{incident_id}", response_model=IncidentDetail)
def incident_detail(
    incident_id: PathKey,
    session: SessionDep,
    clock: ClockDep,
    actor: Reader,
    catalogue: CatalogueDep,
) -> dict[str, Any]:
    """One incident with its calls and timeline; the caller's full number only for those
    who call back (dispatchers and the station's officers), and that read is audited."""
    incident = service.get_incident(session=session, actor=actor, incident_id=incident_id)
    # Only while the incident is worked: a closed one shows the number masked.
    full_number = actor.can(Perm.caller_read) and audit.works_on(session, incident.number)
    if full_number:
        service.read_caller_details(session=session, clock=clock, incident=incident)
    calls = [
        CallRead(
            received_at=c.received_at,
            source=c.source,
            narrative=c.narrative,
            caller_phone_masked=service.masked_phone(c.caller_phone),
        )
        for c in transitions.calls_of(session=session, incident_id=incident.id)
    ]
    timeline = [
        TransitionRead.model_validate(t)
        for t in transitions.timeline_of(session=session, incident_id=incident.id)
    ]
    return {
        **incident_read(session, incident, catalogue),
        "caller_phone": (
            incident.caller_phone if full_number else service.masked_phone(incident.caller_phone)
        ),
        "calls": calls,
        "timeline": timeline,
    }


@router.get("/incidents/{incident_id}/timeline", response_model=list[TransitionRead])
def incident_timeline(incident_id: PathKey, session: SessionDep, actor: Reader) -> list:
    """Every step of the incident, who took it and when."""
    incident = service.get_incident(session=session, actor=actor, incident_id=incident_id)
    return transitions.timeline_of(session=session, incident_id=incident.id)


@router.post("/incidents/{incident_id}/transitions", response_model=IncidentRead)
def move_incident(
    incident_id: PathKey,
    body: TransitionIn,
    session: SessionDep,
    clock: ClockDep,
    actor: Writer,
    catalogue: CatalogueDep,
) -> dict[str, Any]:
    """Move the incident along its lifecycle; 409 names the allowed moves."""
    incident = service.transition(
        session=session,
        clock=clock,
        actor=actor,
        incident_id=incident_id,
        to_status=body.to,
        note=body.note,
        outcome=body.outcome,
    )
    session.flush()
    return incident_read(session, incident, catalogue)


@router.get("/incidents/{incident_id}/recommendations", response_model=list[CandidateRead])
def recommendations(
    incident_id: PathKey,
    session: SessionDep,
    actor: Reader,
    index: IndexDep,
    catalogue: CatalogueDep,
    estimator: EstimatorDep,
    limit: Annotated[int, Query(ge=1, le=20)] = 5,
) -> list[CandidateRead]:
    """The fastest suitable available units, with the reason for each rank."""
    incident = service.get_incident(session=session, actor=actor, incident_id=incident_id)
    ranked = units.recommend(
        session=session,
        incident=incident,
        catalogue=catalogue,
        estimator=estimator,
        urban=index.district_urban.get(incident.district_code, False),
        limit=limit,
    )
    return [
        CandidateRead(
            unit_id=c.unit_id,
            call_sign=u.call_sign,
            kind=u.kind,
            rank=c.rank,
            eta_s=round(c.eta_s, 1),
            distance_m=round(c.distance_m, 1),
            reason_zh=c.reason_zh,
            reason_en=c.reason_en,
        )
        for c, u in ranked
    ]


@router.post("/incidents/{incident_id}/dispatch", response_model=IncidentRead)
def dispatch(
    incident_id: PathKey,
    body: DispatchIn,
    session: SessionDep,
    clock: ClockDep,
    actor: Writer,
    catalogue: CatalogueDep,
) -> dict[str, Any]:
    """Send one or more units; each must be available."""
    incident = dispatching.dispatch(
        session=session,
        clock=clock,
        actor=actor,
        incident_id=incident_id,
        unit_ids=body.unit_ids,
        note=body.note,
    )
    session.flush()
    return incident_read(session, incident, catalogue)


@router.get("/incidents/{incident_id}/duplicates", response_model=list[DuplicateRead])
def duplicates(
    incident_id: PathKey, session: SessionDep, settings: SettingsDep, actor: Reader
) -> list[DuplicateRead]:
    """Open incidents close in place and time, same category: offered for merging."""
    incident = service.get_incident(session=session, actor=actor, incident_id=incident_id)
    found = merging.find_duplicates(
        session=session, incident=incident, settings=settings.command, actor=actor
    )
    return [
        DuplicateRead(
            incident_id=o.id,
            number=o.number,
            distance_m=round(d, 1),
            minutes_apart=round(
                abs((as_utc(o.received_at) - as_utc(incident.received_at)).total_seconds()) / 60, 1
            ),
            same_category=o.category_code == incident.category_code,
            narrative=o.narrative,
        )
        for o, d in found
    ]


@router.post("/incidents/{incident_id}/notes", response_model=IncidentRead, status_code=201)
def add_note(
    incident_id: PathKey,
    body: NoteIn,
    session: SessionDep,
    clock: ClockDep,
    actor: Writer,
    catalogue: CatalogueDep,
) -> dict[str, Any]:
    """Add a note to the incident's timeline; its status does not change."""
    incident = service.add_note(
        session=session, clock=clock, actor=actor, incident_id=incident_id, text=body.text
    )
    session.flush()
    return incident_read(session, incident, catalogue)


@router.post("/incidents/{incident_id}/merge", response_model=IncidentRead)
def merge(
    incident_id: PathKey,
    body: MergeIn,
    session: SessionDep,
    clock: ClockDep,
    actor: Writer,
    catalogue: CatalogueDep,
) -> dict[str, Any]:
    """Merge a duplicate into this incident; both callers are kept."""
    incident = merging.merge(
        session=session,
        clock=clock,
        actor=actor,
        primary_id=incident_id,
        duplicate_id=body.duplicate_id,
    )
    session.flush()
    return incident_read(session, incident, catalogue)


@router.post("/intake/parse")
def parse_intake(
    body: IntakeIn, clock: ClockDep, actor: Writer, parser: ParserDep
) -> dict[str, Any]:
    """Suggest location, time, category and priority from what the caller said."""
    return dataclasses.asdict(parser.parse(body.text, now=clock.now()))


@router.get("/dashboard/day")
def dashboard_day(
    session: SessionDep,
    clock: ClockDep,
    actor: Reader,
    catalogue: CatalogueDep,
    day: Annotated[Day | None, Query(description="Asia/Shanghai date; today if absent")] = None,
) -> dict[str, Any]:
    """The commander's wall for one day: compact incident rows, last week, units by status."""
    return day_summary.day_summary(
        session=session, actor=actor, clock=clock, catalogue=catalogue, day=day
    )


@router.get("/incident-categories")
def categories(actor: Reader, catalogue: CatalogueDep) -> list[dict[str, Any]]:
    """The catalogue of incident categories with codes and zh/en labels."""
    return [dataclasses.asdict(c) for c in catalogue.categories]


@router.get("/incident-outcomes")
def outcomes(actor: Reader) -> dict[str, tuple[str, str]]:
    """The outcomes a resolved incident may have (处置结果), code -> [zh, en]."""
    return OUTCOMES


@router.get("/units", response_model=list[UnitRead])
def list_units(
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: UnitReader,
    status: Annotated[str | None, Query(max_length=16)] = None,
    kind: Annotated[str | None, Query(max_length=16)] = None,
    limit: Annotated[int, Query(ge=1, le=20000)] = 1000,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[UnitRead]:
    """Units in scope with live status and position; stale fixes are flagged."""
    rows = units.list_units(
        session=session, actor=actor, status=status, kind=kind, limit=limit, offset=offset
    )
    return [units.unit_read(u, clock=clock, settings=settings.command) for u in rows]


@router.post("/units/positions", response_model=PositionBatchResult)
def positions(
    body: PositionBatch,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: UnitWriter,
) -> PositionBatchResult:
    """A batch of AVL fixes: the latest wins; rejected rows are counted with the reason."""
    return units.record_positions(
        session=session,
        clock=clock,
        settings=settings.command,
        positions=body.positions,
        actor=actor,
    )


@router.post("/units/{unit_id}/actions", response_model=UnitRead)
def unit_action(
    unit_id: PathKey,
    body: UnitAction,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: UnitWriter,
) -> UnitRead:
    """A unit acknowledges, arrives or clears; the incident follows."""
    unit = dispatching.unit_action(
        session=session,
        clock=clock,
        actor=actor,
        unit_id=unit_id,
        incident_id=body.incident_id,
        action=body.action,
    )
    return units.unit_read(unit, clock=clock, settings=settings.command)


@router.get("/response-circles")
def response_circles(
    session: SessionDep, actor: Annotated[Actor, Depends(require(Perm.map_read))]
) -> list[dict]:
    """The 1-3-5 quick-response circles with their arrival targets."""
    rows = session.scalars(select(ResponseCircle).order_by(ResponseCircle.id))
    return [
        {
            "id": c.id,
            "name_zh": c.name_zh,
            "name_en": c.name_en,
            "kind": c.kind,
            "lng": c.lng,
            "lat": c.lat,
            "radius_m": c.radius_m,
            "target_min": c.target_min,
            "station_code": c.station_code,
        }
        for c in rows
    ]
