"""What the field hears from others: volunteers called out (一呼百应) are texted the link."""

from __future__ import annotations

from yanyun.core.bus import Subscription
from yanyun.events.community import VolunteersCalled
from yanyun.field.texts import text_volunteers

SUBSCRIPTIONS = [
    Subscription(
        "field.volunteer_texts", (VolunteersCalled,), text_volunteers,
        description="volunteers with an account and a phone are texted a call-out's link",
    ),
]
