"""Opening and working a case: its members from any unit, its incidents, its timeline.

A case is seen by its members (from any unit: station, traffic, intelligence,
criminal investigation) and, read-only, by supervisors of the owner's area.
Only the owner adds and removes members; every change is on the audit log
(the write audit) and on the case's own timeline. A personal-data search
names the case; the searches show on its timeline from the audit log.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yanyun.auth.models import OrgUnit, User
from yanyun.auth.permissions import Perm
from yanyun.auth.service import Actor
from yanyun.cases import parties
from yanyun.cases.models import Case, CaseEntry, CaseIncident, CaseMember
from yanyun.cases.schemas import (
    CASE_KINDS,
    CASE_STATUS,
    CaseCreate,
    CaseDetail,
    CaseRead,
    CaseTaskIn,
    CaseTaskRead,
    EntryRead,
    LinkedIncident,
    MemberRead,
    StatusChange,
)
from yanyun.command.models import Incident
from yanyun.core import events
from yanyun.core.audit import AuditEntry
from yanyun.core.clock import Clock, as_utc, local_date
from yanyun.core.errors import Conflict, Invalid, NotFound, PermissionDenied
from yanyun.core.ids import new_id
from yanyun.core.sequences import next_of_day
from yanyun.events.cases import CaseChanged
from yanyun.events.oversight import TaskRequested
from yanyun.oversight.models import SupervisedTask

#: Statuses from which a case may move, and to where.
MOVES: dict[str, frozenset[str]] = {
    "open": frozenset({"suspended", "solved", "closed"}),
    "suspended": frozenset({"open", "closed"}),
    "solved": frozenset({"closed", "open"}),
    "closed": frozenset({"open"}),
}


def _entry(session: Session, clock: Clock, case: Case, actor: Actor, kind: str, text: str,
           **detail: object) -> None:
    add_entry(session, clock, case, actor.username, kind, text, dict(detail))


def add_entry(session: Session, clock: Clock, case: Case, actor: str, kind: str, text: str,
              detail: dict) -> None:
    """Put something on the case's timeline and say so on the live channel, so that open
    workspaces of the case (its members, in any unit) read it again at once."""
    session.add(CaseEntry(id=new_id(clock), case_id=case.id, at=clock.now(),
                          actor=actor, kind=kind, text=text, detail=detail))
    events.publish(session, CaseChanged(case_id=case.id, number=case.number, what=kind),
                   clock=clock, resource_id=case.id, org_path=case.org_path,
                   audience=members_of_case(session, case.number))


def _number(session: Session, clock: Clock) -> str:
    day = local_date(clock.now())
    return f"AJ{day:%Y%m%d}-{next_of_day(session, 'case', day):04d}"


def _membership(session: Session, case_id: str, user_id: str) -> CaseMember | None:
    return session.scalar(
        select(CaseMember).where(CaseMember.case_id == case_id, CaseMember.user_id == user_id,
                                 CaseMember.removed_at.is_(None))
    )


def open_case(*, session: Session, clock: Clock, actor: Actor, case_in: CaseCreate) -> Case:
    """Open a case owned by the actor; from an incident of their area, carry it in."""
    incident = None
    if case_in.incident_id is not None:
        incident = session.get(Incident, case_in.incident_id)
        if incident is None or not actor.sees(incident.org_path):
            raise NotFound("incident", case_in.incident_id)
    title = case_in.title or (incident.narrative[:60] if incident else None)
    if not title:
        raise Invalid("title", "请填写案件名称", "give the case a title")
    owner = session.get(User, actor.user_id)
    case = Case(
        id=new_id(clock), number=_number(session, clock), kind=case_in.kind, title=title,
        summary=case_in.summary or (incident.narrative if incident else ""), status="open",
        owner_id=actor.user_id, org_path=actor.org_path, opened_at=clock.now(),
        occurred_at=(incident.occurred_at or incident.received_at) if incident else None,
        lng=incident.lng if incident else None, lat=incident.lat if incident else None,
        suspects_detained=0, amount_recovered_yuan=0.0,
    )
    session.add(case)
    session.flush()
    session.add(CaseMember(id=new_id(clock), case_id=case.id, user_id=actor.user_id,
                           role="owner", added_by=actor.username, added_at=clock.now()))
    zh, en = CASE_KINDS[case.kind]
    _entry(session, clock, case, actor, "opened", f"立案：{zh} / {en}",
           owner=owner.username if owner else actor.username)
    if incident is not None:
        session.add(CaseIncident(id=new_id(clock), case_id=case.id, incident_id=incident.id,
                                 linked_at=clock.now(), linked_by=actor.username))
        _entry(session, clock, case, actor, "incident_linked", f"关联警情 {incident.number}",
               incident_id=incident.id, number=incident.number)
    session.flush()
    return case


def get_case(*, session: Session, actor: Actor, case_id: str) -> tuple[Case, CaseMember | None]:
    """The case (by id, or by its number: audit rows name it so) if the actor is a member,
    or oversees its area (read-only); else 404."""
    case = session.get(Case, case_id) or session.scalar(
        select(Case).where(Case.number == case_id)
    )
    if case is None:
        raise NotFound("case", case_id)
    member = _membership(session, case.id, actor.user_id)
    if member is None and not (actor.can(Perm.cases_oversee) and actor.sees(case.org_path)):
        raise NotFound("case", case_id)
    return case, member


def _owned(session: Session, actor: Actor, case_id: str) -> Case:
    case, member = get_case(session=session, actor=actor, case_id=case_id)
    if member is None or member.role != "owner":
        raise PermissionDenied("只有案件主办人可以调整成员和状态",
                               "only the case's owner changes its members and status")
    return case


def add_member(
    *, session: Session, clock: Clock, actor: Actor, case_id: str, username: str
) -> CaseMember:
    """Bring a user from any unit onto the case (合成作战 crosses units)."""
    case = _owned(session, actor, case_id)
    user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
    if user is None:
        raise Invalid("username", f"未知用户：{username}", f"unknown user: {username}")
    if _membership(session, case.id, user.id) is not None:
        raise Conflict(f"{username}已是案件成员", f"{username} is already a member")
    member = CaseMember(id=new_id(clock), case_id=case.id, user_id=user.id, role="member",
                        added_by=actor.username, added_at=clock.now())
    session.add(member)
    _entry(session, clock, case, actor, "member_added", f"加入成员 {user.display_name}",
           username=user.username)
    session.flush()
    return member


def remove_member(*, session: Session, clock: Clock, actor: Actor, case_id: str,
                  user_id: str) -> None:
    case = _owned(session, actor, case_id)
    member = _membership(session, case.id, user_id)
    if member is None:
        raise NotFound("case member", user_id)
    if member.role == "owner":
        raise Conflict("不能移除主办人", "the owner cannot be removed")
    member.removed_at = clock.now()
    user = session.get(User, user_id)
    _entry(session, clock, case, actor, "member_removed",
           f"移出成员 {user.display_name if user else user_id}",
           username=user.username if user else user_id)


def change_status(
    *, session: Session, clock: Clock, actor: Actor, case_id: str, change: StatusChange
) -> Case:
    """Move the case; solving records what the yardstick counts; closed grants nothing."""
    case = _owned(session, actor, case_id)
    if change.status not in MOVES[case.status]:
        raise Conflict(
            f"案件当前为“{CASE_STATUS[case.status][0]}”，不能转为“{CASE_STATUS[change.status][0]}”",
            f"the case is {case.status}; it cannot move to {change.status}",
            allowed=sorted(MOVES[case.status]),
        )
    now = clock.now()
    case.status = change.status
    if change.status == "solved":
        case.solved_at = now
    if change.status == "closed":
        case.closed_at = now
    elif change.status == "open":
        case.closed_at = None
    if change.suspects_detained is not None:
        case.suspects_detained = change.suspects_detained
    if change.amount_recovered_yuan is not None:
        case.amount_recovered_yuan = change.amount_recovered_yuan
    zh, en = CASE_STATUS[change.status]
    _entry(session, clock, case, actor, "status", f"{zh} / {en}" + (
        f"：{change.note}" if change.note else ""), status=change.status,
        suspects_detained=case.suspects_detained,
        amount_recovered_yuan=case.amount_recovered_yuan)
    session.flush()
    return case


def request_task(*, session: Session, clock: Clock, actor: Actor, case_id: str,
                 task_in: CaseTaskIn) -> Case:
    """Ask supervision for a task to any unit for this case (合成作战 crosses units); it is
    made by supervision's consumer and followed on 督's boards with its deadline."""
    case, member = get_case(session=session, actor=actor, case_id=case_id)
    if member is None or case.status != "open":
        raise PermissionDenied("只有在办案件的成员可以派发任务",
                               "only members of an open case give its tasks")
    if as_utc(task_in.due_at) <= clock.now():
        raise Invalid("due_at", "期限须晚于当前时间", "the deadline must be in the future")
    owner_user = None
    if task_in.username:
        owner_user = session.scalar(select(User).where(User.username == task_in.username))
        if owner_user is None:
            raise Invalid("username", f"未知用户：{task_in.username}",
                          f"unknown user: {task_in.username}")
    org_code = task_in.org_code or (owner_user.org_code if owner_user else None)
    if org_code is None or session.get(OrgUnit, org_code) is None:
        raise Invalid("org_code", "请指定承办单位", "name the unit that does the task")
    events.publish(
        session,
        TaskRequested(title=f"[{case.number}] {task_in.title}", detail=task_in.detail,
                      owner_user_id=owner_user.id if owner_user else None,
                      owner_org_code=org_code, due_at=task_in.due_at),
        clock=clock, resource_id=case.id, org_path=case.org_path,
    )
    _entry(session, clock, case, actor, "task_requested", f"派发任务：{task_in.title}",
           org_code=org_code, due_at=as_utc(task_in.due_at).isoformat())
    session.flush()
    return case


def case_tasks(session: Session, case: Case) -> list[CaseTaskRead]:
    rows = session.scalars(
        select(SupervisedTask).where(
            SupervisedTask.source == "requested",
            SupervisedTask.source_ref.startswith(f"task.requested:{case.id}:"),
        ).order_by(SupervisedTask.due_at)
    )
    return [CaseTaskRead(id=t.id, title=t.title, owner_org_code=t.owner_org_code,
                         owner_user_id=t.owner_user_id, status=t.status, due_at=t.due_at,
                         done_at=t.done_at) for t in rows]


def add_note(*, session: Session, clock: Clock, actor: Actor, case_id: str, text: str) -> Case:
    case, member = get_case(session=session, actor=actor, case_id=case_id)
    if member is None:
        raise PermissionDenied("只有案件成员可以记录", "only the case's members write on it")
    _entry(session, clock, case, actor, "note", text)
    session.flush()
    return case


def list_cases(*, session: Session, actor: Actor, status: str | None, limit: int,
               offset: int, incident_id: str | None = None,
               number: str | None = None) -> list[CaseRead]:
    """The actor's cases (as a member), and those of their area if they oversee; only
    those grown from ``incident_id``, or the one numbered ``number`` (what a watch hit
    names), if given."""
    mine = select(CaseMember.case_id).where(CaseMember.user_id == actor.user_id,
                                            CaseMember.removed_at.is_(None))
    condition = Case.id.in_(mine)
    if actor.can(Perm.cases_oversee):
        scoped = actor.scope(select(Case.id), Case.org_path)
        condition = condition | Case.id.in_(scoped)
    stmt = select(Case).where(condition)
    if status:
        stmt = stmt.where(Case.status == status)
    if incident_id:
        linked = select(CaseIncident.case_id).where(CaseIncident.incident_id == incident_id)
        stmt = stmt.where(Case.id.in_(linked))
    if number:
        stmt = stmt.where(Case.number == number)
    rows = session.scalars(stmt.order_by(Case.opened_at.desc()).limit(limit).offset(offset))
    return [case_read(session, c, actor) for c in rows]


def case_read(session: Session, case: Case, actor: Actor) -> CaseRead:
    owner = session.get(User, case.owner_id)
    member = _membership(session, case.id, actor.user_id)
    zh, en = CASE_STATUS[case.status]
    incidents = session.execute(
        select(CaseIncident.incident_id, Incident.number)
        .join(Incident, Incident.id == CaseIncident.incident_id, isouter=True)
        .where(CaseIncident.case_id == case.id)
        .order_by(CaseIncident.linked_at)
    ).all()
    return CaseRead(
        id=case.id, number=case.number, kind=case.kind, title=case.title, summary=case.summary,
        status=case.status, status_zh=zh, status_en=en,
        owner=owner.display_name if owner else case.owner_id, opened_at=case.opened_at,
        closed_at=case.closed_at, occurred_at=case.occurred_at, lng=case.lng, lat=case.lat,
        solved_at=case.solved_at, suspects_detained=case.suspects_detained,
        amount_recovered_yuan=case.amount_recovered_yuan,
        incident_ids=[i for i, _ in incidents],
        incidents=[LinkedIncident(id=i, number=n or i) for i, n in incidents],
        my_role=member.role if member else None,
    )


def case_detail(session: Session, case: Case, actor: Actor) -> CaseDetail:
    """The case with its members and one timeline: its own entries and the searches made
    under its number (from the audit log), in time order."""
    members = session.execute(
        select(CaseMember, User).join(User, User.id == CaseMember.user_id)
        .where(CaseMember.case_id == case.id, CaseMember.removed_at.is_(None))
        .order_by(CaseMember.added_at)
    ).all()
    entries = [
        EntryRead(at=e.at, actor=e.actor, kind=e.kind, text=e.text, detail=e.detail)
        for e in session.scalars(select(CaseEntry).where(CaseEntry.case_id == case.id))
    ]
    searches = [
        EntryRead(at=a.at, actor=a.username, kind="search",
                  text=f"{a.resource_type} {a.resource_id or ''}：{a.purpose or ''}".strip(),
                  detail=a.detail or {})
        for a in session.scalars(
            select(AuditEntry).where(AuditEntry.case_number == case.number,
                                     AuditEntry.action == "read_personal")
        )
    ]
    return CaseDetail(
        **case_read(session, case, actor).model_dump(),
        members=[MemberRead(user_id=u.id, username=u.username, display_name=u.display_name,
                            org_code=u.org_code, role=m.role, added_at=m.added_at)
                 for m, u in members],
        tasks=case_tasks(session, case),
        parties=parties.party_reads(session, case),
        evidence=parties.evidence_reads(session, case),
        timeline=sorted([*entries, *searches], key=lambda e: e.at),
    )


def member_of_open_case(session: Session, user_id: str, reference: str) -> bool:
    """The work check: ``reference`` is an open case this user is a member of."""
    return session.scalar(
        select(CaseMember.id)
        .join(Case, Case.id == CaseMember.case_id)
        .where(Case.number == reference, Case.status == "open",
               CaseMember.user_id == user_id, CaseMember.removed_at.is_(None))
    ) is not None


def members_of_case(session: Session, reference: str) -> list[str]:
    """Who works case ``reference`` now (user ids): the audience of events about it."""
    return list(session.scalars(
        select(CaseMember.user_id)
        .join(Case, Case.id == CaseMember.case_id)
        .where(Case.number == reference, CaseMember.removed_at.is_(None))
    ))
