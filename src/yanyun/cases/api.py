"""Routes of case work (合成作战)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from yanyun.auth.deps import require
from yanyun.auth.permissions import Perm
from yanyun.auth.service import Actor
from yanyun.cases import parties, service
from yanyun.cases.schemas import (
    CaseCreate,
    CaseDetail,
    CaseRead,
    CaseTaskIn,
    EvidenceIn,
    MemberAdd,
    NoteIn,
    PartyIn,
    PartyRemove,
    PartyRevealed,
    RevealIn,
    StatusChange,
)
from yanyun.core.http import ClockDep, SessionDep
from yanyun.core.params import Offset, PathKey

router = APIRouter(prefix="/api/v1/cases", tags=["cases"])

Worker = Annotated[Actor, Depends(require(Perm.cases_write))]
Reader = Annotated[Actor, Depends(require(Perm.cases_read))]


def _detail(session, case_id: str, actor: Actor) -> CaseDetail:
    case, _ = service.get_case(session=session, actor=actor, case_id=case_id)
    return service.case_detail(session, case, actor)


@router.post("", response_model=CaseDetail, status_code=201)
def open_case(body: CaseCreate, session: SessionDep, clock: ClockDep, actor: Worker) -> CaseDetail:
    """Open a case (from an incident, its place, time and narrative come along)."""
    case = service.open_case(session=session, clock=clock, actor=actor, case_in=body)
    return service.case_detail(session, case, actor)


@router.get("", response_model=list[CaseRead])
def list_cases(
    session: SessionDep,
    actor: Reader,
    status: str | None = Query(None, pattern="^(open|suspended|solved|closed)$"),
    incident_id: str | None = Query(None, min_length=1, max_length=26),
    number: str | None = Query(None, min_length=1, max_length=24),
    limit: int = Query(50, ge=1, le=500),
    offset: Offset = 0,
) -> list[CaseRead]:
    """The caller's cases, and those of their area for supervisors; or those of an incident;
    or the one of a number (a watch hit names its case by number)."""
    return service.list_cases(session=session, actor=actor, status=status, limit=limit,
                              offset=offset, incident_id=incident_id, number=number)


@router.get("/{case_id}", response_model=CaseDetail)
def case_detail(case_id: PathKey, session: SessionDep, actor: Reader) -> CaseDetail:
    """A case with its members and one timeline, searches included."""
    return _detail(session, case_id, actor)


@router.post("/{case_id}/members", response_model=CaseDetail, status_code=201)
def add_member(case_id: PathKey, body: MemberAdd, session: SessionDep, clock: ClockDep,
               actor: Worker) -> CaseDetail:
    service.add_member(session=session, clock=clock, actor=actor, case_id=case_id,
                       username=body.username)
    return _detail(session, case_id, actor)


@router.delete("/{case_id}/members/{user_id}", response_model=CaseDetail)
def remove_member(case_id: PathKey, user_id: PathKey, session: SessionDep, clock: ClockDep,
                  actor: Worker) -> CaseDetail:
    service.remove_member(session=session, clock=clock, actor=actor, case_id=case_id,
                          user_id=user_id)
    return _detail(session, case_id, actor)


@router.post("/{case_id}/status", response_model=CaseDetail)
def change_status(case_id: PathKey, body: StatusChange, session: SessionDep, clock: ClockDep,
                  actor: Worker) -> CaseDetail:
    """Suspend, solve (with detentions and amounts recovered), close or reopen."""
    service.change_status(session=session, clock=clock, actor=actor, case_id=case_id,
                          change=body)
    return _detail(session, case_id, actor)


@router.post("/{case_id}/tasks", response_model=CaseDetail, status_code=201)
def request_task(case_id: PathKey, body: CaseTaskIn, session: SessionDep, clock: ClockDep,
                 actor: Worker) -> CaseDetail:
    """A task to any unit for the case, made and followed by supervision (督)."""
    service.request_task(session=session, clock=clock, actor=actor, case_id=case_id,
                         task_in=body)
    return _detail(session, case_id, actor)


@router.post("/{case_id}/notes", response_model=CaseDetail, status_code=201)
def add_note(case_id: PathKey, body: NoteIn, session: SessionDep, clock: ClockDep,
             actor: Worker) -> CaseDetail:
    service.add_note(session=session, clock=clock, actor=actor, case_id=case_id, text=body.text)
    return _detail(session, case_id, actor)


# Persons, vehicles and evidence: members and the supervisors of the case's area (those
# ``get_case`` lets through; anyone else gets a 404) add to a case; hence cases:read.


@router.post("/{case_id}/parties", response_model=CaseDetail, status_code=201)
def add_party(case_id: PathKey, body: PartyIn, session: SessionDep, clock: ClockDep,
              actor: Reader) -> CaseDetail:
    """涉案人员/车辆: a plate, an e-bike, a phone or a person, in a role (shown masked)."""
    case, _ = service.get_case(session=session, actor=actor, case_id=case_id)
    parties.add_party(session=session, clock=clock, actor=actor, case=case, party_in=body)
    return service.case_detail(session, case, actor)


@router.post("/{case_id}/parties/{party_id}/remove", response_model=CaseDetail)
def remove_party(case_id: PathKey, party_id: PathKey, body: PartyRemove, session: SessionDep,
                 clock: ClockDep, actor: Reader) -> CaseDetail:
    """Take a party off the case; the row stays with who, when and why."""
    case, _ = service.get_case(session=session, actor=actor, case_id=case_id)
    parties.remove_party(session=session, clock=clock, actor=actor, case=case,
                         party_id=party_id, reason=body.reason)
    return service.case_detail(session, case, actor)


@router.post("/{case_id}/parties/{party_id}/reveal", response_model=PartyRevealed)
def reveal_party(case_id: PathKey, party_id: PathKey, body: RevealIn, session: SessionDep,
                 clock: ClockDep, actor: Reader) -> PartyRevealed:
    """A party in full: bound to this case (a member of it, open) and audited."""
    case, member = service.get_case(session=session, actor=actor, case_id=case_id)
    return parties.reveal_party(session=session, clock=clock, actor=actor, case=case,
                                member=member, party_id=party_id, purpose=body.purpose)


@router.post("/{case_id}/evidence", response_model=CaseDetail, status_code=201)
def add_evidence(case_id: PathKey, body: EvidenceIn, session: SessionDep, clock: ClockDep,
                 actor: Reader) -> CaseDetail:
    """证据: a stored photo or file by its hash, a camera clip, or a document number."""
    case, _ = service.get_case(session=session, actor=actor, case_id=case_id)
    parties.add_evidence(session=session, clock=clock, actor=actor, case=case,
                         evidence_in=body)
    return service.case_detail(session, case, actor)
