"""电动车登记: registering, transferring and cancelling e-bikes, and loading old registers.

A registration is personal data written by the station that takes it; its
changes are kept as history (who owned it when), and a cancelled plate stays
on record, no longer active. An import of an existing register (CSV in UTF-8
or GBK, or an Excel workbook) is checked whole first: every bad row is named
with its line and field, and one bad row loads nothing, so a register is
never half in.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.auth.service import Actor
from yanyun.core.clock import Clock
from yanyun.core.errors import Conflict, Invalid, NotFound
from yanyun.core.ids import new_id
from yanyun.core.sheets import read_sheet
from yanyun.intel.models import Registration, RegistrationChange
from yanyun.intel.plates import is_valid, normalise
from yanyun.intel.registrations import mask_address, mask_id_number, mask_name, mask_phone
from yanyun.intel.schemas import (
    ImportResult,
    ImportRowError,
    OwnerIn,
    RegistrationIn,
    RegistrationRead,
)

#: Columns of an import, in the bureau's own words (zh) or the API's (en).
COLUMNS = {
    "plate": ("号牌", "plate"), "owner_name": ("车主姓名", "owner_name"),
    "owner_id_number": ("身份证号", "owner_id_number"), "owner_phone": ("手机号", "owner_phone"),
    "address": ("住址", "address"), "brand": ("品牌", "brand"), "colour": ("颜色", "colour"),
}
MAX_IMPORT_ROWS = 200_000
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_PHONE = re.compile(r"^1[3-9]\d{9}$")


def valid_id_number(value: str) -> bool:
    """A resident identity number (GB 11643): 18 characters and its check digit.

    >>> valid_id_number("11010519491231002X"), valid_id_number("110105194912310021")
    (True, False)
    """
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == value[17]


def valid_mobile(value: str) -> bool:
    """A mainland mobile number: 11 digits, 1 then 3-9.

    >>> valid_mobile("13907341234"), valid_mobile("23907341234"), valid_mobile("1390734123")
    (True, False, False)
    """
    return bool(_PHONE.match(value))


def _owner_problems(owner: OwnerIn) -> list[tuple[str, str, str]]:
    problems = []
    if not valid_id_number(owner.owner_id_number.upper()):
        problems.append(("owner_id_number", "身份证号无效（18位，校验位不符）",
                         "not a valid identity number (18 characters, check digit)"))
    if not _PHONE.match(owner.owner_phone):
        problems.append(("owner_phone", "手机号无效", "not a mobile number"))
    return problems


def _checked_plate(plate: str) -> str:
    plate = normalise(plate)
    if not is_valid(plate):
        raise Invalid("plate", "号牌格式不正确", "the plate is malformed")
    return plate


def registration_read(row: Registration) -> RegistrationRead:
    """A registration as the register's pages show it: every owner field masked."""
    return RegistrationRead(
        plate=row.plate, vehicle_kind=row.vehicle_kind, owner_name=mask_name(row.owner_name),
        owner_id_number=mask_id_number(row.owner_id_number),
        owner_phone=mask_phone(row.owner_phone), address=mask_address(row.address),
        brand=row.brand,
        colour=row.colour, registered_at=row.registered_at, status=row.status,
    )


def _history(session: Session, clock: Clock, row: Registration, actor: Actor, kind: str,
             note: str = "") -> None:
    session.add(RegistrationChange(
        id=new_id(clock), registration_id=row.id, at=clock.now(), kind=kind, by=actor.username,
        owner_name=row.owner_name, owner_id_number=row.owner_id_number, note=note,
    ))


def register(*, session: Session, clock: Clock, actor: Actor,
             reg_in: RegistrationIn) -> RegistrationRead:
    """Register an e-bike to its owner; a plate already active is a conflict."""
    plate = _checked_plate(reg_in.plate)
    problems = _owner_problems(reg_in)
    if problems:
        field, zh, en = problems[0]
        raise Invalid(field, zh, en)
    existing = session.scalar(select(Registration).where(Registration.plate == plate))
    if existing is not None and existing.status == "active":
        raise Conflict(f"号牌{plate}已登记", f"plate {plate} is already registered")
    row = existing or Registration(id=new_id(clock), plate=plate)
    _set_owner(row, reg_in)
    row.vehicle_kind, row.brand, row.colour = reg_in.vehicle_kind, reg_in.brand, reg_in.colour
    row.registered_at, row.status, row.cancelled_at = clock.now(), "active", None
    session.add(row)
    session.flush()
    _history(session, clock, row, actor, "registered")
    return registration_read(row)


