"""Community's periodic work: announce hazards whose deadline passed while still open."""

from __future__ import annotations

from typing import Any

from yanyun.community import grid
from yanyun.core.db import session_scope
from yanyun.core.jobs import Job


def overdue_hazards(runtime: Any) -> int:
    """Each hazard past its deadline is announced once (hazard.overdue); supervision follows."""
    with session_scope(runtime, actor_username="system") as session:
        return grid.scan_overdue(session=session, clock=runtime.clock)


def _every(settings: Any) -> float:
    return settings.community.overdue_scan_s


# At start too: hazards that fell due while the server was down show at once.
JOBS = [Job("community.overdue_hazards", overdue_hazards, every_s=_every)]
