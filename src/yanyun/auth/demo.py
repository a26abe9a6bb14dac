"""Demo users, one per role, for a newcomer's first look (development only)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.auth.models import OrgUnit, User
from yanyun.auth.permissions import Role
from yanyun.auth.schemas import UserCreate
from yanyun.auth.service import create_user
from yanyun.core.clock import Clock
from yanyun.core.errors import Conflict


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    display_name: str
    role: Role
    scope: str  # "city" or "station"


DEMO_USERS = (
    DemoUser("admin", "yanyun-admin-2026", "系统管理员", Role.admin, "city"),
    DemoUser("dispatcher", "yanyun-dispatch-2026", "接警员 王", Role.dispatcher, "city"),
    DemoUser("analyst", "yanyun-analyst-2026", "研判员 李", Role.analyst, "city"),
    DemoUser("duty", "yanyun-duty-2026", "勤务管理员 赵", Role.duty_manager, "city"),
    DemoUser("opinion", "yanyun-opinion-2026", "舆情员 陈", Role.opinion_officer, "city"),
    DemoUser("supervisor", "yanyun-supervisor-2026", "督察员 刘", Role.supervisor, "city"),
    DemoUser("officer", "yanyun-officer-2026", "社区民警 周", Role.station_officer, "station"),
    DemoUser("chief", "yanyun-chief-2026", "派出所所长 孙", Role.station_chief, "station"),
    # Linked to one registered volunteer of the station by community's demo step.
    DemoUser("volunteer", "yanyun-volunteer-2026", "义警 吴", Role.volunteer, "station"),
)


def ensure_demo_users(*, session: Session, clock: Clock) -> list[DemoUser]:
    """Create the demo users that are missing; return all of them."""
    bureau = session.scalar(select(OrgUnit.code).where(OrgUnit.kind == "bureau"))
    station = session.scalar(
        select(OrgUnit.code).where(OrgUnit.kind == "station").order_by(OrgUnit.code)
    )
    if bureau is None or station is None:
        raise Conflict("请先生成示范城市", "build the demo city first")
    for demo in DEMO_USERS:
        if session.scalar(select(User.id).where(User.username == demo.username)):
            continue
        create_user(
            session=session,
            clock=clock,
            user_in=UserCreate(
                username=demo.username,
                display_name=demo.display_name,
                password=demo.password,
                roles=[demo.role],
                org_code=bureau if demo.scope == "city" else station,
                phone="13807340" + str(100 + DEMO_USERS.index(demo)),
            ),
        )
    return list(DEMO_USERS)


def build_demo(runtime: Any, options: Any) -> str:
    """The demo users, one per role (created once); the lines that print their logins."""
    from yanyun.core.db import session_scope

    with session_scope(runtime, actor_username="system") as session:
        users = ensure_demo_users(session=session, clock=runtime.clock)
    lines = ["demo logins 示范账号 (user / password / role):"]
    lines += [f"  {u.username:<11} {u.password:<24} {u.role.value}" for u in users]
    return "\n".join(lines)
