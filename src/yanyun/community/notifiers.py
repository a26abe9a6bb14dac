"""How volunteers hear of a call and of its end: the channel is the deployment's choice."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.orm import Session

from yanyun.community.models import Mobilisation
from yanyun.core import events
from yanyun.core.clock import Clock
from yanyun.events.community import VolunteersCalled, VolunteersStoodDown


class Notifier(Protocol):
    """How volunteers hear of a call and of its end (app push, SMS, radio...)."""

    def call(
        self, session: Session, clock: Clock, call: Mobilisation, volunteer_ids: list[str]
    ) -> None: ...

    def stand_down(
        self, session: Session, clock: Clock, call: Mobilisation, volunteer_ids: list[str]
    ) -> None: ...


class OutboxNotifier:
    """Announces calls as outbox events; the channels that deliver them read the outbox."""

    def call(
        self, session: Session, clock: Clock, call: Mobilisation, volunteer_ids: list[str]
    ) -> None:
        events.publish(
            session,
            VolunteersCalled(title=call.title, lng=call.lng, lat=call.lat,
                             volunteer_ids=volunteer_ids),
            clock=clock,
            resource_id=call.id,
            org_path=call.org_path,
        )

    def stand_down(
        self, session: Session, clock: Clock, call: Mobilisation, volunteer_ids: list[str]
    ) -> None:
        events.publish(
            session,
            VolunteersStoodDown(title=call.title, volunteer_ids=volunteer_ids),
            clock=clock,
            resource_id=call.id,
            org_path=call.org_path,
        )
