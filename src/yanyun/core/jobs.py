"""Periodic jobs, declared beside their context and run by one scheduler per process.

A context lists its jobs in its manifest: a name, how often (seconds, read
from the settings) and a function of the runtime. Every server process runs
a :class:`Scheduler`; the `job_lease` row of a job decides which process runs
it and when, so with several processes on PostgreSQL (or SQLite) exactly one
runs a job at a time and the interval holds across all of them: a process
takes a job only when its lease is free and its last start is at least one
interval ago, in one conditional UPDATE that only one process can win.
Each run leaves a `job_run` row (kept two days) so an operator sees what ran,
where, for how long and what failed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import socket
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Boolean, Integer, String, Text, delete, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column

from yanyun.core.clock import as_utc
from yanyun.core.db import Runtime, insert_ignoring_conflicts, session_scope
from yanyun.core.ids import new_id
from yanyun.core.tables import Base

log = logging.getLogger("yanyun.jobs")

#: How long a run's record is kept.
HISTORY_KEPT = timedelta(days=2)


class JobLease(Base):
    """Which process runs a job now, and when it last started and finished."""

    __tablename__ = "job_lease"
    __audited__ = False

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(128))
    lease_until: Mapped[datetime | None]
    last_started_at: Mapped[datetime | None]
    last_finished_at: Mapped[datetime | None]
    last_ok: Mapped[bool | None] = mapped_column(Boolean)
    last_error: Mapped[str | None] = mapped_column(Text)
    runs: Mapped[int] = mapped_column(Integer, default=0)


class JobRun(Base):
    """One run of a job: where, when, how it ended."""

    __tablename__ = "job_run"
    __audited__ = False

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    holder: Mapped[str] = mapped_column(String(128))
    started_at: Mapped[datetime] = mapped_column(index=True)
    finished_at: Mapped[datetime]
    ok: Mapped[bool] = mapped_column(Boolean)
    result: Mapped[str] = mapped_column(String(255), default="")
    error: Mapped[str | None] = mapped_column(Text)


@dataclass(frozen=True)
class Job:
    """A periodic job: its name, its function, and its interval from the settings.

    ``every_s`` is seconds or a function of the settings (so a deployment
    tunes it); ``lease_s`` bounds how long a run may hold the job before
    another process may take it over (a crashed holder); ``at_start`` runs it
    as soon as the server starts (work that fell due while it was down).
    """

    name: str
    run: Callable[[Runtime], object]
    every_s: float | Callable[[Any], float]
    lease_s: float = 600.0
    at_start: bool = True
    description: str = ""

    def interval_s(self, settings: Any) -> float:
        return float(self.every_s(settings) if callable(self.every_s) else self.every_s)


def process_holder() -> str:
    """A name for this process in lease rows: host, pid and a random tag."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass
