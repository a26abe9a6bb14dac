"""Routes of anti-fraud warning work (反电诈): the signed push, file imports, the desk."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query
from pydantic import ValidationError

from yanyun.antifraud import bank, files, intake, service
from yanyun.antifraud import figures as figures_module
from yanyun.antifraud.grading import GRADES, RULES, Rules
from yanyun.antifraud.schemas import (
    CHANNELS,
    OUTCOMES,
    SOURCES,
    BankAnswer,
    ContactIn,
    Figures,
    IntakeResult,
    OutcomeIn,
    QuarantineRead,
    Source,
    StopPaymentIn,
    StopPaymentRead,
    VictimQuery,
    VictimRead,
    WarningDetail,
    WarningPush,
    WarningRead,
)
from yanyun.antifraud.settings import DEV_BANK_SECRET, DEV_PUSH_SECRET
from yanyun.auth.deps import public, require
from yanyun.auth.permissions import Perm
from yanyun.auth.service import Actor
from yanyun.core.db import Runtime
from yanyun.core.errors import Invalid, Unauthenticated
from yanyun.core.http import ClockDep, RuntimeDep, SessionDep, SettingsDep
from yanyun.core.params import Offset, PathKey
from yanyun.core.sheets import body_up_to
from yanyun.geo.service import city_index

router = APIRouter(prefix="/api/v1/antifraud", tags=["antifraud"])

Reader = Annotated[Actor, Depends(require(Perm.antifraud_read))]
Handler = Annotated[Actor, Depends(require(Perm.antifraud_handle))]
Loader = Annotated[Actor, Depends(require(Perm.antifraud_ingest))]
MAX_BODY_BYTES = 20_000_000
SIGNATURE_HEADER = "X-Yanyun-Signature"


#: The body as sent (the signature covers its bytes), refused (413) past 20 MB.
raw_body = body_up_to(MAX_BODY_BYTES)


def sign(secret: str, body: bytes) -> str:
    """The push's signature: HMAC-SHA256 of the body under the shared secret, in hex."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _rules(runtime: Runtime) -> Rules:
    return runtime.provide(RULES)


@router.post("/push", response_model=IntakeResult, status_code=201,
             dependencies=[Depends(public)])
def push_warnings(
    body: Annotated[bytes, Depends(raw_body)], session: SessionDep, clock: ClockDep,
    settings: SettingsDep, runtime: RuntimeDep,
    signature: Annotated[str | None, Header(alias=SIGNATURE_HEADER, max_length=128)] = None,
) -> IntakeResult:
    """A centre's signed batch of warnings; bad rows come back with reasons, re-sent rows
    add nothing."""
    secret = settings.antifraud.push_secret
    if secret == DEV_PUSH_SECRET and settings.env not in ("development", "test"):
        raise Unauthenticated("推送通道未配置密钥，暂不接收",
                              "the push takes nothing until ANTIFRAUD__PUSH_SECRET is set")
    expected = sign(secret, body)
    if not signature or not hmac.compare_digest(signature.lower(), expected):
        raise Unauthenticated("签名无效", "the signature does not match the body")
    try:
        push = WarningPush.model_validate(json.loads(body))
    except (ValueError, ValidationError):
        raise Invalid("body", "须为JSON：source与warnings列表",
                      "a JSON body with source and a list of warnings") from None
    return intake.ingest(session=session, clock=clock, index=city_index(runtime=runtime),
                         rules=_rules(runtime), settings=settings.antifraud,
                         source=push.source, rows=push.warnings)


@router.post("/imports", response_model=IntakeResult, status_code=201)
def import_file(
    data: Annotated[bytes, Depends(raw_body)], session: SessionDep, clock: ClockDep,
    settings: SettingsDep, runtime: RuntimeDep, actor: Loader,
    source: Annotated[Source, Query()],
) -> IntakeResult:
    """A file of warnings (CSV in UTF-8 or GBK, XLSX, JSON); rows numbered from 1."""
    rows = files.read_rows(data)
    if len(rows) > settings.antifraud.max_rows_per_batch:
        raise Invalid("file", "行数超过上限", "too many rows in one file")
    return intake.ingest(session=session, clock=clock, index=city_index(runtime=runtime),
                         rules=_rules(runtime), settings=settings.antifraud, source=source,
                         rows=rows)


