"""Persons and vehicles of interest (涉案人员/车辆) and evidence references (证据) on a case.

A party is a car plate, an e-bike plate, a phone number or a named person,
with a role (suspect, victim, witness, other). Whoever works on the case sees
the personal fields masked; the full value is a personal-data read named by
the case (the purpose guard binds it to an open case the reader is a member
of) and lands on the audit log and so on the case's timeline. Taking a party
off a case keeps the row with who did it and why: a case file is not
rewritten silently.

Evidence is a pointer, not the bytes: a stored photo or file by its SHA-256,
a camera's clip by camera and time span, or a document's number.

Functions here take the case the caller already resolved through
``service.get_case`` (members, and supervisors of its area), so the one
visible-or-404 check stays in one place.
"""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.auth.service import Actor
from yanyun.cases.models import Case, CaseEntry, CaseEvidence, CaseMember, CaseParty
from yanyun.cases.schemas import (
    EVIDENCE_KINDS,
    PARTY_KINDS,
    PARTY_ROLES,
    EvidenceIn,
    EvidenceRead,
    PartyIn,
    PartyRead,
    PartyRevealed,
)
from yanyun.core import audit
from yanyun.core.clock import Clock, as_utc
from yanyun.core.errors import Conflict, Invalid, NotFound, PermissionDenied
from yanyun.core.ids import new_id
from yanyun.intel.ebike_registry import valid_id_number, valid_mobile
from yanyun.intel.models import Camera
from yanyun.intel.plates import EBIKE_PATTERN, VEHICLE_PATTERN, normalise
from yanyun.intel.registrations import mask_id_number, mask_name, mask_phone

#: The longest camera clip a reference may name (a day of footage is already a lot to review).
MAX_CLIP = timedelta(hours=24)
_DIGEST = re.compile(r"^[0-9a-f]{64}$")
_DOCUMENT = re.compile(r"^[\w\-/()（）〔〕\[\]第号字]{2,64}$")
_PLATE_RULES = {
    "plate": (re.compile(VEHICLE_PATTERN), "机动车号牌格式不正确（如 湘D12345）",
              "not a car plate (e.g. 湘D12345)"),
    "ebike": (re.compile(EBIKE_PATTERN), "电动车号牌格式不正确（如 衡阳G10707）",
              "not an e-bike plate (e.g. 衡阳G10707)"),
}


def _not_closed(case: Case) -> None:
    """A closed case's file is final: reopen it first. (Who may add at all, members and
    supervisors of its area, was settled by ``get_case``: anyone else got a 404.)"""
    if case.status == "closed":
        raise Conflict("案件已结案，请先重新启用", "the case is closed; reopen it first")


def _entry(session: Session, clock: Clock, case: Case, actor: Actor, kind: str, text: str,
           **detail: object) -> None:
    session.add(CaseEntry(id=new_id(clock), case_id=case.id, at=clock.now(),
                          actor=actor.username, kind=kind, text=text, detail=dict(detail)))


def _checked(party_in: PartyIn) -> dict[str, str | None]:
    """The fields the party's kind needs, normalised; a 422 naming the field otherwise."""
    kind = party_in.kind
    if kind in _PLATE_RULES:
        plate = normalise(party_in.plate or "")
        pattern, zh, en = _PLATE_RULES[kind]
        if not plate:
            raise Invalid("plate", "请填写号牌", "enter the plate")
        if not pattern.match(plate):
            raise Invalid("plate", zh, en)
        return {"plate": plate}
    if kind == "phone":
        phone = re.sub(r"[\s\-]", "", party_in.phone or "")
        if not valid_mobile(phone):
            raise Invalid("phone", "手机号无效（11位，以1开头）",
                          "not a mobile number (11 digits starting with 1)")
        return {"phone": phone}
    name = (party_in.name or "").strip()
    if not name:
        raise Invalid("name", "请填写姓名", "enter the person's name")
    id_number = (party_in.id_number or "").strip().upper() or None
    if id_number is not None and not valid_id_number(id_number):
        raise Invalid("id_number", "身份证号无效（18位，校验位不符）",
                      "not a valid identity number (18 characters, GB 11643 check digit)")
    phone = re.sub(r"[\s\-]", "", party_in.phone or "") or None
    if phone is not None and not valid_mobile(phone):
        raise Invalid("phone", "手机号无效（11位，以1开头）",
                      "not a mobile number (11 digits starting with 1)")
    return {"name": name, "id_number": id_number, "phone": phone}


def label(party: CaseParty) -> str:
    """What the timeline and lists show of a party: plates whole, personal fields masked."""
    if party.plate:
        return party.plate
    if party.kind == "phone":
        return mask_phone(party.phone or "")
    return mask_name(party.name or "")


def add_party(*, session: Session, clock: Clock, actor: Actor, case: Case,
              party_in: PartyIn) -> CaseParty:
    """Put a person or vehicle of interest on the case, in a role, on its timeline."""
    _not_closed(case)
    fields = _checked(party_in)
    party = CaseParty(id=new_id(clock), case_id=case.id, kind=party_in.kind,
                      role=party_in.role, note=party_in.note.strip(), added_by=actor.username,
                      added_at=clock.now(), **fields)
    session.add(party)
    role_zh, role_en = PARTY_ROLES[party.role]
    kind_zh, _ = PARTY_KINDS[party.kind]
    _entry(session, clock, case, actor, "party_added",
           f"涉案{kind_zh}（{role_zh}/{role_en}）：{label(party)}",
           party_id=party.id, party_kind=party.kind, role=party.role)
    session.flush()
    return party


