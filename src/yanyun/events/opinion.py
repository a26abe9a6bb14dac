"""Events of public opinion 舆: opinion events opened, heating up, handled and closed."""

from __future__ import annotations

from pydantic import AwareDatetime

from yanyun.core.events import Event


class OpinionEventFacts(Event):
    resource_type = "opinion_event"
    # Public-opinion work is for those who do it, not every role on the map.
    read_permission = "opinion:read"

    title: str
    status: str
    category_code: str | None = None
    district_code: str | None = None
    grid_code: str | None = None
    first_seen_at: AwareDatetime
    heat: float
    heat_level: int
    unverified_claim: bool
    officer_id: str | None = None


class OpinionEventChanged(OpinionEventFacts):
    """An opinion event opened (supervision makes it a task) or was assigned."""

    kinds = ("opinion.event_opened", "opinion.event_assigned")


class OpinionHeatAlert(OpinionEventFacts):
    """An event's heat crossed into a higher level."""

    kinds = ("opinion.heat_alert",)

    previous_level: int


class OpinionEventActed(OpinionEventFacts):
    """A verification, a response or a published clarification."""

    kinds = ("opinion.event_action",)

    action: str


class OpinionEventClosed(OpinionEventFacts):
    """The event was handled to the end."""

    kinds = ("opinion.event_closed",)

    closed_at: AwareDatetime
