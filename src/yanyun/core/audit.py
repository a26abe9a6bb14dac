"""The audit trail: every write and every read of personal data, append-only.

Writes are captured by a flush hook, so no service can forget one; reads of
personal data are recorded explicitly with a purpose and a case number. The
API exposes no way to change an entry, and the database refuses UPDATE and
DELETE on the table (triggers, see the migration).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, String, event, inspect, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from yanyun.core.clock import Clock
from yanyun.core.errors import Invalid
from yanyun.core.tables import READ_ONLY, Base

AuditId = BigInteger().with_variant(Integer(), "sqlite")

MIN_PURPOSE_CHARS = 4


class AuditEntry(Base):
    """One attributable action: who, in which role, when, on what, and why."""

    __tablename__ = "audit_entry"
    __audited__ = False

    id: Mapped[int] = mapped_column(AuditId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(index=True)
    user_id: Mapped[str | None] = mapped_column(String(32), index=True)
    username: Mapped[str | None] = mapped_column(String(64))
    role: Mapped[str | None] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64), index=True)
    resource_type: Mapped[str] = mapped_column(String(64), index=True)
    resource_id: Mapped[str | None] = mapped_column(String(64))
    purpose: Mapped[str | None] = mapped_column(String(500))
    case_number: Mapped[str | None] = mapped_column(String(64), index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


def record(
    session: Session,
    *,
    clock: Clock,
    action: str,
    resource_type: str,
    resource_id: str | None = None,
    purpose: str | None = None,
    case_number: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append an entry attributed to the session's actor.

    From a session that only reads (a GET), the entry is written and committed
    in a short transaction of its own before the data goes out: the read is
    on record even when the request fails afterwards (a lookup that finds
    nothing is a read too).
    """
    entry = AuditEntry(
        at=clock.now(),
        user_id=session.info.get("actor_id"),
        username=session.info.get("actor_username"),
        role=session.info.get("actor_role"),
        action=action,
        resource_type=resource_type,
        resource_id=resource_id,
        purpose=purpose,
        case_number=case_number,
        detail=detail or {},
    )
    if session.info.get(READ_ONLY):
        runtime = session.info["runtime"]
        writer = runtime.session_factory()
        try:
            writer.add(entry)
            writer.commit()
        finally:
            writer.close()
        return entry
    session.add(entry)
    return entry


_CASE_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/_-]{3,63}$")


def _case_number_plausible(case_number: str) -> bool:
    """A case or incident number: its format, four digits or more, not one character repeated.

    >>> [_case_number_plausible(c) for c in ("A2026-11", "X", "123", "00000-0", "A 2026")]
    [True, False, False, False, False]
    """
    digits = [c for c in case_number if c.isdigit()]
    signs = {c for c in case_number if c.isalnum()}
    return bool(_CASE_NUMBER.match(case_number)) and len(digits) >= 4 and len(signs) >= 2


def _purpose_plausible(purpose: str) -> bool:
    """A reason in words: at least three different letters, none making up most of it.

    >>> [_purpose_plausible(p) for p in ("核实报警人身份", "xxxx", "。。。。", "abab", "1234")]
    [True, False, False, False, False]
    """
    letters = [c for c in purpose if c.isalpha()]
    if len(set(letters)) < 3:
        return False
    most = max(letters.count(c) for c in set(letters))
    return most / len(letters) < 0.6


def require_purpose(purpose: str | None, case_number: str | None) -> tuple[str, str]:
    """Refuse a personal-data query that does not say which case and why.

    The obviously empty is refused here, before any work: a number that is no
    case number, a purpose of one letter typed over and over. That the case is
    the reader's own live work is checked when the read is recorded
    (:func:`bind_to_work`).
    """
    if not case_number or not case_number.strip():
        raise Invalid(
            "case_number",
            "查询个人信息必须填写案件编号",
            "a case number is required to query personal data",
        )
    if not _case_number_plausible(case_number.strip()):
        raise Invalid(
            "case_number",
            "案件编号格式不正确（字母、数字和连字符，至少含4位数字）",
            "not a case number (letters, digits and dashes, with at least four digits)",
        )
    if not purpose or len(purpose.strip()) < MIN_PURPOSE_CHARS:
        raise Invalid(
            "purpose",
            f"查询个人信息必须说明用途（至少{MIN_PURPOSE_CHARS}个字）",
            f"a purpose of at least {MIN_PURPOSE_CHARS} characters is required to query "
            "personal data",
        )
    if not _purpose_plausible(purpose.strip()):
        raise Invalid(
            "purpose",
            "请用文字说明查询用途",
            "say in words why the personal data is needed",
        )
    return purpose.strip(), case_number.strip()


#: A check that a reference (a case or incident number) is this user's live work:
#: ``check(session, user_id, reference) -> bool``. Contexts contribute them in their
#: manifests (``work_checks``); the edges install them at start.
WorkCheck = Callable[[Session, str, str], bool]
_work_checks: tuple[WorkCheck, ...] | None = None


def install_work_checks(checks: tuple[WorkCheck, ...]) -> None:
    """Set what a personal-data read may be bound to (called once by each edge at start)."""
    global _work_checks
    _work_checks = tuple(checks)


#: Who works a reference (a case number): ``members(session, reference) -> user ids``.
#: Contexts contribute them in their manifests (``work_members``); an event about
#: that work (a watch hit) is shown to them wherever their unit is.
WorkMembers = Callable[[Session, str], Iterable[str]]
_work_members: tuple[WorkMembers, ...] = ()


