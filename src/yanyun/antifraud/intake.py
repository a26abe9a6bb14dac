"""Taking warnings in: each row checked, graded, routed to its station, or quarantined.

A batch is never all-or-nothing: a bad row (malformed phone or ID number, an
unknown fraud type, the same warning twice, a victim outside the city) comes
back with its row number and reason and is kept in quarantine; the rest goes
in. The sender's warning id is unique per source, so a batch sent again adds
nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.antifraud.grading import Rules, age_on, grade
from yanyun.antifraud.models import FraudWarning, QuarantinedRow
from yanyun.antifraud.schemas import IntakeResult, RowError
from yanyun.antifraud.settings import AntifraudSettings
from yanyun.core import events
from yanyun.core.clock import SHANGHAI, Clock, as_utc, local_date
from yanyun.core.ids import new_id
from yanyun.core.sequences import next_of_day
from yanyun.events.antifraud import WarningReceived
from yanyun.geo.service import CityIndex
from yanyun.intel.ebike_registry import valid_id_number

_PHONE = re.compile(r"^1[3-9]\d{9}$")
_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_./:-]{0,63}$")
#: Column names a file may use, in the centres' words (zh) or the API's (en).
ALIASES: dict[str, tuple[str, ...]] = {
    "warning_id": ("预警编号", "warning_id"), "received_at": ("预警时间", "received_at"),
    "victim_name": ("姓名", "受害人姓名", "victim_name"),
    "victim_phone": ("手机号", "联系电话", "victim_phone"),
    "victim_id_number": ("身份证号", "victim_id_number"), "address": ("地址", "address"),
    "lng": ("经度", "lng"), "lat": ("纬度", "lat"), "fraud_type": ("诈骗类型", "fraud_type"),
    "suspect_account": ("涉诈账号", "嫌疑账号", "suspect_account"),
    "amount_yuan": ("金额", "涉案金额", "amount_yuan"),
    "contacted_at": ("接触时间", "contacted_at"),
}


class RowProblem(Exception):
    def __init__(self, field: str, zh: str, en: str) -> None:
        super().__init__(en)
        self.field, self.zh, self.en = field, zh, en


@dataclass(frozen=True)
class Facts:
    """A row that passed its checks, located in the city."""

    sender_ref: str
    received_at: datetime
    contacted_at: datetime | None
    name: str
    phone: str
    id_number: str | None
    address: str
    lng: float
    lat: float
    fraud_type: str
    suspect_account: str
    amount_yuan: float
    location: Any


def canonical(row: dict[str, Any]) -> dict[str, str]:
    """A row's cells under the API's names, as stripped text (absent cells are empty)."""
    out: dict[str, str] = {}
    for name, aliases in ALIASES.items():
        value = next((row[a] for a in aliases if a in row and row[a] is not None), "")
        out[name] = str(value).strip()
    return out


def _time(value: str, field: str, default: datetime | None) -> datetime | None:
    if not value:
        return default
    try:
        parsed = datetime.fromisoformat(value.replace("/", "-"))
    except ValueError:
        raise RowProblem(field, "时间格式不正确", "not a date and time") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=SHANGHAI)
    return as_utc(parsed)


def _number(value: str, field: str, zh: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise RowProblem(field, f"{zh}不是数字", f"{field} is not a number") from None
    if number != number or abs(number) > 1e10:
        raise RowProblem(field, f"{zh}超出范围", f"{field} is out of range")
    return number


def check_row(cells: dict[str, str], *, rules: Rules, index: CityIndex,
              now: datetime) -> Facts:
    """The row's facts, or the first problem found (RowProblem)."""
    ref = cells["warning_id"]
    if not _REF.match(ref):
        raise RowProblem("warning_id", "预警编号为空或格式不正确",
                         "the warning id is empty or malformed")
    if not cells["victim_name"] or len(cells["victim_name"]) > 64:
        raise RowProblem("victim_name", "姓名为空或过长", "the name is empty or too long")
    if not _PHONE.match(cells["victim_phone"]):
        raise RowProblem("victim_phone", "手机号无效（11位，1开头）",
                         "not a mobile number (11 digits starting with 1)")
    id_number = cells["victim_id_number"].upper() or None
    if id_number is not None and not valid_id_number(id_number):
        raise RowProblem("victim_id_number", "身份证号无效（18位，校验位不符）",
                         "not a valid identity number (18 characters, check digit)")
    kind = rules.fraud_type(cells["fraud_type"])
    if kind is None:
        raise RowProblem("fraud_type", f"未知诈骗类型：{cells['fraud_type'][:24]}",
                         f"unknown fraud type: {cells['fraud_type'][:24]}")
    if not cells["lng"] or not cells["lat"]:
        raise RowProblem("lng", "缺少位置（经纬度）", "no location (lng/lat)")
    lng, lat = _number(cells["lng"], "lng", "经度"), _number(cells["lat"], "lat", "纬度")
    location = index.locate(lng, lat)
    if not location.inside:
        raise RowProblem("lng", "受害人位置不在本市辖区内", "the victim is outside the city")
    amount = _number(cells["amount_yuan"] or "0", "amount_yuan", "金额")
    if amount < 0:
        raise RowProblem("amount_yuan", "金额不能为负", "the amount cannot be negative")
    if len(cells["address"]) > 200 or len(cells["suspect_account"]) > 64:
        raise RowProblem("address", "地址或账号过长", "the address or account is too long")
    received = _time(cells["received_at"], "received_at", now)
    if received is None or received > now + timedelta(minutes=5):
        raise RowProblem("received_at", "预警时间晚于当前时间", "received in the future")
    return Facts(
        sender_ref=ref, received_at=received,
        contacted_at=_time(cells["contacted_at"], "contacted_at", None),
        name=cells["victim_name"], phone=cells["victim_phone"], id_number=id_number,
        address=cells["address"], lng=lng, lat=lat, fraud_type=kind.code,
        suspect_account=cells["suspect_account"], amount_yuan=amount, location=location,
    )


