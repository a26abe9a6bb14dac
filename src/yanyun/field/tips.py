"""线索举报: tips from the public, filed without an account and turned into work by officers.

A tip is a brake-and-record affair at the door (a solved proof of work, a
limit per network address, every rejection counted) and a queue inside: the
officers of the area where it happened see it (the city's, when no place was
given) and make of it an incident, a grid report, an intelligence note, or
nothing, with a reply the tipster reads under their number and receipt code.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yanyun.auth.scope import visible
from yanyun.auth.service import Actor, mask_phone
from yanyun.command import service as incidents
from yanyun.command.catalogue import Catalogue
from yanyun.command.schemas import IncidentCreate, IncidentSource
from yanyun.command.settings import CommandSettings
from yanyun.community import grid as grid_reports
from yanyun.community.schemas import GridReportCreate
from yanyun.community.settings import CommunitySettings
from yanyun.core.clock import Clock, local_date
from yanyun.core.errors import Conflict, Invalid, NotFound, Throttled
from yanyun.core.ids import new_id
from yanyun.field import proof
from yanyun.field.models import SpentChallenge, Tip
from yanyun.field.settings import FieldSettings
from yanyun.field.tip_schemas import (
    TIP_STATUS,
    TipChallenge,
    TipCreate,
    TipPage,
    TipRead,
    TipReceipt,
    TipStatusRead,
    TipTriage,
)
from yanyun.geo.service import CityIndex

#: Letters a person reads back without confusing them (no 0/O, 1/I/L).
_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
#: The tipster's default reply when the officer writes none.
_REPLIES = {
    "incident": "您反映的情况已转民警处置，感谢您的举报。",
    "grid_report": "您反映的情况已交社区网格核查整改，感谢您的举报。",
    "intel_note": "您提供的线索已登记研判，感谢您的举报。",
    "dismissed": "经核查，暂未发现需要处置的情况，感谢您的关注。",
}


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def challenge(*, clock: Clock, secret: str, settings: FieldSettings) -> TipChallenge:
    return TipChallenge(
        challenge=proof.issue(secret, clock.now(), settings.tip_proof_bits),
        bits=settings.tip_proof_bits,
    )


def _spend(session: Session, clock: Clock, challenge_text: str) -> None:
    try:
        with session.begin_nested():
            session.add(SpentChallenge(digest=proof.spent_key(challenge_text),
                                       spent_at=clock.now()))
            session.flush()
    except IntegrityError:
        raise Invalid("proof", "该校验已使用，请刷新页面重新提交",
                      "this proof was already used: reload and send again") from None


def _throttle(session: Session, clock: Clock, settings: FieldSettings, client: str | None) -> None:
    if client is None:
        return
    since = clock.now() - timedelta(hours=1)
    sent = session.scalar(
        select(func.count()).select_from(Tip).where(Tip.client == client, Tip.received_at >= since)
    )
    if sent >= settings.tips_per_client_per_hour:
        raise Throttled("提交过于频繁，请一小时后再试", "too many tips from this network; "
                        "try again in an hour", retry_after_s=3600)


def _number(session: Session, clock: Clock) -> str:
    day = local_date(clock.now()).strftime("%Y%m%d")
    while True:
        number = f"XS{day}{secrets.randbelow(10**6):06d}"
        if session.scalar(select(Tip.id).where(Tip.number == number)) is None:
            return number


def file_tip(
    *, session: Session, clock: Clock, settings: FieldSettings, secret: str, index: CityIndex,
    tip_in: TipCreate, client: str | None,
) -> TipReceipt:
    """Take a tip at the door: proof, limit, place; the receipt code is shown only now."""
    proof.verify(secret, tip_in.challenge, tip_in.nonce, clock.now(),
                 timedelta(seconds=settings.tip_proof_max_age_s))
    _throttle(session, clock, settings, client)
    org_path = index.bureau_code
    if (tip_in.lng is None) != (tip_in.lat is None):
        raise Invalid("lat", "经纬度须同时提供", "give both lng and lat, or neither")
    if tip_in.lng is not None and tip_in.lat is not None:
        location = index.locate(tip_in.lng, tip_in.lat)
        if not location.inside:
            raise Invalid("lng", "地点不在本市辖区内", "the place is outside the city")
        org_path = location.org_path or org_path
    _spend(session, clock, tip_in.challenge)
    code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))
    tip = Tip(
        id=new_id(clock), number=_number(session, clock), receipt_digest=_digest(code),
        received_at=clock.now(), text=tip_in.text, place_text=tip_in.place_text,
        lng=tip_in.lng, lat=tip_in.lat, org_path=org_path, contact_phone=tip_in.contact_phone,
        client=client, status="received",
    )
    session.add(tip)
    session.flush()
    return TipReceipt(number=tip.number, receipt_code=code, status=tip.status)


def tip_status(*, session: Session, number: str, code: str) -> TipStatusRead:
    """What the tipster may read: the state and the reply, nothing an officer wrote inside."""
    tip = session.scalar(select(Tip).where(Tip.number == number))
    # The same answer for a wrong number and a wrong code: numbers cannot be probed.
    if tip is None or not secrets.compare_digest(tip.receipt_digest, _digest(code.upper())):
        raise NotFound("举报", number)
    zh, en = TIP_STATUS[tip.status]
    return TipStatusRead(number=tip.number, status=tip.status, status_zh=zh, status_en=en,
                         received_at=tip.received_at, public_reply=tip.public_reply)


def tip_read(tip: Tip) -> TipRead:
    return TipRead(
        id=tip.id, number=tip.number, received_at=tip.received_at, text=tip.text,
        place_text=tip.place_text, lng=tip.lng, lat=tip.lat,
        contact_phone_masked=mask_phone(tip.contact_phone), status=tip.status,
        outcome=tip.outcome, public_reply=tip.public_reply, note=tip.note,
        handled_by=tip.handled_by,
        handled_at=tip.handled_at, incident_id=tip.incident_id, report_id=tip.report_id,
    )


def list_tips(
    *, session: Session, actor: Actor, status: str | None, limit: int, offset: int
) -> TipPage:
    """The tips of the actor's area, newest first."""
    stmt = actor.scope(select(Tip), Tip.org_path)
    if status:
        stmt = stmt.where(Tip.status == status)
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = session.scalars(stmt.order_by(Tip.received_at.desc()).limit(limit).offset(offset))
    return TipPage(total=total, items=[tip_read(t) for t in rows])


