"""Villages: a courtyard meeting records attendance and the issues raised."""

from __future__ import annotations

from tests.community.helpers import CITY, build_small
from yanyun.community import villages as village_service
from yanyun.community.schemas import MeetingCreate


def test_village_courtyard_meeting_records_attendance_and_issues(session, clock) -> None:
    build_small(session, clock)
    _, villages = village_service.list_villages(session=session, actor=CITY, limit=1)
    code = villages[0].code
    village_service.hold_meeting(
        session=session,
        clock=clock,
        actor=CITY,
        village_code=code,
        meeting_in=MeetingCreate(held_at=clock.now(), attendance=36, issues=["山林防火", " "]),
    )
    meetings = village_service.list_meetings(session=session, actor=CITY, village_code=code)
    assert meetings[0].attendance == 36 and meetings[0].issues == ["山林防火"]
