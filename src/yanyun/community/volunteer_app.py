"""The volunteer's own phone: the calls that reached them, their answers, their hours.

A volunteer (义警) is not an officer: their account reaches their own record and
nothing else, not the area's volunteers, incidents or map. An answer carries a
key made on the phone and is applied once (``core/once``), so a volunteer who
taps 接受 in a lift and again on the street accepts once. Arrival counts only
from a fix near the call's place and fine enough to mean it; a refused arrival
keeps no claim, so the same tap succeeds once the volunteer is really there.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.auth.service import Actor
from yanyun.community import mobilisation
from yanyun.community.models import (
    Mobilisation,
    MobilisationResponse,
    Volunteer,
    VolunteerActivity,
)
from yanyun.community.settings import CommunitySettings
from yanyun.community.volunteer_schemas import (
    RESPONSE_LABELS,
    ActivityRead,
    CallAnswer,
    MyCallRead,
    MyVolunteerRead,
)
from yanyun.core.clock import Clock
from yanyun.core.errors import Invalid, NotFound, PermissionDenied
from yanyun.core.once import apply_once
from yanyun.geo.coords import distance_m

#: Calls a volunteer sees: every open one, and the last ones stood down (to see they ended).
RECENT_CALLS = 10


def own_volunteer(session: Session, actor: Actor) -> Volunteer:
    """The volunteer record this account belongs to."""
    volunteer = session.scalar(select(Volunteer).where(Volunteer.user_id == actor.user_id))
    if volunteer is None:
        raise PermissionDenied("该账号未关联义警登记", "this account is not linked to a volunteer")
    return volunteer


def my_screen(
    *, session: Session, actor: Actor, settings: CommunitySettings
) -> MyVolunteerRead:
    """Who the volunteer is, their hours, their calls (open first, newest first)."""
    volunteer = own_volunteer(session, actor)
    rows = session.execute(
        select(MobilisationResponse, Mobilisation)
        .join(Mobilisation, Mobilisation.id == MobilisationResponse.mobilisation_id)
        .where(MobilisationResponse.volunteer_id == volunteer.id)
        .order_by(MobilisationResponse.called_at.desc())
        .limit(50)
    ).all()
    open_calls = [(r, c) for r, c in rows if c.status == "open"]
    ended = [(r, c) for r, c in rows if c.status != "open"][:RECENT_CALLS]
    activities = session.scalars(
        select(VolunteerActivity)
        .where(VolunteerActivity.volunteer_id == volunteer.id)
        .order_by(VolunteerActivity.started_at.desc())
        .limit(10)
    )
    return MyVolunteerRead(
        volunteer_id=volunteer.id,
        name=volunteer.name_zh,
        station_code=volunteer.station_code,
        available=volunteer.available,
        hours_total=round(volunteer.hours_total, 1),
        calls=[_call_read(r, c, settings) for r, c in open_calls + ended],
        activities=[ActivityRead.model_validate(a) for a in activities],
    )


def _call_read(
    response: MobilisationResponse, call: Mobilisation, settings: CommunitySettings
) -> MyCallRead:
    zh, en = RESPONSE_LABELS[response.status]
    return MyCallRead(
        call_id=call.id, title=call.title, lng=call.lng, lat=call.lat, call_status=call.status,
        my_status=response.status, status_label_zh=zh, status_label_en=en,
        distance_m=response.distance_m, eta_s=response.eta_s, called_at=response.called_at,
        arrived_at=response.arrived_at, stood_down_at=response.stood_down_at,
        arrive_radius_m=settings.arrive_radius_m,
    )


def answer_call(
    *, session: Session, clock: Clock, actor: Actor, settings: CommunitySettings,
    call_id: str, answer: CallAnswer,
) -> dict:
    """Apply one answer (accept, decline, arrive) once; returns the volunteer's status."""
    volunteer = own_volunteer(session, actor)
    response = session.scalar(
        select(MobilisationResponse).where(
            MobilisationResponse.mobilisation_id == call_id,
            MobilisationResponse.volunteer_id == volunteer.id,
        )
    )
    if response is None:
        # Another volunteer's call, or none: the same answer either way.
        raise NotFound("mobilisation", call_id)
    request = answer.model_dump(mode="json") | {"call_id": call_id}

    def act() -> dict:
        call = session.get(Mobilisation, call_id)
        assert call is not None
        if answer.action == "arrive":
            _check_arrival(call, answer, settings)
        mobilisation.respond_as(session=session, clock=clock, call=call, response=response,
                                action=answer.action.value)
        return {"call_id": call_id, "my_status": response.status}

    delivery = apply_once(session, clock=clock, key=answer.key, actor_id=actor.user_id,
                          request=request, act=act)
    return delivery.answer | {"replayed": delivery.replayed}


def _check_arrival(call: Mobilisation, answer: CallAnswer, settings: CommunitySettings) -> None:
    """An arrival counts only from a fine fix near the call's place."""
    if answer.lng is None or answer.lat is None or answer.accuracy_m is None:
        raise Invalid("lng", "到场需要手机定位", "arriving needs the phone's position")
    if answer.accuracy_m > settings.arrive_max_accuracy_m:
        raise Invalid(
            "accuracy_m",
            f"定位精度不足（{answer.accuracy_m:.0f}米，要求{settings.arrive_max_accuracy_m:.0f}米以内）",
            f"the fix is too coarse ({answer.accuracy_m:.0f} m; "
            f"{settings.arrive_max_accuracy_m:.0f} m or finer needed)",
        )
    distance = distance_m((answer.lng, answer.lat), (call.lng, call.lat))
    if distance > settings.arrive_radius_m:
        raise Invalid(
            "lng",
            f"距现场还有{distance:.0f}米，到达{settings.arrive_radius_m:.0f}米内再点到达",
            f"{distance:.0f} m from the place; tap arrived within "
            f"{settings.arrive_radius_m:.0f} m",
        )
