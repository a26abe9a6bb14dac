"""Staff the demo city: duty's people crew command's fleet.

The adapter between the two contexts for the demo build (sim may read both):
it hands duty the units it must crew and runs the first shift change; the
demo step then drains command's crewing handler, so the fleet is crewed the
moment the demo opens.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.command.models import Unit
from yanyun.core.clock import Clock
from yanyun.duty import service as duty_service
from yanyun.duty.staffing import StaffingReport, StaffingSpec, build_staffing
from yanyun.duty.staffing_posts import UnitSeat


def staff_city(
    *,
    session: Session,
    clock: Clock,
    seed: int,
    stations: list[str] | None = None,
    spec: StaffingSpec = StaffingSpec(),
) -> StaffingReport:
    """Build officers, rosters and posts for the fleet (if absent) and crew the units now."""
    stmt = select(Unit.id, Unit.station_code, Unit.kind, Unit.home_lng, Unit.home_lat)
    if stations is not None:
        stmt = stmt.where(Unit.station_code.in_(stations))
    units = [UnitSeat(*row) for row in session.execute(stmt.order_by(Unit.id))]
    report = build_staffing(
        session=session, clock=clock, seed=seed, units=units, spec=spec, stations=stations
    )
    if report.built:
        session.flush()
        duty_service.apply_shift_changes(session, clock)
    return report
