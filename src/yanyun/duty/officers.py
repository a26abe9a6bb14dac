"""Officers (民警/辅警) and the areas they serve: masked reads, the logged contact read,
and each station's strength."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yanyun.auth.models import OrgUnit
from yanyun.auth.scope import visible
from yanyun.auth.service import Actor, mask_phone
from yanyun.core import audit
from yanyun.core.clock import Clock
from yanyun.core.db import fetch_page
from yanyun.core.errors import Invalid
from yanyun.duty.models import Officer
from yanyun.duty.schemas import AreaRead, OfficerContact, OfficerRead, StationStrength
from yanyun.geo.models import District, Station


def station_paths(session: Session) -> dict[str, str]:
    """Station code -> org path, from the org tree."""
    rows = session.execute(select(OrgUnit.code, OrgUnit.path).where(OrgUnit.kind == "station"))
    return {code: path for code, path in rows}


def area_of(session: Session, kind: str, code: str) -> tuple[str, str]:
    """(org path, Chinese name) of a district or station."""
    if kind == "district":
        district = session.get(District, code)
        bureau = session.scalar(select(OrgUnit.path).where(OrgUnit.kind == "bureau"))
        if district is None or bureau is None:
            raise Invalid("area_code", "未知辖区", "unknown district")
        path = session.scalar(select(OrgUnit.path).where(OrgUnit.code == code))
        return path or f"{bureau}/{code}", district.name_zh
    station = session.get(Station, code)
    if station is None:
        raise Invalid("area_code", "未知派出所", "unknown station")
    return station_paths(session).get(code, code), station.name_zh


def officer_read(officer: Officer) -> OfficerRead:
    return OfficerRead(
        id=officer.id,
        badge_no=officer.badge_no,
        name_zh=officer.name_zh,
        kind=officer.kind,
        station_code=officer.station_code,
        rank=officer.rank,
        skills=list(officer.skills),
        certifications=list(officer.certifications),
        phone_masked=mask_phone(officer.phone),
        team=officer.team,
        default_unit_id=officer.default_unit_id,
        active=officer.active,
    )


def list_officers(
    *,
    session: Session,
    actor: Actor,
    station_code: str | None = None,
    kind: str | None = None,
    q: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[int, list[Officer]]:
    """Officers in the actor's scope, filtered; contacts stay masked."""
    stmt = actor.scope(select(Officer), Officer.org_path)
    if station_code:
        stmt = stmt.where(Officer.station_code == station_code)
    if kind:
        stmt = stmt.where(Officer.kind == kind)
    if q:
        stmt = stmt.where(Officer.name_zh.contains(q, autoescape=True) | (Officer.badge_no == q))
    total, rows = fetch_page(session, stmt, Officer.badge_no, limit=limit, offset=offset)
    return total, rows


def get_officer(*, session: Session, actor: Actor, officer_id: str) -> Officer:
    officer = visible(session, Officer, officer_id, actor, what="officer")
    return officer


def read_contact(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    officer_id: str,
    purpose: str | None,
    case_number: str | None,
) -> OfficerContact:
    """An officer's full phone number, only with a case and a purpose, and logged."""
    officer = get_officer(session=session, actor=actor, officer_id=officer_id)
    audit.record_personal_read(
        session,
        clock=clock,
        resource_type="duty_officer",
        resource_id=officer.id,
        purpose=purpose,
        case_number=case_number,
        detail={"field": "phone"},
    )
    return OfficerContact(id=officer.id, name_zh=officer.name_zh, phone=officer.phone)


def areas(*, session: Session, actor: Actor) -> list[AreaRead]:
    """Districts and stations in scope, for choosing where a duty level applies."""
    paths = station_paths(session)
    out = [
        AreaRead(kind="district", code=d.code, name_zh=d.name_zh, name_en=d.name_en)
        for d in session.scalars(select(District).order_by(District.code))
        if not actor.org_path or actor.org_path.split("/")[1:2] in ([], [d.code])
    ]
    out += [
        AreaRead(kind="station", code=s.code, name_zh=s.name_zh, name_en=s.name_en)
        for s in session.scalars(select(Station).order_by(Station.code))
        if actor.sees(paths.get(s.code, ""))
    ]
    return out


def station_strengths(*, session: Session, actor: Actor) -> list[StationStrength]:
    """How many 民警 and 辅警 each station in scope has."""
    stmt = actor.scope(
        select(Officer.station_code, Officer.kind, func.count()).where(Officer.active.is_(True)),
        Officer.org_path,
    ).group_by(Officer.station_code, Officer.kind)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"police": 0, "auxiliary": 0})
    for code, kind, n in session.execute(stmt):
        counts[code][kind] = n
    stations = {
        s.code: s for s in session.scalars(select(Station).where(Station.code.in_(sorted(counts))))
    }
    return [
        StationStrength(
            station_code=code,
            station_name_zh=stations[code].name_zh if code in stations else code,
            grade=stations[code].grade if code in stations else 3,
            police=c["police"],
            auxiliary=c["auxiliary"],
        )
        for code, c in sorted(counts.items())
    ]

