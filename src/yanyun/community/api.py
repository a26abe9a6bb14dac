"""Routes of community policing: grids, volunteers and 一呼百应, disputes, villages, enterprises.

One router (:data:`router`, defined in :mod:`yanyun.community.routes`) holds
the routes of every topic module; importing this module registers them all.
The summary, which spans every topic, is here.
"""

from __future__ import annotations

from yanyun.community import (  # noqa: F401  (importing them adds their routes to the router)
    disputes_api,
    enterprises_api,
    grid_api,
    mobilisation_api,
    service,
    villages_api,
    volunteer_app_api,
    volunteers_api,
)
from yanyun.community.routes import Reader, router
from yanyun.community.schemas import CommunitySummary
from yanyun.core.http import SessionDep

__all__ = ["router"]


@router.get("/summary", response_model=CommunitySummary)
def summary(session: SessionDep, actor: Reader) -> CommunitySummary:
    """The headline figures of the seeds for the actor's area."""
    return service.summary(session=session, actor=actor)
