"""A server process's scheduler, alone: run the jobs below for a while, then stop.

Started twice by tests/core/test_jobs.py to show that two processes on one
database never run a job at the same time nor more often than its interval.
Each says "ready" once it can reach the database and waits for a line on stdin,
so the two run side by side however slowly a loaded machine starts them.
"""

from __future__ import annotations

import asyncio
import sys
import time

from yanyun.core.clock import SystemClock
from yanyun.core.db import build_runtime
from yanyun.core.jobs import Job, Scheduler
from yanyun.registry import load_settings


def _slow(_runtime: object) -> str:
    time.sleep(0.3)  # long enough that an overlap would show in the run records
    return "slow"


def _quick(_runtime: object) -> str:
    return "quick"


JOBS = [Job("test.slow", _slow, every_s=1.0), Job("test.quick", _quick, every_s=0.5)]


def _ran_here(runtime: object, scheduler: Scheduler) -> bool:
    from sqlalchemy import func, select

    from yanyun.core.jobs import JobRun

    with runtime.session_factory() as session:  # type: ignore[attr-defined]
        return bool(session.scalar(
            select(func.count()).select_from(JobRun).where(JobRun.holder == scheduler.holder)))


async def main(url: str, seconds: float, take_part: bool) -> None:
    # Wall time in both (a clock shifted from each process's own start would not agree).
    runtime = build_runtime(load_settings(env="test", database_url=url,
                                          secret_key="test-secret-not-placeholder"),
                            clock=SystemClock())
    scheduler = Scheduler(runtime, JOBS, tick_s=0.05)
    scheduler.ensure_leases()
    print("ready", flush=True)
    sys.stdin.readline()
    task = asyncio.create_task(scheduler.serve())
    await asyncio.sleep(seconds)
    # Told to take part: carry on (up to 30 s more) until one of the runs was this process's
    # own; a machine loaded enough can starve a process for the whole of its window.
    deadline = time.monotonic() + (30.0 if take_part else 0.0)
    while take_part and time.monotonic() < deadline and not _ran_here(runtime, scheduler):
        await asyncio.sleep(0.2)
    scheduler.stop()
    await task
    runtime.engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], float(sys.argv[2]), sys.argv[3:] == ["take-part"]))
