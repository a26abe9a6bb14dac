"""The community context's headline figures, gathered from each of its parts.

The parts live in their own modules: grid policing in grid.py, volunteers in
volunteers.py with their organisation in organisation.py, 一呼百应 in
mobilisation.py and incidents.py, disputes in disputes.py, villages in
villages.py, project officers and enterprises in enterprises.py and
service_days.py.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yanyun.auth.service import Actor
from yanyun.community import enterprises, grid
from yanyun.community.models import Dispute, Village, Volunteer
from yanyun.community.schemas import CommunitySummary


def summary(*, session: Session, actor: Actor) -> CommunitySummary:
    """The headline figures of the seeds for the actor's area."""

    def count(model: Any, column: Any, *where: Any) -> int:
        stmt = actor.scope(select(func.count()).select_from(model), column)
        return session.scalar(stmt.where(*where)) or 0

    return CommunitySummary(
        **grid.city_totals(session=session, actor=actor).model_dump(),
        volunteers=count(Volunteer, Volunteer.org_path),
        volunteers_available=count(Volunteer, Volunteer.org_path, Volunteer.available.is_(True)),
        villages=count(Village, Village.org_path),
        disputes=count(Dispute, Dispute.org_path),
        disputes_resolved=count(Dispute, Dispute.org_path, Dispute.status == "resolved"),
        **enterprises.enterprise_totals(session=session, actor=actor).model_dump(),
    )
