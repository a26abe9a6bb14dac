"""What the field hears from others: volunteers called out (一呼百应) are texted the link;
units' fixes become their tracks in the data pool."""

from __future__ import annotations

from yanyun.core.bus import Subscription
from yanyun.events.command import UnitsMoved
from yanyun.events.community import VolunteersCalled
from yanyun.field.texts import text_volunteers
from yanyun.field.tracks import keep_moves

SUBSCRIPTIONS = [
    Subscription(
        "field.volunteer_texts", (VolunteersCalled,), text_volunteers,
        description="volunteers with an account and a phone are texted a call-out's link",
    ),
    Subscription(
        "field.unit_tracks", (UnitsMoved,), keep_moves,
        description="units' fixes kept as history in the data pool (unit_tracks, by day)",
    ),
]
