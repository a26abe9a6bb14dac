"""What command calls live work, for binding personal-data reads: an incident being worked.

A dispatcher, or a station's officer who calls callers back, may bind a read
to an incident of their area that is still being worked; once closed or
cancelled it grants nothing (the detail then shows the caller's number
masked). Crews bind through the field context's check (their unit
was sent to it).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.auth.models import User
from yanyun.auth.permissions import Perm
from yanyun.auth.service import actor_for
from yanyun.command import lifecycle
from yanyun.command.models import Incident

#: An incident still being worked: open, or resolved and not yet closed (the follow-up).
WORKED = lifecycle.OPEN_STATUSES | {"resolved"}


def worked_incident(session: Session, reference: str) -> Incident | None:
    """The incident numbered ``reference`` if it is still being worked."""
    incident = session.scalar(select(Incident).where(Incident.number == reference))
    return incident if incident is not None and incident.status in WORKED else None


def dispatcher_works_on(session: Session, user_id: str, reference: str) -> bool:
    """Whether the user handles or calls back on incidents (a dispatcher, the station's
    officers) and this one, in their area, is still being worked."""
    incident = worked_incident(session, reference)
    user = session.get(User, user_id)
    if incident is None or user is None or not user.active:
        return False
    actor = actor_for(session=session, user=user)
    handles = actor.can(Perm.incidents_write) or actor.can(Perm.caller_read)
    return handles and actor.sees(incident.org_path)
