"""Villages (一村一辅警): their auxiliary, patrol team, mediators and courtyard meetings."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.auth.scope import visible
from yanyun.auth.service import Actor
from yanyun.community.models import CourtyardMeeting, Village
from yanyun.community.schemas import MeetingCreate, VillageRead
from yanyun.core.clock import Clock, as_utc
from yanyun.core.db import count_by, fetch_page
from yanyun.core.errors import Invalid
from yanyun.core.ids import new_id


def list_villages(
    *,
    session: Session,
    actor: Actor,
    station_code: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[VillageRead]]:
    """Villages in the actor's area by code, each with its number of courtyard meetings."""
    stmt = actor.scope(select(Village), Village.org_path)
    if station_code:
        stmt = stmt.where(Village.station_code == station_code)
    total, rows = fetch_page(session, stmt, Village.code, limit=limit, offset=offset)
    meetings = count_by(session, CourtyardMeeting.village_code, [v.code for v in rows])
    return total, [
        VillageRead.model_validate(v).model_copy(update={"meetings": meetings.get(v.code, 0)})
        for v in rows
    ]


def hold_meeting(
    *, session: Session, clock: Clock, actor: Actor, village_code: str, meeting_in: MeetingCreate
) -> CourtyardMeeting:
    """Record a courtyard meeting (屋场警务恳谈会): attendance and the issues raised."""
    village = visible(session, Village, village_code, actor, what="village")
    if as_utc(meeting_in.held_at) > clock.now():
        raise Invalid("held_at", "会议时间不能晚于当前时间", "a meeting cannot be in the future")
    issues = [i.strip() for i in meeting_in.issues if i.strip()]
    row = CourtyardMeeting(
        id=new_id(clock),
        village_code=village.code,
        org_path=village.org_path,
        held_at=meeting_in.held_at,
        attendance=meeting_in.attendance,
        issues=issues,
    )
    session.add(row)
    return row


def list_meetings(*, session: Session, actor: Actor, village_code: str) -> list[CourtyardMeeting]:
    """A village's courtyard meetings, newest first."""
    visible(session, Village, village_code, actor, what="village")
    return list(
        session.scalars(
            select(CourtyardMeeting)
            .where(CourtyardMeeting.village_code == village_code)
            .order_by(CourtyardMeeting.held_at.desc())
        )
    )
