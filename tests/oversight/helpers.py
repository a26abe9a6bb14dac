"""Builders for supervision tests: plain functions over the test city and demo users."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import func, select

from tests.bus import drain
from yanyun.auth.models import OrgUnit, User
from yanyun.auth.service import Actor, actor_for
from yanyun.core.clock import SHANGHAI
from yanyun.oversight import service
from yanyun.oversight.models import ClearingEntry, SupervisedTask
from yanyun.oversight.settings import OversightSettings


def at(day: date, hh: int, mm: int = 0) -> datetime:
    """An instant in Asia/Shanghai."""
    return datetime.combine(day, time(hh, mm), tzinfo=SHANGHAI)


def actor(session, username: str) -> Actor:
    user = session.scalars(select(User).where(User.username == username)).one()
    return actor_for(session=session, user=user)


def unit(session, code: str) -> OrgUnit:
    return session.get(OrgUnit, code)


def station_of(session, username: str) -> OrgUnit:
    user = session.scalars(select(User).where(User.username == username)).one()
    return session.get(OrgUnit, user.org_code)


def other_station(session, not_code: str) -> OrgUnit:
    return session.scalars(
        select(OrgUnit).where(OrgUnit.kind == "station", OrgUnit.code != not_code)
        .order_by(OrgUnit.code.desc())
    ).first()


def settings(**overrides) -> OversightSettings:
    return OversightSettings(**overrides)


MONDAY = date(2026, 11, 23)
FRIDAY = date(2026, 11, 27)
SATURDAY = date(2026, 11, 28)
#: A bureau whose every unit keeps office hours (the old default), for the weekend rules.
OFFICE_HOURS = {"working_days": [0, 1, 2, 3, 4]}


def new_task(session, clock, s, owner_code, title="核查辖区治安隐患", due=None):
    """A manual task given to a unit, flushed."""
    task, created = service.create_task(
        session=session, clock=clock, settings=s, actor=None, title=title, source="manual",
        owner_org_code=owner_code, due_at=due,
    )
    assert created
    session.flush()
    return task


def ledger_lines(session, task):
    """The task's clearing ledger as (unit, day, outcome), oldest first."""
    return [
        (e.org_code, e.day, e.outcome)
        for e in session.scalars(
            select(ClearingEntry).where(ClearingEntry.task_id == task.id)
            .order_by(ClearingEntry.day, ClearingEntry.deadline_at)
        )
    ]


API = "/api/v1/oversight"


def tasks_made(runtime, session):
    """Let supervision read what was published; how many tasks it made."""
    before = session.scalar(select(func.count()).select_from(SupervisedTask))
    drain(runtime, "oversight.tasks", session=session)
    return session.scalar(select(func.count()).select_from(SupervisedTask)) - before


def checklist_results(client, login, code, failing=()):
    """Answers to every item of a checklist template; the failing ones not ok."""
    templates = {t["code"]: t for t in client.get(f"{API}/checklists", headers=login.headers)
                 .json()}
    return [{"code": i["code"], "ok": i["code"] not in failing,
             "note": "未到岗" if i["code"] in failing else None}
            for i in templates[code]["items"]]
