"""What community does when command announces an incident: keep a reference, stand down calls.

Volunteers are called to incidents (一呼百应); community keeps its own copy of
each incident's place, category and status from command's events, and
stands down the calls of an incident that is finished or merged away.
"""

from __future__ import annotations

from sqlalchemy import select

from yanyun.community.incidents import INCIDENT_DONE
from yanyun.community.mobilisation import stand_down
from yanyun.community.models import IncidentRef, Mobilisation
from yanyun.community.notifiers import Notifier, OutboxNotifier
from yanyun.core.bus import Delivery, Subscription
from yanyun.events.command import IncidentBreached, IncidentChanged, IncidentFacts, IncidentMerged

CONSUMER = "community.incidents"


def notifier_of(runtime: object) -> Notifier:
    """The deployment's channel to volunteers' phones (the outbox one unless one is set)."""
    return getattr(runtime, "state", {}).get("volunteer_notifier") or OutboxNotifier()


def on_incident(d: Delivery) -> None:
    """Bring the incident reference up to date; stand down calls of a finished incident."""
    e: IncidentFacts = d.event
    session = d.session
    ref = session.get(IncidentRef, d.envelope.resource_id)
    if ref is None:
        ref = IncidentRef(id=d.envelope.resource_id, received_at=e.received_at)
        session.add(ref)
    ref.number = e.number
    ref.category_code = e.category_code
    ref.sub_code = e.sub_code
    ref.status = e.status
    ref.lng, ref.lat = e.lng, e.lat
    ref.station_code = e.station_code or ""
    ref.org_path = d.envelope.org_path
    ref.updated_at = d.envelope.at
    ref.received_at = e.received_at
    if ref.status in INCIDENT_DONE or isinstance(e, IncidentMerged):
        for call in session.scalars(
            select(Mobilisation).where(
                Mobilisation.source_id == ref.id, Mobilisation.status == "open"
            )
        ):
            stand_down(session=session, clock=d.clock, actor=None, call_id=call.id,
                       reason="警情已处置，自动解散", notifier=notifier_of(d.runtime))


SUBSCRIPTIONS = [
    Subscription(
        CONSUMER, (IncidentChanged, IncidentMerged, IncidentBreached), on_incident,
        description="incident references for 一呼百应; calls of finished incidents stood down",
    ),
]
