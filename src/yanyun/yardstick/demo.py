"""The demo's yardstick: daily figures over the past, and synthetic callback answers.

The past incidents are written in bulk without events, so their figures are
counted once here; from then on command's events keep them current. Callback
answers for a sample of past incidents are drawn from a seeded model (most
satisfied, a few not) and are said to be synthetic: the demo city's callers
never answered anything.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from sqlalchemy import func, insert, select

from yanyun.command.models import Incident
from yanyun.core.clock import local_date
from yanyun.core.db import session_scope
from yanyun.core.ids import new_id
from yanyun.yardstick import aggregates
from yanyun.yardstick.models import Callback, DailyFigure

#: Shares of answers in the synthetic model: 满意, 基本满意, 不满意.
ANSWER_MODEL = (("satisfied", 0.86), ("fair", 0.09), ("unsatisfied", 0.05))
SAMPLE_SHARE = 0.08
SYNTHETIC_REASON = "示范数据（合成） synthetic demo answer"


def figures_and_callbacks(runtime: Any, options: Any) -> str | None:
    """Count the past's daily figures (once) and answer a sample of its callbacks."""
    with session_scope(runtime, actor_username="system") as session:
        if session.scalar(select(func.count()).select_from(DailyFigure)):
            return None
        first, last = session.execute(
            select(func.min(Incident.received_at), func.max(Incident.received_at))
        ).one()
        if first is None:
            return None
        rows = aggregates.rebuild(session, local_date(first), local_date(last))
        answered = _synthetic_callbacks(session, runtime.clock, runtime.settings.city.seed)
    return (f"yardstick 考核: {rows} daily figures; {answered} synthetic callback answers "
            f"({{s}} s)")


def _synthetic_callbacks(session: Any, clock: Any, seed: int) -> int:
    rng = random.Random(seed + 20)
    results, weights = zip(*ANSWER_MODEL, strict=True)
    rows = []
    closed = session.execute(
        select(Incident.id, Incident.number, Incident.station_code, Incident.org_path,
               Incident.closed_at)
        .where(Incident.status == "closed", Incident.closed_at.is_not(None))
        .order_by(Incident.id)
    )
    for r in closed:
        if rng.random() >= SAMPLE_SHARE:
            continue
        result = rng.choices(results, weights=weights)[0]
        rows.append({
            "id": new_id(clock), "incident_id": r.id, "incident_number": r.number,
            "station_code": r.station_code, "org_path": "/".join(r.org_path.split("/")[:3]),
            "closed_at": r.closed_at, "status": "answered", "channel": "phone",
            "result": result, "reason": SYNTHETIC_REASON,
            "answered_at": r.closed_at + timedelta(hours=rng.uniform(2, 48)),
        })
    for start in range(0, len(rows), 5_000):
        session.execute(insert(Callback), rows[start:start + 5_000])
    return len(rows)