class Scheduler:
    """Runs the due jobs of a registry in this process, taking each job's lease first."""

    runtime: Runtime
    jobs: Sequence[Job]
    holder: str = field(default_factory=process_holder)
    tick_s: float = 0.5
    _stop: threading.Event = field(init=False, default_factory=threading.Event)
    _started_at: float = field(init=False, default_factory=time.monotonic)

    def __post_init__(self) -> None:
        names = [j.name for j in self.jobs]
        duplicated = {n for n in names if names.count(n) > 1}
        if duplicated:
            raise ValueError(f"two jobs share a name: {sorted(duplicated)}")

    def ensure_leases(self) -> None:
        """Create each job's lease row once (processes may race: the first row stays)."""
        with session_scope(self.runtime, actor_username="system") as session:
            insert_ignoring_conflicts(
                session, JobLease, [{"name": j.name, "runs": 0} for j in self.jobs], key="name"
            )

    def acquire(self, job: Job) -> datetime | None:
        """Take the job if it is free and due across all processes; the start time if taken."""
        now = as_utc(self.runtime.clock.now())
        interval = timedelta(seconds=self.job_interval(job))
        with session_scope(self.runtime, actor_username="system") as session:
            taken = session.execute(
                update(JobLease)
                .where(
                    JobLease.name == job.name,
                    or_(JobLease.lease_until.is_(None), JobLease.lease_until < now),
                    or_(
                        JobLease.last_started_at.is_(None),
                        JobLease.last_started_at <= now - interval,
                    ),
                )
                .values(
                    holder=self.holder,
                    lease_until=now + timedelta(seconds=job.lease_s),
                    last_started_at=now,
                )
                .execution_options(synchronize_session=False)
            )
        return now if taken.rowcount == 1 else None

    def job_interval(self, job: Job) -> float:
        return job.interval_s(self.runtime.settings)

    def run_job(self, job: Job, started_at: datetime) -> bool:
        """Run a job whose lease this process holds; record the run; release the lease."""
        ok, result, error = True, "", None
        try:
            outcome = job.run(self.runtime)
            result = "" if outcome is None else str(outcome)[:255]
        except Exception as exc:
            ok, error = False, repr(exc)[:4000]
            log.exception("job %s failed; it runs again at its next interval", job.name)
        finished = as_utc(self.runtime.clock.now())
        with session_scope(self.runtime, actor_username="system") as session:
            session.execute(
                update(JobLease)
                .where(JobLease.name == job.name, JobLease.holder == self.holder)
                .values(
                    lease_until=None,
                    last_finished_at=finished,
                    last_ok=ok,
                    last_error=error,
                    runs=JobLease.runs + 1,
                )
                .execution_options(synchronize_session=False)
            )
            session.add(JobRun(
                id=new_id(self.runtime.clock), name=job.name, holder=self.holder,
                started_at=started_at, finished_at=finished, ok=ok, result=result, error=error,
            ))
        return ok

    def run_due(self) -> list[str]:
        """Run, one after another, every job this process could take now; their names."""
        ran = []
        for job in self.jobs:
            if self._stop.is_set():
                break
            if not job.at_start and time.monotonic() - self._started_at < self.job_interval(job):
                continue
            started = self.acquire(job)
            if started is not None:
                self.run_job(job, started)
                ran.append(job.name)
        return ran

    def prune(self) -> int:
        """Forget runs older than two days."""
        cutoff = as_utc(self.runtime.clock.now()) - HISTORY_KEPT
        with session_scope(self.runtime, actor_username="system") as session:
            return session.execute(delete(JobRun).where(JobRun.started_at < cutoff)).rowcount

    def stop(self) -> None:
        self._stop.set()

    async def serve(self) -> None:
        """Run for the server's lifetime: each job in its own task (a slow one delays none)."""
        from starlette.concurrency import run_in_threadpool

        await run_in_threadpool(self.ensure_leases)
        running: dict[str, asyncio.Task[Any]] = {}
        jitter = random.Random()
        next_try = {
            job.name: 0.0 if job.at_start else time.monotonic() + self.job_interval(job)
            for job in self.jobs
        }
        last_prune = time.monotonic()
        try:
            while not self._stop.is_set():
                for job in self.jobs:
                    task = running.get(job.name)
                    if task is not None and not task.done():
                        continue
                    if time.monotonic() < next_try[job.name]:
                        continue
                    wait_s = min(self.job_interval(job), 30.0)
                    # Jittered retries: no process wins every race for a job by
                    # always asking first; the lease, not the timing, is the rule.
                    next_try[job.name] = time.monotonic() + wait_s * jitter.uniform(0.1, 1.0)
                    try:
                        started = await run_in_threadpool(self.acquire, job)
                    except Exception:
                        log.exception("could not take job %s; retrying", job.name)
                        continue
                    if started is not None:
                        next_try[job.name] = time.monotonic() + wait_s * jitter.uniform(1.0, 1.2)
                        running[job.name] = asyncio.create_task(
                            run_in_threadpool(self.run_job, job, started), name=f"job:{job.name}"
                        )
                if time.monotonic() - last_prune > 3600:
                    with contextlib.suppress(Exception):
                        await run_in_threadpool(self.prune)
                    last_prune = time.monotonic()
                await asyncio.sleep(self.tick_s)
        finally:
            for task in running.values():
                task.cancel()
            for task in running.values():
                with contextlib.suppress(BaseException):
                    await task


def lease_rows(runtime: Runtime) -> list[JobLease]:
    """Every job's lease row, for the operators' view."""
    with runtime.session_factory() as session:
        return list(session.scalars(select(JobLease).order_by(JobLease.name)))
