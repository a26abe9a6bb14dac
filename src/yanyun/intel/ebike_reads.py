"""Reading the e-bike register (电动车登记) from its page: the latest registrations, a
plate's history, and an owner in full.

The list and the history show every owner field masked: the counter that
keeps the register needs to know a plate is taken and by whom roughly, not
to read the people in it. An owner in full is a personal-data read that
names a case the reader works on (the purpose guard), audited like every
other.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.core.audit import record_personal_read, require_purpose
from yanyun.core.clock import Clock
from yanyun.core.errors import Invalid, NotFound
from yanyun.intel.ebike_registry import registration_read
from yanyun.intel.models import Registration, RegistrationChange
from yanyun.intel.plates import is_valid, normalise
from yanyun.intel.registrations import mask_id_number, mask_name
from yanyun.intel.schemas import (
    OwnerInFull,
    RegistrationChangeRead,
    RegistrationHistory,
    RegistrationRead,
)


def _plate(raw: str) -> str:
    plate = normalise(raw)
    if not is_valid(plate):
        raise Invalid("plate", "号牌格式不正确", "the plate is malformed")
    return plate


def latest(*, session: Session, prefix: str | None, status: str | None, kind: str,
           limit: int) -> list[RegistrationRead]:
    """The register's latest registrations of a kind (masked), optionally those whose plate
    starts so."""
    stmt = select(Registration).where(Registration.vehicle_kind == kind)
    if prefix:
        stmt = stmt.where(Registration.plate.startswith(normalise(prefix), autoescape=True))
    if status:
        stmt = stmt.where(Registration.status == status)
    rows = session.scalars(stmt.order_by(Registration.registered_at.desc(),
                                         Registration.plate).limit(limit))
    return [registration_read(r) for r in rows]


def history(*, session: Session, plate: str) -> RegistrationHistory:
    """A plate's registration and every change to it, oldest first, owners masked."""
    plate = _plate(plate)
    row = session.scalar(select(Registration).where(Registration.plate == plate))
    if row is None:
        raise NotFound("登记信息", plate)
    changes = session.scalars(
        select(RegistrationChange).where(RegistrationChange.registration_id == row.id)
        .order_by(RegistrationChange.at, RegistrationChange.id)
    )
    return RegistrationHistory(
        registration=registration_read(row),
        changes=[RegistrationChangeRead(
            at=c.at, kind=c.kind, by=c.by, owner_name=mask_name(c.owner_name),
            owner_id_number=mask_id_number(c.owner_id_number), note=c.note,
        ) for c in changes],
    )


def owner_in_full(*, session: Session, clock: Clock, plate: str, purpose: str | None,
                  case_number: str | None) -> OwnerInFull:
    """A plate's owner unmasked: refused unless the case is the reader's live work; audited
    (a lookup that finds nothing is a read too)."""
    purpose, case_number = require_purpose(purpose, case_number)
    plate = _plate(plate)
    row = session.scalar(select(Registration).where(Registration.plate == plate))
    record_personal_read(
        session, clock=clock, resource_type="intel_registration", resource_id=plate,
        purpose=purpose, case_number=case_number,
        detail={"found": row is not None, "full": True},
    )
    if row is None:
        raise NotFound("登记信息", plate)
    return OwnerInFull(plate=row.plate, status=row.status, owner_name=row.owner_name,
                       owner_id_number=row.owner_id_number, owner_phone=row.owner_phone,
                       address=row.address, case_number=case_number)