def _place(tip: Tip, field: str) -> tuple[float, float]:
    if tip.lng is None or tip.lat is None:
        raise Invalid(field, "举报未提供位置，无法转为警情或网格事项；请先电话核实位置",
                      "the tip has no place; confirm it with the tipster first")
    return tip.lng, tip.lat


def triage(
    *, session: Session, clock: Clock, actor: Actor, tip_id: str, body: TipTriage,
    index: CityIndex, catalogue: Catalogue, command_settings: CommandSettings,
    community_settings: CommunitySettings,
) -> TipRead:
    """Make of a tip what it is; once handled it stays handled (409 on a second try)."""
    tip = visible(session, Tip, tip_id, actor, what="tip", for_update=True)
    if tip.status != "received":
        raise Conflict(f"举报{tip.number}已处理", f"tip {tip.number} was already handled")
    if body.outcome == "incident":
        lng, lat = _place(tip, "outcome")
        if body.category_code is None:
            raise Invalid("category_code", "转警情须选择警情类别", "choose the incident's category")
        incident = incidents.open_incident(
            session=session, clock=clock, actor=actor, index=index, catalogue=catalogue,
            settings=command_settings,
            incident_in=IncidentCreate(
                source=IncidentSource.online_report, narrative=f"群众举报{tip.number}：{tip.text}",
                address_text=tip.place_text, lng=lng, lat=lat, category_code=body.category_code,
                sub_code=body.sub_code, caller_phone=tip.contact_phone,
            ),
        )
        tip.incident_id = incident.id
    elif body.outcome == "grid_report":
        lng, lat = _place(tip, "outcome")
        report = grid_reports.file_report(
            session=session, clock=clock, actor=actor, city=index, settings=community_settings,
            report_in=GridReportCreate(kind="dynamics", title=f"群众举报{tip.number}",
                                       detail=tip.text, lng=lng, lat=lat),
        )
        tip.report_id = report.id
    tip.status = "dismissed" if body.outcome == "dismissed" else "converted"
    tip.outcome = body.outcome
    tip.note = body.note
    tip.public_reply = body.public_reply or _REPLIES[body.outcome]
    tip.handled_by = actor.username
    tip.handled_at = clock.now()
    session.flush()
    return tip_read(tip)
