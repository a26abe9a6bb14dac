"""Jobs under one scheduler: a job's lease lets one process run it, once per interval."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import drop_database, fresh_database_url
from yanyun.core.db import build_engine
from yanyun.core.jobs import Job, JobLease, JobRun, Scheduler
from yanyun.core.migrate import upgrade

REPO_ROOT = Path(__file__).resolve().parents[2]


def _scheduler(runtime, *jobs, holder="a"):
    scheduler = Scheduler(runtime, list(jobs), holder=holder)
    scheduler.ensure_leases()
    return scheduler


def test_a_job_runs_once_per_interval_across_schedulers(runtime, clock):
    ran: list[str] = []
    job = Job("test.count", lambda rt: ran.append("x"), every_s=10.0)
    first, second = _scheduler(runtime, job, holder="a"), _scheduler(runtime, job, holder="b")
    assert first.run_due() == ["test.count"]
    # Another process a second later: not due yet, whoever asks.
    clock.advance(1)
    assert second.run_due() == [] and first.run_due() == []
    clock.advance(9)
    assert second.run_due() == ["test.count"]
    assert first.run_due() == []
    assert ran == ["x", "x"]
    with runtime.session_factory() as session:
        holders = [r.holder for r in session.scalars(
            select(JobRun).where(JobRun.name == "test.count").order_by(JobRun.started_at))]
        lease = session.get(JobLease, "test.count")
    assert holders == ["a", "b"]
    assert lease.runs == 2 and lease.lease_until is None and lease.last_ok


def test_a_held_lease_keeps_others_out_until_it_expires(runtime, clock):
    job = Job("test.held", lambda rt: None, every_s=1.0, lease_s=60)
    first, second = _scheduler(runtime, job, holder="a"), _scheduler(runtime, job, holder="b")
    started = first.acquire(job)  # taken, and the holder dies before finishing
    assert started is not None
    clock.advance(30)
    assert second.acquire(job) is None
    clock.advance(31)  # the lease ran out: a crashed holder does not block the job for ever
    assert second.acquire(job) is not None


def test_a_failing_job_is_recorded_and_runs_again(runtime, clock):
    def boom(rt):
        raise RuntimeError("disk full")

    job = Job("test.boom", boom, every_s=5.0)
    scheduler = _scheduler(runtime, job)
    assert scheduler.run_due() == ["test.boom"]
    with runtime.session_factory() as session:
        lease = session.get(JobLease, "test.boom")
        assert lease.last_ok is False and "disk full" in lease.last_error
        assert lease.lease_until is None
    clock.advance(5)
    assert scheduler.run_due() == ["test.boom"]


def test_old_run_records_are_pruned(runtime, clock):
    job = Job("test.prune", lambda rt: None, every_s=1.0)
    scheduler = _scheduler(runtime, job)
    scheduler.run_due()
    clock.advance(timedelta(days=3))
    assert scheduler.prune() >= 1
    with runtime.session_factory() as session:
        assert not session.scalars(select(JobRun).where(JobRun.name == "test.prune")).all()


def test_two_names_alike_are_refused(runtime):
    job = Job("test.twice", lambda rt: None, every_s=1.0)
    with pytest.raises(ValueError, match="share"):
        Scheduler(runtime, [job, job])


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_two_server_processes_never_double_a_job(backend, tmp_path, worker_id):
    url = fresh_database_url(backend, f"jobs_{worker_id}", tmp_path)
    upgrade(url)
    seconds = 6.0
    try:
        # The first stops halfway: side by side for three seconds (never both at once),
        # then the second must take over the jobs the first leaves. Each goes on (up to
        # 30 s) until it has run a job itself: on a loaded machine one can take every
        # lease of its window, and the test is about doubling, not about fairness.
        workers = [
            subprocess.Popen([sys.executable, "-m", "tests.core.job_worker", url, str(run_s),
                              *extra],
                             cwd=REPO_ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT)
            for run_s, extra in ((seconds / 2, ["take-part"]), (seconds, ["take-part"]))
        ]
        # Both started (imports on a loaded machine can take seconds), then both let go.
        for worker in workers:
            assert worker.stdout is not None and worker.stdin is not None
            first = worker.stdout.readline()
            assert first.strip() == b"ready", first + worker.stdout.read()[-3000:]
        for worker in workers:
            worker.stdin.write(b"go\n")
            worker.stdin.close()
        for worker in workers:
            worker.wait(timeout=90)
            out = worker.stdout.read()
            assert worker.returncode == 0, out.decode(errors="replace")[-3000:]
        engine = build_engine(url)
        with engine.connect() as conn:
            runs = conn.execute(
                select(JobRun.name, JobRun.holder, JobRun.started_at, JobRun.finished_at)
                .order_by(JobRun.name, JobRun.started_at)
            ).all()
        engine.dispose()
    finally:
        drop_database(url)
    for name, interval in (("test.slow", 1.0), ("test.quick", 0.5)):
        mine = [r for r in runs if r.name == name]
        # Never two at once: each run ends before the next begins.
        for before, after in pairwise(mine):
            assert before.finished_at <= after.started_at, (name, before, after)
            assert (after.started_at - before.started_at).total_seconds() >= interval - 0.01
        # Not twice as often as the interval allows (one process would do the same), over
        # the time the two ran (the second may have run on to take its part).
        span = (mine[-1].started_at - mine[0].started_at).total_seconds() if mine else 0.0
        assert 2 <= len(mine) <= span / interval + 2, (name, len(mine), span)
    assert len({r.holder for r in runs}) == 2, "both processes took part"
