"""The yardstick's reads, shaped for the routes: a view, its records, its workbook."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.auth.service import Actor
from yanyun.command.deps import CATALOGUE
from yanyun.core.clock import Clock, local_date
from yanyun.core.db import Provider
from yanyun.geo.models import District, Station
from yanyun.yardstick import measure, periods
from yanyun.yardstick.definitions import Yardstick, load_yardstick
from yanyun.yardstick.export import workbook
from yanyun.yardstick.schemas import (
    IndicatorFigure,
    RecordPage,
    RecordRow,
    UnitFigure,
    YardstickRead,
)

#: The bureau's indicator file, read and checked once per process.
YARDSTICK: Provider[Yardstick] = Provider(
    "yardstick.definitions",
    lambda runtime: load_yardstick(
        runtime.provide(CATALOGUE), runtime.settings.yardstick.indicators_path
    ),
)


def default_month(clock: Clock) -> str:
    """The last whole month: the one a monthly report is about."""
    today = local_date(clock.now())
    return f"{periods.shift_months(date(today.year, today.month, 1), -1):%Y-%m}"


def _names(session: Session) -> dict[str, tuple[str, str]]:
    names = {d.code: (d.name_zh, d.name_en) for d in session.scalars(select(District))}
    names.update({s.code: (s.name_zh, s.name_en) for s in session.scalars(select(Station))})
    return names


def view(
    session: Session, actor: Actor, yardstick: Yardstick, *, org: str | None, month: str
) -> tuple[YardstickRead, list[measure.Reading], measure.Place]:
    """The yardstick of a place for a month, compared with a year before and the month before."""
    place = measure.place_of(session, org)
    first, last = periods.month_span(month)
    readings = measure.read(session, actor, yardstick, place, first, last)
    names = _names(session)
    figures = [
        IndicatorFigure(
            id=r.indicator.id, group=r.indicator.group, name_zh=r.indicator.name_zh,
            name_en=r.indicator.name_en, measure=r.indicator.measure, good=r.indicator.good,
            target=r.indicator.target_for(place.code), value=r.value, last_year=r.last_year,
            previous=r.previous, yoy=r.yoy, pop=r.pop, better=r.better, records=r.records,
            months=r.months,
            units=[
                UnitFigure(name_zh=names.get(u["code"], (u["code"], u["code"]))[0],
                           name_en=names.get(u["code"], (u["code"], u["code"]))[1], **u)
                for u in r.units
            ],
        )
        for r in readings
    ]
    read = YardstickRead(
        version=yardstick.version, org=place.code, level=place.level, name_zh=place.name_zh,
        name_en=place.name_en, first=first.isoformat(), last=last.isoformat(),
        indicators=figures,
    )
    return read, readings, place


def records_of(
    session: Session, actor: Actor, yardstick: Yardstick, *, indicator_id: str,
    org: str | None, month: str, limit: int, offset: int,
) -> RecordPage:
    """The incidents behind one figure, a page at a time (each opens on the console)."""
    indicator = yardstick.get(indicator_id)
    place = measure.place_of(session, org)
    first, last = periods.month_span(month)
    total, rows = measure.records(session, actor, indicator, place, first, last,
                                  limit=limit, offset=offset)
    return RecordPage(
        indicator=indicator.id, total=total,
        rows=[RecordRow.model_validate(r, from_attributes=True) for r in rows],
    )


def export(
    session: Session, actor: Actor, yardstick: Yardstick, clock: Clock, *, org: str | None,
    month: str,
) -> tuple[bytes, str]:
    """The view as XLSX and a file name for it."""
    _, readings, place = view(session, actor, yardstick, org=org, month=month)
    first, last = periods.month_span(month)
    data = workbook(yardstick, readings, place, first, last, clock.now())
    return data, f"yardstick-{place.code or 'city'}-{month}.xlsx"

