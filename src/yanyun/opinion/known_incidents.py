"""Opinion's own copy of the incidents command announces, to link posts to them."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.core.bus import Delivery
from yanyun.core.clock import as_utc
from yanyun.events.command import IncidentFacts
from yanyun.opinion import linking
from yanyun.opinion.models import KnownIncident

INCIDENT_CONSUMER = "opinion.incidents"


def copy_incident(d: Delivery) -> None:
    """Keep opinion's own copy of an incident announced by command (to link posts to it)."""
    e: IncidentFacts = d.event
    row = d.session.get(KnownIncident, d.envelope.resource_id)
    if row is None:
        row = KnownIncident(id=d.envelope.resource_id)
        d.session.add(row)
    row.number = e.number
    row.status = e.status
    row.category_code = e.category_code
    row.sub_code = e.sub_code
    row.district_code = e.district_code
    row.lng = e.lng
    row.lat = e.lat
    row.received_at = e.received_at
    d.session.flush()


def near_in_time(session: Session, at: datetime, window_s: int) -> list[linking.IncidentRecord]:
    """Known incidents received within window_s either side of at."""
    lo, hi = at - timedelta(seconds=window_s), at + timedelta(seconds=window_s)
    rows = session.scalars(select(KnownIncident).where(KnownIncident.received_at.between(lo, hi)))
    return [
        linking.IncidentRecord(
            id=r.id,
            category_code=r.category_code,
            district_code=r.district_code,
            lng=r.lng,
            lat=r.lat,
            received_at=as_utc(r.received_at),
            number=r.number,
        )
        for r in rows
    ]