def _warning_number(session: Session, received_at: datetime) -> str:
    day = local_date(received_at)
    return f"FZ{day:%Y%m%d}-{next_of_day(session, 'fraud_warning', day):06d}"


def _seen(session: Session, column: Any, value: str) -> bool:
    return session.scalar(select(FraudWarning.id).where(column == value).limit(1)) is not None


def _repeats(session: Session, facts: Facts) -> tuple[bool, bool]:
    # One indexed lookup per key: PostgreSQL planned "phone = ? OR id = ? LIMIT 1" as a
    # sequential scan (the half-year benchmark slowed with every row it added).
    seen_victim = _seen(session, FraudWarning.victim_phone, facts.phone) or (
        bool(facts.id_number) and _seen(session, FraudWarning.victim_id_number, facts.id_number))
    seen_suspect = bool(facts.suspect_account) and session.scalar(
        select(FraudWarning.id).where(FraudWarning.suspect_account == facts.suspect_account)
        .limit(1)) is not None
    return bool(seen_victim), bool(seen_suspect)


def warning_values(clock: Clock, *, facts: Facts, source: str, batch_id: str, rules: Rules,
                   settings: AntifraudSettings, number: str, repeats: tuple[bool, bool],
                   synthetic: bool = False) -> dict[str, Any]:
    """Grade and route one checked warning into its row's values (a bulk load inserts them)."""
    repeat_victim, repeat_suspect = repeats
    age = age_on(facts.id_number, local_date(facts.received_at))
    since = ((facts.received_at - facts.contacted_at).total_seconds() / 60
             if facts.contacted_at else None)
    graded = grade(rules, fraud_type=facts.fraud_type, amount_yuan=facts.amount_yuan,
                   repeat=repeat_victim, age=age, minutes_since_contact=since)
    phone_min, visit_min = settings.deadlines_min(graded.grade)
    loc = facts.location
    return dict(
        id=new_id(clock), number=number, source=source,
        sender_ref=facts.sender_ref, batch_id=batch_id, received_at=facts.received_at,
        contacted_at=facts.contacted_at, victim_name=facts.name, victim_phone=facts.phone,
        victim_id_number=facts.id_number, address=facts.address, lng=facts.lng, lat=facts.lat,
        district_code=loc.district.code, station_code=loc.station.code, grid_code=loc.grid.code,
        org_path=loc.org_path, fraud_type=facts.fraud_type,
        suspect_account=facts.suspect_account, amount_yuan=facts.amount_yuan,
        grade=graded.grade, score=graded.score, rules_version=rules.version,
        grade_reasons=graded.reasons,
        phone_due_at=facts.received_at + timedelta(minutes=phone_min),
        visit_due_at=facts.received_at + timedelta(minutes=visit_min),
        status="open", repeat_victim=repeat_victim, repeat_suspect=repeat_suspect,
        stopped_yuan=0.0, synthetic=synthetic,
    )