def install_work_members(finders: tuple[WorkMembers, ...]) -> None:
    """Set who works a reference (called with the work checks, by each edge at start)."""
    global _work_members
    _work_members = tuple(finders)


def work_audience(session: Session, reference: str) -> set[str]:
    """The users (ids) who work ``reference`` now; empty when no context knows it."""
    return {user for finder in _work_members for user in finder(session, reference)}


def works_on(session: Session, case_number: str) -> bool:
    """Whether the session's user may bind a personal-data read to ``case_number`` now."""
    user_id = session.info.get("actor_id")
    if _work_checks is None:
        raise RuntimeError("no work checks installed: call registry.install_work_checks()")
    return bool(user_id) and any(check(session, user_id, case_number) for check in _work_checks)


def bind_to_work(session: Session, case_number: str) -> None:
    """Refuse a personal-data read whose case is not the reader's own live work.

    The number must name an open case the reader is a member of, or an open
    incident the reader works (its dispatcher, or a crew sent to it): free
    text that merely looks like a number no longer passes. Fails closed when
    no context has said what work is.
    """
    if works_on(session, case_number):
        return
    raise Invalid(
        "case_number",
        f"{case_number}不是您参与的在办案件或您正在处置的警情",
        f"{case_number} is not an open case you are a member of, nor an open incident you "
        "work on",
    )


def record_personal_read(
    session: Session,
    *,
    clock: Clock,
    resource_type: str,
    resource_id: str | None,
    purpose: str | None,
    case_number: str | None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Check purpose and case (bound to the reader's live work), then log the read; call
    before returning the data."""
    purpose, case_number = require_purpose(purpose, case_number)
    bind_to_work(session, case_number)
    return record(
        session,
        clock=clock,
        action="read_personal",
        resource_type=resource_type,
        resource_id=resource_id,
        purpose=purpose,
        case_number=case_number,
        detail=detail,
    )


def query(
    session: Session,
    *,
    user_id: str | None = None,
    username: str | None = None,
    role: str | None = None,
    action: str | None = None,
    resource_type: str | None = None,
    resource_id: str | None = None,
    case_number: str | None = None,
    purpose_contains: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    after_id: int = 0,
    limit: int = 100,
) -> list[AuditEntry]:
    """Entries matching every given filter, oldest first, paged by id."""
    stmt = select(AuditEntry).where(AuditEntry.id > after_id)
    for column, value in (
        (AuditEntry.user_id, user_id),
        (AuditEntry.username, username),
        (AuditEntry.role, role),
        (AuditEntry.action, action),
        (AuditEntry.resource_type, resource_type),
        (AuditEntry.resource_id, resource_id),
        (AuditEntry.case_number, case_number),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    if purpose_contains is not None:
        stmt = stmt.where(AuditEntry.purpose.contains(purpose_contains, autoescape=True))
    if since is not None:
        stmt = stmt.where(AuditEntry.at >= since)
    if until is not None:
        stmt = stmt.where(AuditEntry.at < until)
    return list(session.scalars(stmt.order_by(AuditEntry.id).limit(limit)))


def _primary_key(obj: Any) -> str | None:
    identity = inspect(obj).identity
    if identity:
        return "/".join(str(part) for part in identity)
    mapper = inspect(obj).mapper
    values = [getattr(obj, col.key, None) for col in mapper.primary_key]
    return "/".join(str(v) for v in values) if all(v is not None for v in values) else None


def _changed_fields(obj: Any) -> list[str]:
    state = inspect(obj)
    return sorted(attr.key for attr in state.attrs if attr.history.has_changes())


def install_write_audit(session_factory: Any) -> None:
    """Log every insert, update and delete flushed through sessions of this factory."""
    if getattr(session_factory, "_yanyun_audited", False):
        return
    session_factory._yanyun_audited = True

    @event.listens_for(session_factory, "before_flush")
    def _before_flush(session: Session, _ctx: Any, _instances: Any) -> None:
        clock: Clock | None = session.info.get("clock")
        if clock is None or session.info.get("audit_writes") is False:
            return
        pending: list[tuple[str, Any]] = []
        pending += [("create", o) for o in session.new]
        pending += [("update", o) for o in session.dirty if session.is_modified(o)]
        pending += [("delete", o) for o in session.deleted]
        for action, obj in pending:
            if not getattr(obj, "__audited__", True):
                continue
            fields = _changed_fields(obj) if action == "update" else []
            session.info.setdefault("_audit_queue", []).append(
                (action, obj.__tablename__, obj, fields)
            )

    @event.listens_for(session_factory, "after_flush")
    def _after_flush(session: Session, _ctx: Any) -> None:
        queue = session.info.pop("_audit_queue", None)
        clock: Clock | None = session.info.get("clock")
        if not queue or clock is None:
            return
        rows = [
            {
                "at": clock.now(),
                "user_id": session.info.get("actor_id"),
                "username": session.info.get("actor_username"),
                "role": session.info.get("actor_role"),
                "action": action,
                "resource_type": table,
                "resource_id": _primary_key(obj),
                "detail": {"fields": fields} if fields else {},
            }
            for action, table, obj, fields in queue
        ]
        # Written in the same transaction as the change, through Core so the
        # flush that is finishing does not recurse into itself.
        session.execute(AuditEntry.__table__.insert(), rows)
