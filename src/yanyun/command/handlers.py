"""What command does when other contexts announce a change: crew its units."""

from __future__ import annotations

from yanyun.command import crewing
from yanyun.core.bus import Subscription

SUBSCRIPTIONS = [
    Subscription(
        crewing.CONSUMER,
        crewing.SUBSCRIPTION_EVENTS,
        crewing.on_crews,
        description="duty's shift changes crew the units; uncrewed units go out of service",
    ),
]
