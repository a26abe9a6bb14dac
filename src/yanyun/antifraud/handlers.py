"""What anti-fraud hears from others: the case opened for a warning (linked back to it)."""

from __future__ import annotations

from yanyun.antifraud.models import FraudWarning
from yanyun.core.bus import Delivery, Subscription
from yanyun.events.cases import FraudCaseOpened


def link_case(delivery: Delivery) -> None:
    """Put the case's number on its warning, for the desk to show and open."""
    opened: FraudCaseOpened = delivery.event
    warning = delivery.session.get(FraudWarning, opened.warning_id)
    if warning is None or warning.case_id is not None:
        return
    warning.case_id, warning.case_number = opened.case_id, opened.case_number


SUBSCRIPTIONS = [
    Subscription(
        "antifraud.cases", (FraudCaseOpened,), link_case,
        description="the fraud case opened for a warning is linked back to it",
    ),
]
