"""What the yardstick hears from command: every incident event recounts its station's day;
a closed incident's caller joins the callback queue."""

from __future__ import annotations

from yanyun.command.models import Incident
from yanyun.core.bus import Delivery, Subscription
from yanyun.core.clock import local_date
from yanyun.events.command import IncidentBreached, IncidentChanged, IncidentMerged
from yanyun.yardstick import aggregates, callbacks

CONSUMER = "yardstick.figures"


def on_incident(delivery: Delivery) -> None:
    """Recount the station-day the incident belongs to (exact whatever changed); queue the
    caller of a closed incident for a callback."""
    event = delivery.event
    if event.station_code:
        aggregates.recount_station_day(
            delivery.session, event.station_code, local_date(event.received_at)
        )
    if delivery.envelope.kind == "incident.closed":
        incident = delivery.session.get(Incident, delivery.envelope.resource_id)
        if incident is not None:
            callbacks.enqueue(delivery.session, delivery.clock, incident)


SUBSCRIPTIONS = [
    Subscription(
        CONSUMER, (IncidentChanged, IncidentMerged, IncidentBreached), on_incident,
        description="daily figures recounted per station-day; closed incidents' callers queued "
        "for 回访",
    ),
]