def store(session: Session, clock: Clock, *, facts: Facts, source: str, batch_id: str,
          rules: Rules, settings: AntifraudSettings, synthetic: bool = False) -> FraudWarning:
    """Grade, route and keep one checked warning; announce it to its station."""
    row = FraudWarning(**warning_values(
        clock, facts=facts, source=source, batch_id=batch_id, rules=rules, settings=settings,
        number=_warning_number(session, facts.received_at), repeats=_repeats(session, facts),
        synthetic=synthetic))
    session.add(row)
    session.flush()
    events.publish(session, WarningReceived(
        number=row.number, grade=row.grade, fraud_type=row.fraud_type,
        station_code=row.station_code, phone_due_at=row.phone_due_at,
        visit_due_at=row.visit_due_at,
    ), clock=clock, resource_id=row.id, org_path=row.org_path)
    return row


def _quarantine(session: Session, clock: Clock, *, batch_id: str, source: str, row: int,
                problem: RowProblem, raw: dict[str, Any]) -> RowError:
    kept = {k: str(v)[:200] for k, v in list(raw.items())[:32]}
    session.add(QuarantinedRow(
        id=new_id(clock), batch_id=batch_id, received_at=clock.now(), source=source,
        row_number=row, field=problem.field, reason_zh=problem.zh[:200],
        reason_en=problem.en[:200], raw=kept,
    ))
    return RowError(row=row, field=problem.field, reason_zh=problem.zh, reason_en=problem.en)


def ingest(*, session: Session, clock: Clock, index: CityIndex, rules: Rules,
           settings: AntifraudSettings, source: str, rows: list[dict[str, Any]],
           first_row: int = 1) -> IntakeResult:
    """Take a batch in: good rows graded and routed, bad rows quarantined with reasons."""
    batch_id = new_id(clock)
    now = clock.now()
    known = set(session.scalars(select(FraudWarning.sender_ref).where(
        FraudWarning.source == source,
        FraudWarning.sender_ref.in_([str(canonical(r)["warning_id"]) for r in rows]))))
    seen: dict[str, int] = {}
    accepted = already = 0
    rejected: list[RowError] = []
    for number, raw in enumerate(rows, start=first_row):
        cells = canonical(raw) if isinstance(raw, dict) else canonical({})
        try:
            if cells["warning_id"] in seen:
                raise RowProblem("warning_id", f"与第{seen[cells['warning_id']]}行重复",
                                 f"repeats row {seen[cells['warning_id']]}")
            if cells["warning_id"] in known:
                already += 1
                continue
            facts = check_row(cells, rules=rules, index=index, now=now)
        except RowProblem as problem:
            rejected.append(_quarantine(session, clock, batch_id=batch_id, source=source,
                                        row=number, problem=problem, raw=cells))
            continue
        finally:
            if cells["warning_id"]:
                seen.setdefault(cells["warning_id"], number)
        store(session, clock, facts=facts, source=source, batch_id=batch_id, rules=rules,
              settings=settings)
        accepted += 1
    session.flush()
    return IntakeResult(batch_id=batch_id, rows=len(rows), accepted=accepted,
                        already_known=already, rejected=rejected)
