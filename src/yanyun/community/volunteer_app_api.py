"""Routes of the volunteer's own phone (义警端): their calls, their answers, their hours."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from yanyun.auth.deps import require
from yanyun.auth.permissions import Perm
from yanyun.auth.service import Actor
from yanyun.community import volunteer_app
from yanyun.community.routes import router
from yanyun.community.volunteer_schemas import AnswerRead, CallAnswer, MyVolunteerRead
from yanyun.core.http import ClockDep, SessionDep, SettingsDep
from yanyun.core.params import PathKey

Volunteer = Annotated[Actor, Depends(require(Perm.volunteer_self))]


@router.get("/me/volunteer", response_model=MyVolunteerRead)
def my_volunteer(session: SessionDep, settings: SettingsDep, actor: Volunteer) -> MyVolunteerRead:
    """The volunteer app's screen: who, hours given, the calls that reached them."""
    return volunteer_app.my_screen(session=session, actor=actor, settings=settings.community)


@router.post("/me/calls/{call_id}/answer", response_model=AnswerRead)
def answer_call(
    call_id: PathKey, body: CallAnswer, session: SessionDep, clock: ClockDep,
    settings: SettingsDep, actor: Volunteer,
) -> AnswerRead:
    """接受 / 拒绝 / 已到达, keyed on the phone: a resent answer is applied once."""
    return AnswerRead(**volunteer_app.answer_call(
        session=session, clock=clock, actor=actor, settings=settings.community,
        call_id=call_id, answer=body,
    ))