def _set_owner(row: Registration, owner: OwnerIn) -> None:
    row.owner_name = owner.owner_name
    row.owner_id_number = owner.owner_id_number.upper()
    row.owner_phone = owner.owner_phone
    row.address = owner.address


def _active(session: Session, plate: str) -> Registration:
    row = session.scalar(select(Registration).where(Registration.plate == _checked_plate(plate),
                                                    Registration.status == "active"))
    if row is None:
        raise NotFound("登记信息", plate)
    return row


def transfer(*, session: Session, clock: Clock, actor: Actor, plate: str,
             owner: OwnerIn) -> RegistrationRead:
    """过户: the e-bike changes hands; the former owner stays in its history."""
    row = _active(session, plate)
    problems = _owner_problems(owner)
    if problems:
        field, zh, en = problems[0]
        raise Invalid(field, zh, en)
    _history(session, clock, row, actor, "transferred_from")
    _set_owner(row, owner)
    _history(session, clock, row, actor, "transferred_to")
    session.flush()
    return registration_read(row)


def cancel(*, session: Session, clock: Clock, actor: Actor, plate: str,
           reason: str) -> RegistrationRead:
    """注销: scrapped, lost or moved away; kept on record, no longer active."""
    row = _active(session, plate)
    row.status, row.cancelled_at = "cancelled", clock.now()
    _history(session, clock, row, actor, "cancelled", reason)
    session.flush()
    return registration_read(row)


def _columns(header: list[str]) -> dict[str, int]:
    found = {}
    for index, title in enumerate(header):
        for field, names in COLUMNS.items():
            if title in names:
                found[field] = index
    missing = [f for f in COLUMNS if f not in found]
    if missing:
        raise Invalid("file", f"缺少列：{'、'.join(COLUMNS[f][0] for f in missing)}",
                      f"missing columns: {', '.join(missing)}")
    return found


def import_registrations(*, session: Session, clock: Clock, actor: Actor,
                         data: bytes) -> ImportResult:
    """Load a register whole or not at all; every bad row named with its line and field."""
    table = read_sheet(data)
    if len(table.rows) > MAX_IMPORT_ROWS:
        raise Invalid("file", f"一次最多导入{MAX_IMPORT_ROWS}行", f"at most {MAX_IMPORT_ROWS} rows")
    columns = _columns(table.header)
    registered = set(session.scalars(select(Registration.plate)
                                     .where(Registration.status == "active")))
    errors: list[ImportRowError] = []
    seen: dict[str, int] = {}
    good: list[RegistrationIn] = []
    for line, raw in enumerate(table.rows, start=2):
        cells = {f: (raw[i] if i < len(raw) else "") for f, i in columns.items()}
        row_errors = _row_errors(line, cells, seen, registered)
        errors.extend(row_errors)
        if not row_errors:
            good.append(RegistrationIn(vehicle_kind="ebike", **cells))
    if errors:
        return ImportResult(loaded=0, rows=len(table.rows), errors=errors[:500],
                            error_count=len(errors))
    for reg_in in good:
        register(session=session, clock=clock, actor=actor, reg_in=reg_in)
    return ImportResult(loaded=len(good), rows=len(table.rows), errors=[], error_count=0)


def _row_errors(line: int, cells: dict[str, str], seen: dict[str, int],
                registered: set[str]) -> list[ImportRowError]:
    out = []

    def bad(field: str, zh: str, en: str) -> None:
        out.append(ImportRowError(line=line, field=field, reason_zh=zh, reason_en=en))

    for field in COLUMNS:
        if not cells[field]:
            bad(field, f"{COLUMNS[field][0]}为空", f"{COLUMNS[field][1]} is empty")
    plate = normalise(cells["plate"]) if cells["plate"] else ""
    if plate and not is_valid(plate):
        bad("plate", "号牌格式不正确", "the plate is malformed")
    elif plate in seen:
        bad("plate", f"号牌与第{seen[plate]}行重复", f"the plate repeats line {seen[plate]}")
    elif plate in registered:
        bad("plate", "号牌已登记", "the plate is already registered")
    if plate:
        seen.setdefault(plate, line)
    if cells["owner_id_number"] and not valid_id_number(cells["owner_id_number"].upper()):
        bad("owner_id_number", "身份证号无效", "not a valid identity number")
    if cells["owner_phone"] and not _PHONE.match(cells["owner_phone"]):
        bad("owner_phone", "手机号无效", "not a mobile number")
    for field, limit in (("owner_name", 64), ("address", 200), ("brand", 64), ("colour", 16)):
        if len(cells[field]) > limit:
            bad(field, f"超过{limit}字", f"longer than {limit} characters")
    return out
