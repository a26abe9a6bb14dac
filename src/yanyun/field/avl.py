"""The phones' positions taken at the rate a city's phones send them.

A thousand crews on duty send a fix every 10 s. Each fix as its own request
transaction (authentication, the sign-on, the unit, an event, a commit) costs
one process about 10 ms, so one process on two cores took 57-72 fixes a
second of the 100 offered. A fix is telemetry, not a record: the latest one
wins and the next replaces it ten seconds later. So the phone's fix is kept
in memory, latest per unit, and written with every other fix received in the
same second in one transaction (one ``units.moved`` event per station, one
audit row for the batch naming how many phones sent it) by
one writer thread per process, outside any request (a request's session holds
SQLite's one writer from its first statement, so a request cannot wait for
the batch). A crash loses at most the last second's fixes, which the phones'
next fixes replace; the answer says so (202, ``queued``), unlike an action's,
which is kept before it is answered. With ``POSITION_WRITE_EVERY_S=0`` each fix
is written in its own request, as before.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from yanyun.auth.service import Actor
from yanyun.command import units
from yanyun.command.schemas import PositionIn
from yanyun.core.clock import Clock
from yanyun.core.db import Provider, Runtime, session_scope
from yanyun.core.errors import Invalid
from yanyun.field.models import FieldShift

log = logging.getLogger(__name__)

#: How long a phone's sign-on is remembered without asking the database (s).
SHIFT_TTL_S = 30.0


@dataclass
class FixBuffer:
    """The latest fix per unit since the last write, and who sent it."""

    flush_every_s: float = 1.0
    fixes: dict[str, PositionIn] = field(default_factory=dict)
    senders: set[str] = field(default_factory=set)
    shifts: dict[str, tuple[str, float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    writing: threading.Lock = field(default_factory=threading.Lock)
    last_write: float = field(default_factory=time.monotonic)
    written: int = 0
    refused: int = 0
    thread: threading.Thread | None = None

    def unit_of(self, session: Session, actor: Actor) -> str:
        """The unit the actor's phone is signed on to (remembered for a few seconds)."""
        now = time.monotonic()
        known = self.shifts.get(actor.user_id)
        if known is not None and known[1] > now:
            return known[0]
        unit_id = session.scalar(
            select(FieldShift.unit_id).where(FieldShift.user_id == actor.user_id,
                                             FieldShift.ended_at.is_(None))
            .order_by(FieldShift.started_at.desc()).limit(1)
        )
        if unit_id is None:
            self.shifts.pop(actor.user_id, None)
            raise Invalid("unit", "未上岗：请先选择本班警力单元", "not signed on to a unit")
        self.shifts[actor.user_id] = (unit_id, now + SHIFT_TTL_S)
        return unit_id

    def offer(self, fix: PositionIn, user_id: str) -> None:
        """Keep the fix if it is the unit's latest."""
        with self.lock:
            kept = self.fixes.get(fix.unit_id)
            if kept is None or kept.at < fix.at:
                self.fixes[fix.unit_id] = fix
            self.senders.add(user_id)

    def start(self, runtime: Runtime, clock: Clock) -> None:
        """The writer thread, started with the first fix (a daemon: it ends with the process)."""
        with self.lock:
            if self.thread is not None:
                return
            self.thread = threading.Thread(target=self._run, args=(runtime, clock),
                                           name="field-avl-writer", daemon=True)
        self.thread.start()

    def _run(self, runtime: Runtime, clock: Clock) -> None:
        while True:
            time.sleep(self.flush_every_s)
            try:
                self.write(runtime, clock)
            except Exception:  # a lost batch is replaced by the next fixes; keep writing
                log.exception("field AVL: a batch of fixes could not be written")

    def write(self, runtime: Runtime, clock: Clock) -> int:
        """Write every kept fix in one transaction (one writer at a time; others go on)."""
        if not self.writing.acquire(blocking=False):
            return 0
        try:
            with self.lock:
                fixes, senders = list(self.fixes.values()), list(self.senders)
                self.fixes, self.senders = {}, set()
                self.last_write = time.monotonic()
            if not fixes:
                return 0
            with session_scope(runtime, actor_username="field-avl") as session:
                result = units.record_positions(session=session, clock=clock,
                                                settings=runtime.settings.command,
                                                positions=fixes, actor=None,
                                                senders=len(senders))
                # A phone that sends fixes has its app open: its heartbeat too.
                session.execute(update(FieldShift)
                                .where(FieldShift.user_id.in_(senders),
                                       FieldShift.ended_at.is_(None))
                                .values(last_seen_at=clock.now()))
            self.written += len(fixes) - len(result.rejected)
            self.refused += len(result.rejected)
            if result.rejected:
                log.info("field AVL: %d of %d fixes refused (%s)", len(result.rejected),
                         len(fixes), result.rejected[0].reason_en)
            return len(fixes)
        finally:
            self.writing.release()


#: The process's buffer of fixes, made on first use.
FIX_BUFFER: Provider[FixBuffer] = Provider(
    "field.fix_buffer",
    lambda runtime: FixBuffer(flush_every_s=runtime.settings.field.position_write_every_s),
)


def take_fix(
    *, session: Session, runtime: Runtime, clock: Clock, actor: Actor, lng: float, lat: float,
    at: datetime,
) -> str:
    """Keep the phone's fix for its unit (written within a second); returns the unit."""
    buffer = runtime.provide(FIX_BUFFER)
    unit_id = buffer.unit_of(session, actor)
    fix = PositionIn(unit_id=unit_id, lng=lng, lat=lat, at=at)
    if buffer.flush_every_s <= 0:
        units.record_positions(session=session, clock=clock, settings=runtime.settings.command,
                               positions=[fix], actor=None)
        session.execute(update(FieldShift).where(FieldShift.user_id == actor.user_id,
                                                 FieldShift.ended_at.is_(None))
                        .values(last_seen_at=clock.now()))
        return unit_id
    buffer.offer(fix, actor.user_id)
    buffer.start(runtime, clock)
    return unit_id
