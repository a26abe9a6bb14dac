"""Owner lookup: synthetic registrations for the demo and the masked, audited read of an owner."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yanyun.auth.service import Actor
from yanyun.core.audit import record_personal_read, require_purpose
from yanyun.core.clock import Clock
from yanyun.core.errors import NotFound
from yanyun.core.ids import new_id
from yanyun.intel.models import Registration
from yanyun.intel.plates import normalise
from yanyun.intel.schemas import RegistrationRead

_SURNAMES = "王李张刘陈杨黄赵周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华兰红玉建国志文斌"
_BRANDS = {
    "car": ["比亚迪", "吉利", "大众", "丰田", "长安", "五菱"],
    "ebike": ["雅迪", "爱玛", "台铃", "新日", "小牛"],
}
_COLOURS = ["白", "黑", "银", "红", "蓝", "灰"]


def build_registrations(
    *, session: Session, clock: Clock, plates: list[str], kinds: list[str], seed: int
) -> int:
    """Synthetic owners for the demo plates (names and numbers are made up)."""
    if session.scalar(select(func.count()).select_from(Registration)):
        return 0
    rng = random.Random(seed)
    now = clock.now()
    rows = []
    for plate, kind in zip(plates, kinds, strict=True):
        rows.append(
            {
                "id": new_id(clock),
                "plate": plate,
                "vehicle_kind": kind,
                "owner_name": rng.choice(_SURNAMES)
                + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2)))),
                "owner_id_number": "4304" + "".join(str(rng.randrange(10)) for _ in range(14)),
                "owner_phone": "1"
                + rng.choice("35789")
                + "".join(str(rng.randrange(10)) for _ in range(9)),
                "address": f"衡阳市{rng.choice(['雁峰区', '石鼓区', '蒸湘区', '珠晖区'])}"
                f"{rng.randrange(1, 300)}号",
                "brand": rng.choice(_BRANDS.get(kind, _BRANDS["car"])),
                "colour": rng.choice(_COLOURS),
                "registered_at": now - timedelta(days=rng.randrange(30, 3000)),
            }
        )
    session.execute(Registration.__table__.insert(), rows)
    session.flush()
    return len(rows)


def mask_id_number(value: str) -> str:
    """An identity number with all but its first three and last four characters hidden."""
    return value[:3] + "*" * max(0, len(value) - 7) + value[-4:] if len(value) > 7 else "****"


def mask_name(value: str) -> str:
    """A name with all but its first character hidden (one star per hidden character).

    >>> mask_name("王秀英"), mask_name("李"), mask_name("")
    ('王**', '李', '')
    """
    return value[:1] + "*" * max(0, len(value) - 1)


def mask_address(value: str) -> str:
    """An address down to its district: the first six characters, the rest hidden.

    >>> mask_address("衡阳市雁峰区先锋路18号")
    '衡阳市雁峰区****'
    """
    return value[:6] + "****" if len(value) > 6 else value


def mask_phone(value: str) -> str:
    """A phone number with its middle hidden."""
    return value[:3] + "****" + value[-4:] if len(value) >= 8 else "****"


def lookup_registration(
    *,
    session: Session,
    actor: Actor,
    clock: Clock,
    plate: str,
    purpose: str | None,
    case_number: str | None,
) -> RegistrationRead:
    """The owner of a plate: refused without case and purpose, audited with them, masked."""
    purpose, case_number = require_purpose(purpose, case_number)
    plate = normalise(plate)
    row = session.scalar(select(Registration).where(Registration.plate == plate))
    record_personal_read(
        session,
        clock=clock,
        resource_type="intel_registration",
        resource_id=plate,
        purpose=purpose,
        case_number=case_number,
        detail={"found": row is not None},
    )
    if row is None:
        raise NotFound("登记信息", plate)
    return RegistrationRead(
        plate=row.plate,
        vehicle_kind=row.vehicle_kind,
        owner_name=row.owner_name,
        owner_id_number=mask_id_number(row.owner_id_number),
        owner_phone=mask_phone(row.owner_phone),
        address=row.address,
        brand=row.brand,
        colour=row.colour,
        registered_at=row.registered_at,
    )
