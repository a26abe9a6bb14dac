"""Routes of command and dispatch: calls in, units out, the 1-3-5 clock on each."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from fastapi import APIRouter, Query

from yanyun.auth.permissions import Perm
from yanyun.command import day_summary, dispatching, lifecycle, merging, service, transitions, units
from yanyun.command.catalogue import Catalogue
from yanyun.command.deps import CatalogueDep, EstimatorDep, ParserDep, Reader, Writer
from yanyun.command.models import Incident
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
    TransitionIn,
    TransitionRead,
)
from yanyun.core import audit
from yanyun.core.clock import as_utc
from yanyun.core.http import ClockDep, SessionDep, SettingsDep
from yanyun.core.params import Day, PathKey
from yanyun.geo.api import IndexDep

router = APIRouter(prefix="/api/v1", tags=["command"])


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
    # A call just taken has no units: no need to ask the database. Its rows are
    # flushed once, with its event, by the commit that follows.
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
