"""Routes of villages (一村一辅警) and their courtyard meetings."""

from __future__ import annotations

from yanyun.community import villages
from yanyun.community.routes import Limit, Offset, Reader, Writer, router
from yanyun.community.schemas import MeetingCreate, MeetingRead, VillagePage
from yanyun.core.http import ClockDep, SessionDep
from yanyun.core.params import Code, PathKey


@router.get("/villages", response_model=VillagePage)
def list_villages(
    session: SessionDep,
    actor: Reader,
    station_code: Code | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> VillagePage:
    """Villages with their auxiliary officer, patrol team and mediators (湾村明白人)."""
    total, rows = villages.list_villages(
        session=session, actor=actor, station_code=station_code, limit=limit, offset=offset
    )
    return VillagePage(total=total, items=rows)


@router.get("/villages/{village_code}/meetings", response_model=list[MeetingRead])
def list_meetings(village_code: PathKey, session: SessionDep, actor: Reader) -> list[MeetingRead]:
    """A village's courtyard meetings, newest first."""
    rows = villages.list_meetings(session=session, actor=actor, village_code=village_code)
    return [MeetingRead.model_validate(m) for m in rows]


@router.post("/villages/{village_code}/meetings", response_model=MeetingRead, status_code=201)
def hold_meeting(
    village_code: PathKey, body: MeetingCreate, session: SessionDep, clock: ClockDep, actor: Writer
) -> MeetingRead:
    """Record a courtyard meeting (屋场警务恳谈会) with attendance and issues raised."""
    row = villages.hold_meeting(
        session=session, clock=clock, actor=actor, village_code=village_code, meeting_in=body
    )
    return MeetingRead.model_validate(row)
