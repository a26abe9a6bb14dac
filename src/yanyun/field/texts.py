"""A dispatch reaches a crew whose app is closed: a text message with the app's link.

While the app is open it hears of a dispatch over the WebSocket and sends a
heartbeat every 15 s and with every action (``FieldShift.last_seen_at``). A
dispatch still unacknowledged after ``TEXT_AFTER_S`` to a unit whose crew's phone
has been quiet for ``APP_QUIET_S`` is texted to each such crew member once,
through supervision's notifications (retries, a delivery log, the SMS gateway as
the webhook's receiver). The text carries the incident number and the link,
never the caller or the narrative: an SMS is not a secure channel.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from yanyun.auth.models import User
from yanyun.command.models import Assignment, Incident, Unit
from yanyun.community.models import Volunteer
from yanyun.core.bus import Delivery
from yanyun.core.clock import Clock
from yanyun.events.community import VolunteersCalled
from yanyun.field.models import DispatchText, FieldShift
from yanyun.field.settings import FieldSettings
from yanyun.oversight import notify
from yanyun.oversight.settings import OversightSettings


def text_unacknowledged(
    *, session: Session, clock: Clock, settings: FieldSettings, oversight: OversightSettings,
) -> int:
    """Queue one text per (dispatch, crew member with a closed app); returns how many."""
    now = clock.now()
    rows = session.execute(
        select(Assignment, Incident, Unit, FieldShift, User)
        .join(Incident, Incident.id == Assignment.incident_id)
        .join(Unit, Unit.id == Assignment.unit_id)
        .join(FieldShift, and_(FieldShift.unit_id == Assignment.unit_id,
                               FieldShift.ended_at.is_(None)))
        .join(User, User.id == FieldShift.user_id)
        .outerjoin(DispatchText, and_(DispatchText.assignment_id == Assignment.id,
                                      DispatchText.user_id == FieldShift.user_id))
        .where(
            Assignment.acknowledged_at.is_(None),
            Assignment.cleared_at.is_(None),
            Assignment.assigned_at <= now - timedelta(seconds=settings.text_after_s),
            or_(FieldShift.last_seen_at.is_(None),
                FieldShift.last_seen_at < now - timedelta(seconds=settings.app_quiet_s)),
            User.phone.is_not(None),
            DispatchText.assignment_id.is_(None),
        )
        .limit(500)
    ).all()
    link = f"{settings.public_url.rstrip('/')}/m"
    for assignment, incident, unit, _shift, user in rows:
        queued = notify.enqueue(
            session, clock=clock, settings=oversight, kind="field.dispatch_text",
            org_path=unit.org_path,
            subject=f"【雁云】{unit.call_sign} 新派警 {incident.number}，请打开 {link} 签收",
            body=f"{unit.call_sign} is dispatched to {incident.number}: "
                 f"open {link} and acknowledge.",
            payload={"to": user.phone, "link": link, "incident_number": incident.number,
                     "unit": unit.call_sign},
            channels=[settings.text_channel],
        )
        session.add(DispatchText(assignment_id=assignment.id, user_id=user.id, sent_at=now,
                                 notification_id=queued[0].id if queued else None))
    session.flush()
    return len(rows)


def text_volunteers(delivery: Delivery) -> None:
    """一呼百应 reaches volunteers whose app is closed: each one with an account and a
    phone number is texted the call's title and the link to their app, once (the
    consumer's cursor moves in this transaction)."""
    called: VolunteersCalled = delivery.event
    session, runtime = delivery.session, delivery.runtime
    settings = runtime.settings.field
    link = f"{settings.public_url.rstrip('/')}/m/volunteer"
    rows = session.execute(
        select(Volunteer.id, Volunteer.org_path, User.phone)
        .join(User, User.id == Volunteer.user_id)
        .where(Volunteer.id.in_(called.volunteer_ids), User.phone.is_not(None))
    ).all()
    for volunteer_id, org_path, phone in rows:
        notify.enqueue(
            session, clock=delivery.clock, settings=runtime.settings.oversight,
            kind="field.volunteer_text", org_path=org_path,
            subject=f"【雁云】一呼百应：{called.title[:60]}，请打开 {link} 接受或拒绝",
            body=f"Call-out: {called.title[:60]}. Open {link} to accept or decline.",
            payload={"to": phone, "link": link, "volunteer_id": volunteer_id,
                     "call_id": delivery.envelope.resource_id},
            channels=[settings.text_channel],
        )
