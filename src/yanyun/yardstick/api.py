"""Routes of the yardstick (考核) and of callbacks (警情回访)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from yanyun.auth.deps import public, require
from yanyun.auth.permissions import Perm
from yanyun.auth.service import Actor, mask_phone
from yanyun.command.models import Incident
from yanyun.core import audit
from yanyun.core.http import ClockDep, SessionDep, SettingsDep
from yanyun.core.params import Offset, PathKey
from yanyun.core.sheets import upload
from yanyun.yardstick import callbacks, service, surveys
from yanyun.yardstick.definitions import Yardstick
from yanyun.yardstick.schemas import (
    CallbackAnswer,
    CallbackLink,
    CallbackRead,
    PublicAnswer,
    RecordPage,
    YardstickRead,
)

router = APIRouter(prefix="/api/v1", tags=["yardstick"])

Reader = Annotated[Actor, Depends(require(Perm.kpi_read))]
Caller = Annotated[Actor, Depends(require(Perm.callbacks_handle))]
Org = Annotated[str | None, Query(max_length=24, description="District or station code")]
Month = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def get_yardstick(request: Request) -> Yardstick:
    return request.app.state.runtime.provide(service.YARDSTICK)


YardstickDep = Annotated[Yardstick, Depends(get_yardstick)]


@router.get("/kpi", response_model=YardstickRead)
def yardstick(
    session: SessionDep, clock: ClockDep, actor: Reader, ys: YardstickDep,
    org: Org = None, month: Month = None,
) -> YardstickRead:
    """四下降两提升 and the operational figures for a month: year on year, month on month."""
    read, _, _ = service.view(session, actor, ys, org=org,
                              month=month or service.default_month(clock))
    return read


@router.get("/kpi/records", response_model=RecordPage)
def kpi_records(
    session: SessionDep, clock: ClockDep, actor: Reader, ys: YardstickDep,
    indicator: Annotated[str, Query(min_length=1, max_length=40)],
    org: Org = None, month: Month = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100, offset: Offset = 0,
) -> RecordPage:
    """The incidents that made a figure."""
    return service.records_of(session, actor, ys, indicator_id=indicator, org=org,
                              month=month or service.default_month(clock),
                              limit=limit, offset=offset)


@router.get("/kpi/export.xlsx")
def kpi_export(
    session: SessionDep, clock: ClockDep, actor: Reader, ys: YardstickDep,
    org: Org = None, month: Month = None,
) -> Response:
    """The view as a workbook: figures, then the definitions used."""
    data, name = service.export(session, actor, ys, clock, org=org,
                                month=month or service.default_month(clock))
    return Response(data, media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.post("/kpi/surveys")
def import_surveys(
    data: Annotated[bytes, Depends(upload)], session: SessionDep, clock: ClockDep,
    actor: Annotated[Actor, Depends(require(Perm.kpi_write))],
) -> dict[str, int]:
    """公众安全感 surveys per district and quarter (CSV in UTF-8 or GBK, or XLSX): all rows or
    none, each bad row named with its line and field."""
    return surveys.import_surveys(session, clock, actor, data)


@router.get("/callbacks", response_model=list[CallbackRead])
def callback_queue(
    session: SessionDep, actor: Caller,
    status: Annotated[str | None, Query(pattern="^(queued|sent|answered)$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list:
    """Closed incidents whose callers are to be (or were) asked how it went."""
    return callbacks.queue(session, actor, status=status, limit=limit)


@router.get("/callbacks/{callback_id}/phone")
def callback_phone(
    callback_id: PathKey, session: SessionDep, clock: ClockDep, actor: Caller
) -> dict[str, str | None]:
    """The caller's number to dial: a personal-data read, audited and bound to the callback."""
    callback = callbacks.get_callback(session, actor, callback_id)
    incident = session.get(Incident, callback.incident_id)
    audit.record_personal_read(
        session, clock=clock, resource_type="incident", resource_id=callback.incident_id,
        purpose=callbacks.PURPOSE, case_number=callback.incident_number,
        detail={"fields": ["caller_phone"], "callback": callback.id},
    )
    phone = incident.caller_phone if incident else None
    return {"phone": phone, "masked": mask_phone(phone)}


@router.post("/callbacks/{callback_id}/answer", response_model=CallbackRead)
def answer_callback(
    callback_id: PathKey, body: CallbackAnswer, session: SessionDep, clock: ClockDep,
    actor: Caller,
) -> object:
    """Record what the caller said on the phone; 不满意 becomes a task for the station."""
    callback = callbacks.get_callback(session, actor, callback_id)
    return callbacks.record_answer(session, clock, callback, result=body.result,
                                   reason=body.reason, channel="phone",
                                   answered_by=actor.user_id)


@router.post("/callbacks/{callback_id}/link", response_model=CallbackLink, status_code=201)
def callback_link(
    callback_id: PathKey, request: Request, session: SessionDep, clock: ClockDep,
    settings: SettingsDep, actor: Caller,
) -> CallbackLink:
    """A one-time link for the caller's SMS (the SMS gateway sends it)."""
    callback = callbacks.get_callback(session, actor, callback_id)
    days = settings.yardstick.callback_link_days
    token = callbacks.issue_link(session, clock, callback,
                                 secret=settings.secret_key.get_secret_value(),
                                 valid=timedelta(days=days))
    return CallbackLink(url=f"{str(request.base_url).rstrip('/')}/survey#{token}",
                        expires_in_days=days)


@router.post("/public/callbacks/answer", dependencies=[Depends(public)])
def public_answer(
    body: PublicAnswer, session: SessionDep, clock: ClockDep, settings: SettingsDep
) -> dict[str, str]:
    """The caller's answer through the link: once, before it expires, never forged."""
    callback = callbacks.redeem(session, body.token,
                                secret=settings.secret_key.get_secret_value(), now=clock.now())
    callbacks.record_answer(session, clock, callback, result=body.result, reason=body.reason,
                            channel="sms", answered_by=None)
    return {"status": "answered", "message_zh": "感谢您的评价", "message_en": "Thank you"}
