"""What opinion does when command announces an incident: keep a copy to link posts to."""

from __future__ import annotations

from yanyun.core.bus import Subscription
from yanyun.events.command import IncidentBreached, IncidentChanged, IncidentMerged
from yanyun.opinion.service import INCIDENT_CONSUMER, copy_incident

SUBSCRIPTIONS = [
    Subscription(
        INCIDENT_CONSUMER, (IncidentChanged, IncidentMerged, IncidentBreached), copy_incident,
        description="a copy of each incident, so posts about it are linked and claims checked",
    ),
]
