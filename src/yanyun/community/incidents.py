"""Incidents as community knows them, from command's events (handlers.py keeps them).

Each says whether volunteers may be called to it, and becomes a call for
volunteers (一呼百应) on request while it is open.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.auth.scope import visible
from yanyun.auth.service import Actor
from yanyun.community.mobilisation import unsafe_reason
from yanyun.community.models import IncidentRef
from yanyun.community.places import station_name_zh
from yanyun.community.settings import CommunitySettings
from yanyun.community.volunteer_schemas import IncidentRefRead, MobilisationCreate
from yanyun.core.errors import Conflict
from yanyun.geo.service import CityIndex

INCIDENT_DONE = ("resolved", "closed", "cancelled")


def open_incidents(
    *,
    session: Session,
    actor: Actor,
    settings: CommunitySettings,
    city: CityIndex | None = None,
    limit: int = 30,
) -> list[IncidentRefRead]:
    """Incidents still open, newest first, each saying whether volunteers may go."""
    stmt = actor.scope(select(IncidentRef), IncidentRef.org_path).where(
        IncidentRef.status.not_in(INCIDENT_DONE)
    )
    refs = session.scalars(stmt.order_by(IncidentRef.received_at.desc()).limit(limit))
    return [
        IncidentRefRead(
            id=ref.id,
            number=ref.number,
            category_code=ref.category_code,
            sub_code=ref.sub_code,
            status=ref.status,
            lng=ref.lng,
            lat=ref.lat,
            station_code=ref.station_code,
            station_name_zh=station_name_zh(city, ref.station_code) if city else None,
            received_at=ref.received_at,
            volunteer_safe=unsafe_reason(
                category_code=ref.category_code,
                sub_code=ref.sub_code,
                volunteer_safe=None,
                unsafe=settings.unsafe_categories,
            )
            is None,
        )
        for ref in refs
    ]


def call_from_incident(
    *,
    session: Session,
    actor: Actor,
    incident_id: str,
    title: str | None,
    skills: list[str],
    headcount: int,
    radius_m: float | None,
) -> MobilisationCreate:
    """The call for an incident community has heard of, as plain data."""
    ref = visible(session, IncidentRef, incident_id, actor, what="incident")
    if ref.status in INCIDENT_DONE:
        raise Conflict("警情已结束，不能呼叫义警", "the incident is finished; no call")
    return MobilisationCreate(
        source_type="incident",
        source_id=ref.id,
        title=title or f"警情{ref.number}协助",
        lng=ref.lng,
        lat=ref.lat,
        category_code=ref.category_code,
        sub_code=ref.sub_code,
        skills=skills,
        headcount=headcount,
        radius_m=radius_m,
    )