@router.post("/bank/callback", response_model=StopPaymentRead, dependencies=[Depends(public)])
def bank_callback(
    body: Annotated[bytes, Depends(raw_body)], session: SessionDep, clock: ClockDep,
    settings: SettingsDep,
    signature: Annotated[str | None, Header(alias=SIGNATURE_HEADER, max_length=128)] = None,
) -> StopPaymentRead:
    """The bank's signed answer to a stop-payment request: frozen (how much) or refused."""
    secret = settings.antifraud.bank_secret.get_secret_value()
    if secret == DEV_BANK_SECRET and settings.env not in ("development", "test"):
        raise Unauthenticated("银行回执通道未配置密钥，暂不接收",
                              "the callback takes nothing until ANTIFRAUD__BANK_SECRET is set")
    if not signature or not hmac.compare_digest(signature.lower(), sign(secret, body)):
        raise Unauthenticated("签名无效", "the signature does not match the body")
    try:
        answer = BankAnswer.model_validate(json.loads(body))
    except (ValueError, ValidationError):
        raise Invalid("body", "须为JSON：request_id、status（frozen/refused）与冻结金额",
                      "a JSON body with request_id, status (frozen/refused) and the amount "
                      "frozen") from None
    row = bank.record_answer(session=session, clock=clock, answer=answer)
    return StopPaymentRead.model_validate(row, from_attributes=True)


@router.get("/catalogue")
def catalogue(actor: Reader, runtime: RuntimeDep) -> dict:
    """Fraud types (with the rule file's version), sources, grades, channels, outcomes."""
    rules = _rules(runtime)
    return {
        "rules_version": rules.version,
        "fraud_types": {c: [t.zh, t.en] for c, t in rules.fraud_types.items()},
        "sources": SOURCES, "grades": GRADES, "channels": CHANNELS, "outcomes": OUTCOMES,
    }


@router.get("/warnings", response_model=list[WarningRead])
def list_warnings(
    session: SessionDep, actor: Reader,
    station_code: str | None = Query(None, max_length=48),
    status: str | None = Query(None, pattern="^(open|contacted|closed)$"),
    grade: str | None = Query(None, pattern="^(high|medium|low)$"),
    limit: int = Query(100, ge=1, le=1000), offset: Offset = 0,
) -> list[WarningRead]:
    """Warnings of the caller's station (or area), newest first, victims masked."""
    return service.list_warnings(session=session, actor=actor, station_code=station_code,
                                 status=status, grade=grade, limit=limit, offset=offset)


@router.get("/figures", response_model=Figures)
def desk_figures(session: SessionDep, clock: ClockDep, actor: Reader) -> Figures:
    """Today's, the week's and the month's figures of the caller's scope."""
    return figures_module.figures(session=session, clock=clock, actor=actor)


@router.get("/quarantine", response_model=list[QuarantineRead])
def quarantine(session: SessionDep, actor: Loader, limit: int = Query(100, ge=1, le=1000),
               offset: Offset = 0) -> list[QuarantineRead]:
    """Rows refused at intake with their reasons."""
    return service.list_quarantine(session=session, limit=limit, offset=offset)


@router.get("/warnings/{warning_id}", response_model=WarningDetail)
def warning_detail(warning_id: PathKey, session: SessionDep, actor: Reader) -> WarningDetail:
    row = service.get_warning(session=session, actor=actor, warning_id=warning_id)
    return service.warning_detail(session, row)


@router.post("/warnings/{warning_id}/contacts", response_model=WarningDetail, status_code=201)
def add_contact(warning_id: PathKey, body: ContactIn, session: SessionDep, clock: ClockDep,
                actor: Handler) -> WarningDetail:
    """Log an attempt to reach the person, by phone or in person."""
    row = service.record_contact(session=session, clock=clock, actor=actor,
                                 warning_id=warning_id, contact=body)
    return service.warning_detail(session, row)


@router.post("/warnings/{warning_id}/outcome", response_model=WarningDetail)
def set_outcome(warning_id: PathKey, body: OutcomeIn, session: SessionDep, clock: ClockDep,
                actor: Handler) -> WarningDetail:
    """Close the warning: 劝阻成功, 已受骗, 无法联系, 误报 or 已转案件."""
    row = service.record_outcome(session=session, clock=clock, actor=actor,
                                 warning_id=warning_id, outcome_in=body)
    return service.warning_detail(session, row)


@router.post("/warnings/{warning_id}/stop-payment", response_model=WarningDetail,
             status_code=201)
def stop_payment(warning_id: PathKey, body: StopPaymentIn, session: SessionDep,
                 clock: ClockDep, actor: Handler, settings: SettingsDep) -> WarningDetail:
    """止付冻结 for a defrauded person: recorded, or queued for the bank's webhook."""
    row = service.request_stop_payment(session=session, clock=clock, actor=actor,
                                       warning_id=warning_id, request=body,
                                       settings=settings.antifraud)
    return service.warning_detail(session, row)


@router.post("/warnings/{warning_id}/victim", response_model=VictimRead)
def victim(warning_id: PathKey, body: VictimQuery, session: SessionDep, clock: ClockDep,
           actor: Handler) -> VictimRead:
    """The person's full name, phone and ID number: audited, bound to this warning."""
    return service.read_victim(session=session, clock=clock, actor=actor,
                               warning_id=warning_id, purpose=body.purpose)