def _party(session: Session, case: Case, party_id: str) -> CaseParty:
    party = session.get(CaseParty, party_id)
    if party is None or party.case_id != case.id:
        raise NotFound("case party", party_id)
    return party


def remove_party(*, session: Session, clock: Clock, actor: Actor, case: Case,
                 party_id: str, reason: str) -> CaseParty:
    """Take a party off the case: the row stays, with who removed it, when and why."""
    _not_closed(case)
    party = _party(session, case, party_id)
    if party.removed_at is not None:
        raise Conflict("该涉案对象已移除", "this party was already removed")
    party.removed_at, party.removed_by, party.removed_reason = (
        clock.now(), actor.username, reason.strip())
    _entry(session, clock, case, actor, "party_removed",
           f"移除涉案对象：{label(party)}（{reason.strip()}）", party_id=party.id)
    session.flush()
    return party


def reveal_party(*, session: Session, clock: Clock, actor: Actor, case: Case,
                 member: CaseMember | None, party_id: str, purpose: str) -> PartyRevealed:
    """A party's full values: a personal-data read bound to this case, on the audit log."""
    if member is None:
        raise PermissionDenied("只有案件成员可以查看完整信息",
                               "only the case's members see a party in full")
    party = _party(session, case, party_id)
    audit.record_personal_read(
        session, clock=clock, resource_type="case_party", resource_id=party.id,
        purpose=purpose, case_number=case.number,
        detail={"kind": party.kind, "shown": label(party)},
    )
    return PartyRevealed(id=party.id, kind=party.kind, plate=party.plate, phone=party.phone,
                         name=party.name, id_number=party.id_number, case_number=case.number)


def party_reads(session: Session, case: Case) -> list[PartyRead]:
    """The case's parties, removed ones included (struck through on the page), masked."""
    rows = session.scalars(select(CaseParty).where(CaseParty.case_id == case.id)
                           .order_by(CaseParty.added_at, CaseParty.id))
    return [PartyRead(
        id=p.id, kind=p.kind, role=p.role, plate=p.plate,
        phone=mask_phone(p.phone) if p.phone else None,
        name=mask_name(p.name) if p.name else None,
        id_number=mask_id_number(p.id_number) if p.id_number else None,
        note=p.note, added_by=p.added_by, added_at=p.added_at, removed_at=p.removed_at,
        removed_by=p.removed_by, removed_reason=p.removed_reason,
    ) for p in rows]


def _checked_evidence(session: Session, clock: Clock, evidence_in: EvidenceIn) -> dict:
    """The reference the evidence's kind needs; a 422 naming the field otherwise."""
    if evidence_in.kind == "photo":
        digest = (evidence_in.photo_digest or "").lower()
        if not _DIGEST.match(digest):
            raise Invalid("photo_digest", "请填写文件的SHA-256摘要（64位十六进制）",
                          "give the stored file's SHA-256 (64 hexadecimal characters)")
        return {"photo_digest": digest}
    if evidence_in.kind == "document":
        number = (evidence_in.document_number or "").strip()
        if not _DOCUMENT.match(number):
            raise Invalid("document_number", "文书编号格式不正确", "not a document number")
        return {"document_number": number}
    code = (evidence_in.camera_code or "").strip()
    if not code or session.get(Camera, code) is None:
        raise Invalid("camera_code", "未知的监控点位", "unknown camera")
    start, end = evidence_in.clip_start, evidence_in.clip_end
    if start is None or end is None:
        raise Invalid("clip_start", "请填写录像的起止时间", "give the clip's start and end")
    start, end = as_utc(start), as_utc(end)
    if not start < end <= start + MAX_CLIP:
        raise Invalid("clip_end", "结束时间须晚于开始时间，且不超过24小时",
                      "the end must follow the start, within 24 hours")
    if start > clock.now():
        raise Invalid("clip_start", "录像开始时间不能晚于当前时间",
                      "the clip cannot start in the future")
    return {"camera_code": code, "clip_start": start, "clip_end": end}


def add_evidence(*, session: Session, clock: Clock, actor: Actor, case: Case,
                 evidence_in: EvidenceIn) -> CaseEvidence:
    """Refer the case to a stored photo or file, a camera clip or a document; on its timeline."""
    _not_closed(case)
    fields = _checked_evidence(session, clock, evidence_in)
    row = CaseEvidence(id=new_id(clock), case_id=case.id, kind=evidence_in.kind,
                       title=evidence_in.title.strip(), added_by=actor.username,
                       added_at=clock.now(), **fields)
    session.add(row)
    zh, _ = EVIDENCE_KINDS[row.kind]
    _entry(session, clock, case, actor, "evidence_added", f"证据（{zh}）：{row.title}",
           evidence_id=row.id, evidence_kind=row.kind)
    session.flush()
    return row


def evidence_reads(session: Session, case: Case) -> list[EvidenceRead]:
    rows = session.scalars(select(CaseEvidence).where(CaseEvidence.case_id == case.id)
                           .order_by(CaseEvidence.added_at, CaseEvidence.id))
    return [EvidenceRead.model_validate(e, from_attributes=True) for e in rows]
