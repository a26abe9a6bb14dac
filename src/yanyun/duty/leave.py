"""Leave (休假): granted by a duty manager; an officer on leave crews nothing."""

from __future__ import annotations

from sqlalchemy.orm import Session

from yanyun.auth.service import Actor
from yanyun.core.clock import Clock, as_utc
from yanyun.core.errors import Invalid
from yanyun.core.ids import new_id
from yanyun.duty.crews import apply_shift_changes
from yanyun.duty.models import Leave, Officer
from yanyun.duty.officers import get_officer
from yanyun.duty.schemas import LeaveCreate, LeaveRead


def leave_read(leave: Leave, officer: Officer) -> LeaveRead:
    return LeaveRead(
        id=leave.id,
        officer_id=officer.id,
        officer_name_zh=officer.name_zh,
        station_code=officer.station_code,
        kind=leave.kind,
        starts_at=as_utc(leave.starts_at),
        ends_at=as_utc(leave.ends_at),
        status=leave.status,
    )


def grant_leave(*, session: Session, actor: Actor, clock: Clock, leave_in: LeaveCreate) -> Leave:
    officer = get_officer(session=session, actor=actor, officer_id=leave_in.officer_id)
    if leave_in.ends_at <= leave_in.starts_at:
        raise Invalid("ends_at", "结束时间须晚于开始时间", "the end must come after the start")
    leave = Leave(
        id=new_id(clock),
        officer_id=officer.id,
        kind=leave_in.kind,
        starts_at=leave_in.starts_at,
        ends_at=leave_in.ends_at,
        status="approved",
    )
    session.add(leave)
    session.flush()
    apply_shift_changes(session, clock)
    return leave


def granted_read(session: Session, leave: Leave) -> LeaveRead:
    """A leave just granted, as its route returns it."""
    return leave_read(leave, session.get(Officer, leave.officer_id))
