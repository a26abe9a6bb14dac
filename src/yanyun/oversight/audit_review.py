"""The audit viewer: search the log, sample personal-data reads, record each review.

The log itself stays in `core.audit` (append-only); supervision only reads
it and keeps its own samples and review outcomes, which the write hook in
turn audits. A sample is drawn with a seeded `random.Random`, and the seed
is stored, so anyone can redraw the same sample to check it was random.
"""

from __future__ import annotations

import random
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yanyun.auth.service import Actor
from yanyun.core import audit
from yanyun.core.audit import AuditEntry
from yanyun.core.clock import Clock
from yanyun.core.errors import Conflict, Invalid, NotFound
from yanyun.core.ids import new_id
from yanyun.oversight.models import AuditReview, AuditSample

PERSONAL_ACTION = "read_personal"


def search(
    *,
    session: Session,
    user_id: str | None = None,
    username: str | None = None,
    role: str | None = None,
    action: str | None = None,
    resource_type: str | None = None,
    resource_id: str | None = None,
    purpose: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    personal_only: bool = False,
    after_id: int = 0,
    limit: int = 100,
) -> list[AuditEntry]:
    """Entries matching every given filter, oldest first, paged by id (blank filters ignored)."""
    if personal_only and action and action != PERSONAL_ACTION:
        return []  # both filters hold for no entry
    return audit.query(
        session,
        user_id=user_id or None,
        username=username or None,
        role=role or None,
        action=PERSONAL_ACTION if personal_only else (action or None),
        resource_type=resource_type or None,
        resource_id=resource_id or None,
        purpose_contains=purpose or None,
        since=since,
        until=until,
        after_id=after_id,
        limit=limit,
    )


def draw_sample(
    *,
    session: Session,
    clock: Clock,
    actor: Actor,
    since: datetime,
    until: datetime,
    size: int,
    seed: int | None = None,
) -> AuditSample:
    """Draw personal-data reads of a period at random for review."""
    if until <= since:
        raise Invalid("until", "结束时间须晚于开始时间", "until must be after since")
    ids = list(session.scalars(
        select(AuditEntry.id).where(
            AuditEntry.action == PERSONAL_ACTION, AuditEntry.at >= since, AuditEntry.at < until
        ).order_by(AuditEntry.id)
    ))
    if seed is None:
        seed = int(clock.now().timestamp() * 1000)
    chosen = sorted(random.Random(seed).sample(ids, min(size, len(ids))))
    sample = AuditSample(
        id=new_id(clock), drawn_at=clock.now(), drawn_by=actor.user_id, since=since,
        until=until, seed=seed, population=len(ids), entry_ids=chosen,
    )
    session.add(sample)
    return sample


def get_sample(*, session: Session, sample_id: str) -> AuditSample:
    sample = session.get(AuditSample, sample_id)
    if sample is None:
        raise NotFound("audit_sample", sample_id)
    return sample


def entries_of(*, session: Session, sample: AuditSample) -> list[AuditEntry]:
    if not sample.entry_ids:
        return []
    return list(session.scalars(
        select(AuditEntry).where(AuditEntry.id.in_(sample.entry_ids)).order_by(AuditEntry.id)
    ))


def reviews_of(*, session: Session, sample_id: str) -> list[AuditReview]:
    return list(session.scalars(
        select(AuditReview).where(AuditReview.sample_id == sample_id).order_by(AuditReview.entry_id)
    ))


def record_review(
    *,
    session: Session,
    clock: Clock,
    actor: Actor,
    sample_id: str,
    entry_id: int,
    outcome: str,
    note: str | None,
) -> AuditReview:
    """Record the outcome of reviewing one sampled entry, once; it is audited as well."""
    sample = get_sample(session=session, sample_id=sample_id)
    if entry_id not in sample.entry_ids:
        raise Invalid("entry_id", f"审计记录{entry_id}不在本次抽查样本中",
                      f"audit entry {entry_id} is not in this sample")
    entry = session.get(AuditEntry, entry_id)
    if entry is not None and entry.user_id == actor.user_id:
        raise Invalid("entry_id", "不能审查本人的查询记录", "you cannot review your own reads")
    if outcome != "justified" and not note:
        raise Invalid("note", "认定为存疑或违规须写明理由",
                      "a note is required when a read is questionable or a violation")
    review = AuditReview(
        id=new_id(clock), sample_id=sample.id, entry_id=entry_id, reviewed_at=clock.now(),
        reviewer_id=actor.user_id, outcome=outcome, note=note,
    )
    try:
        with session.begin_nested():
            session.add(review)
    except IntegrityError as exc:
        raise Conflict(f"审计记录{entry_id}已审查", f"audit entry {entry_id} already reviewed") \
            from exc
    audit.record(
        session, clock=clock, action="audit_review", resource_type="audit_entry",
        resource_id=str(entry_id), detail={"sample_id": sample.id, "outcome": outcome},
    )
    return review


def count_personal_reads(*, session: Session, since: datetime, until: datetime) -> int:
    return session.scalar(
        select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == PERSONAL_ACTION, AuditEntry.at >= since, AuditEntry.at < until
        )
    ) or 0
