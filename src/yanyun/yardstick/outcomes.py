"""Figures counted from other contexts' records: cases solved (破案), detentions (刑拘), money
recovered (追赃挽损), fraud warnings (预警), people dissuaded (劝阻) and losses stopped (止损).

The yardstick sits above cases and anti-fraud and reads their tables; each
figure is a count or a sum over a time column within the reader's scope,
placed by the record's org path (the owner's unit for a case, the station
for a warning).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yanyun.antifraud.models import FraudWarning
from yanyun.auth.models import OrgUnit
from yanyun.auth.service import Actor
from yanyun.cases.models import Case
from yanyun.yardstick.aggregates import day_bounds
from yanyun.yardstick.periods import last_day, shift_months


@dataclass(frozen=True)
class RecordFigure:
    model: Any
    at: Any
    value: Any
    where: tuple = ()


def _figures() -> dict[str, RecordFigure]:
    return {
        "cases_solved": RecordFigure(Case, Case.solved_at, func.count()),
        "detained": RecordFigure(Case, Case.solved_at, func.sum(Case.suspects_detained)),
        "recovered_yuan": RecordFigure(Case, Case.solved_at, func.sum(Case.amount_recovered_yuan)),
        "fraud_warnings": RecordFigure(FraudWarning, FraudWarning.received_at, func.count()),
        "fraud_dissuaded": RecordFigure(FraudWarning, FraudWarning.closed_at, func.count(),
                                        (FraudWarning.outcome == "dissuaded",)),
        "losses_stopped_yuan": RecordFigure(FraudWarning, FraudWarning.closed_at,
                                            func.sum(FraudWarning.stopped_yuan)),
    }


MEASURES = frozenset(_figures())


def _place_path(session: Session, code: str | None) -> str | None:
    if code is None:
        return None
    unit = session.get(OrgUnit, code)
    return unit.path if unit is not None else f"//{code}"  # an unknown unit matches nothing


def _filtered(session: Session, actor: Actor, figure: RecordFigure, place: Any, start, end):
    model = figure.model
    stmt = actor.scope(select(model.org_path, figure.value), model.org_path).where(
        figure.at >= start, figure.at < end, *figure.where)
    path = _place_path(session, place.code)
    if path is not None:
        stmt = stmt.where((model.org_path == path) | model.org_path.startswith(path + "/"))
    return stmt.group_by(model.org_path)


def sums_by(
    session: Session, actor: Actor, measure: str, place: Any, first: date, last: date, by: str
) -> dict[tuple, tuple[float, float]]:
    """Per (unit,) below the place, or per (month,), the figure's total (no denominator)."""
    figure = _figures()[measure]
    out: dict[tuple, list[float]] = defaultdict(lambda: [0.0, 0.0])
    if by == "month":
        cursor = date(first.year, first.month, 1)
        while cursor <= last:
            start, end = day_bounds(max(cursor, first), min(last_day(cursor), last))
            total = sum(float(v or 0) for _, v in session.execute(
                _filtered(session, actor, figure, place, start, end)))
            out[(f"{cursor:%Y-%m}",)] = [total, 1.0]
            cursor = shift_months(cursor, 1)
        return {k: (v[0], v[1]) for k, v in out.items()}
    depth = {"city": 1, "district": 2, "station": 2}[place.level]
    start, end = day_bounds(first, last)
    for org_path, value in session.execute(_filtered(session, actor, figure, place, start, end)):
        parts = org_path.split("/")
        unit = parts[depth] if len(parts) > depth else parts[-1]
        out[(unit,)][0] += float(value or 0)
        out[(unit,)][1] += 1.0
    return {k: (v[0], v[1]) for k, v in out.items()}
