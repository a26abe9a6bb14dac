"""Benchmark supervision over a simulated day of the demo city: tasks from events, 日清零.

The synthetic Hengyang day of `yanyun sim` (24 h of calls from Monday 00:00,
recommend policy) runs through the platform on a scratch SQLite city with
the demo risk register. Every 10 simulated minutes, as the web process
does, the 1-3-5 scan and the supervision jobs run on the simulator's
FrozenClock: recurring duties, the risk scan, the event consumer, the
clearing at the end of the working day, notification delivery (live
channel). The run goes on until Tuesday's clearing, so every task created
on Monday, however late, reaches its first end of day.

Officers are modelled, not measured: each task is finished after an
exponentially distributed delay (mean --work-mean-h, seeded). The same day
is run under two end-of-day settings side by side: the default 18:00 and a
later 20:00 (a unit's override, here for every unit).

Run: python benchmarks/bench_oversight_day.py --seed 1 --calls-per-hour 40
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select

from yanyun.auth.permissions import permissions_of
from yanyun.auth.service import Actor
from yanyun.command.fleet import build_fleet
from yanyun.core.clock import SHANGHAI, FrozenClock, as_utc
from yanyun.core.db import build_runtime, session_scope
from yanyun.core.events import OutboxEvent
from yanyun.core.migrate import upgrade
from yanyun.geo import service as geo_service
from yanyun.oversight import jobs, risks, service
from yanyun.oversight.models import ClearingEntry, Notification, SupervisedTask
from yanyun.registry import load_settings
from yanyun.sim.calls import CallGenerator
from yanyun.sim.engine import CitySim
from yanyun.sim.platform import PlatformPort

START = datetime(2026, 11, 23, 0, 0, tzinfo=SHANGHAI)  # a Monday
EVENT_SOURCES = ("incident_breach", "risk_check_due", "inspection_finding", "hazard",
                 "opinion_event", "requested")
WORKER = Actor(user_id="sim-officer", username="sim-officer", roles=("station_chief",),
               org_code="", org_path="", permissions=permissions_of(["station_chief"]))


def _runtime(settings: Any, path: Path, clock: FrozenClock) -> Any:
    runtime = build_runtime(settings.model_copy(update={"database_url": f"sqlite:///{path}"}),
                            clock=clock)

    @event.listens_for(runtime.engine, "connect")
    def _no_fsync(dbapi_conn: Any, _record: Any) -> None:
        # A scratch file thrown away after the run: durability buys nothing here.
        dbapi_conn.execute("PRAGMA synchronous=OFF")

    return runtime


def build_city(settings: Any, path: Path, seed: int) -> None:
    upgrade(f"sqlite:///{path}")
    runtime = _runtime(settings, path, FrozenClock(START - timedelta(days=1)))
    with session_scope(runtime, actor_username="system") as session:
        geo_service.build_city(session=session, clock=runtime.clock, city=settings.city)
    with session_scope(runtime, actor_username="system") as session:
        build_fleet(session=session, clock=runtime.clock, seed=settings.city.seed)
    with session_scope(runtime, actor_username="system") as session:
        risks.build_demo_risks(session=session, clock=runtime.clock, seed=seed)
    runtime.engine.dispose()


def run_day(settings: Any, city: Path, path: Path, *, seed: int, calls_per_hour: float,
            work_mean_h: float, tick_s: float) -> dict[str, Any]:
    shutil.copyfile(city, path)
    clock = FrozenClock(START)
    runtime = _runtime(settings, path, clock)
    oversight = settings.oversight
    port = PlatformPort(runtime)
    calls = CallGenerator(port.grid_areas(), port.catalogue, rng=random.Random(seed),
                          calls_per_hour=calls_per_hour, start=START,
                          feasible={u.capabilities for u in port.fleet()})
    # Until Tuesday 18:00 plus a tick, so Monday's late tasks meet their first clearing.
    end_s = (timedelta(days=1, hours=18) + timedelta(seconds=2 * tick_s)).total_seconds()
    sim = CitySim(port, calls, policy="recommend", clock=clock, start=START,
                  horizon_s=24 * 3600.0, settle_s=end_s - 24 * 3600.0,
                  estimator=port.estimator)
    work = random.Random(seed + 1)
    finish_at: dict[str, datetime] = {}
    job_s = 0.0

    def supervise(env: Any) -> Any:
        nonlocal job_s
        while True:
            yield env.timeout(tick_s)
            clock.set(START + timedelta(seconds=env.now))
            began = time.perf_counter()
            with session_scope(runtime, actor_username="system") as session:
                breaches.scan_breaches(session=session, clock=clock)
            jobs.run_all(lambda: session_scope(runtime, actor_username="system"), clock,
                         oversight)
            with session_scope(runtime, actor_username="sim-officer") as session:
                now = clock.now()
                # A fixed order, so the seeded work times replay exactly (ids are ULIDs).
                for task in session.scalars(select(SupervisedTask).where(
                        SupervisedTask.status.in_(("open", "in_progress"))).order_by(
                        SupervisedTask.created_at, SupervisedTask.source,
                        SupervisedTask.source_ref)):
                    due = finish_at.setdefault(task.id, now + timedelta(
                        hours=work.expovariate(1 / work_mean_h)))
                    if due <= now:
                        service.act(session=session, clock=clock, settings=oversight,
                                    actor=WORKER, task_id=task.id, action="done")
            job_s += time.perf_counter() - began

    sim.env.process(supervise(sim.env))
    wall = time.perf_counter()
    report = sim.run()
    wall = time.perf_counter() - wall
    day_end = as_utc(START + timedelta(days=1))
    with session_scope(runtime) as session:
        created = session.execute(
            select(SupervisedTask.source, func.count()).where(SupervisedTask.created_at < day_end)
            .group_by(SupervisedTask.source)).all()
        by_source = dict(created)
        from_events = [t for t in session.scalars(select(SupervisedTask).where(
            SupervisedTask.created_at < day_end,
            SupervisedTask.source.in_(EVENT_SOURCES)))]
        ids = [t.id for t in from_events]
        first = Counter()
        for task_id in ids:
            line = session.scalars(select(ClearingEntry).where(ClearingEntry.task_id == task_id)
                                   .order_by(ClearingEntry.day, ClearingEntry.deadline_at)).first()
            first[line.outcome] += 1
        escalated_tasks = sum(1 for t in from_events if t.escalation_level > 0)
        breaches = session.scalar(select(func.count()).select_from(OutboxEvent).where(
            OutboxEvent.kind == "incident.breach", OutboxEvent.at < day_end))
        notices = session.scalar(select(func.count()).select_from(Notification))
        sent = session.scalar(select(func.count()).select_from(Notification).where(
            Notification.status == "sent"))
    runtime.engine.dispose()
    return {
        "calls": report.calls, "breach_events": breaches, "by_source": by_source,
        "from_events": len(ids), "first_clearing": dict(first),
        "escalated_tasks": escalated_tasks, "notifications": notices, "sent": sent,
        "wall_s": wall, "job_s": job_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--calls-per-hour", type=float, default=40.0)
    parser.add_argument("--work-mean-h", type=float, default=4.0)
    parser.add_argument("--tick-s", type=float, default=600.0)
    args = parser.parse_args()
    base = load_settings(database_url="sqlite:///unused.db")
    with tempfile.TemporaryDirectory(prefix="yanyun-oversight-") as folder:
        city = Path(folder) / "city.db"
        t0 = time.perf_counter()
        build_city(base, city, args.seed)
        print(f"scratch city with demo risk register built in {time.perf_counter() - t0:.1f} s")
        variants = {
            "day end 18:00": base,
            "day end 20:00": base.model_copy(update={"oversight": base.oversight.model_copy(
                update={"day_end": "20:00"})}),
        }
        results = {}
        for name, settings in variants.items():
            results[name] = run_day(settings, city, Path(folder) / f"{name[-5:-3]}.db",
                                    seed=args.seed, calls_per_hour=args.calls_per_hour,
                                    work_mean_h=args.work_mean_h, tick_s=args.tick_s)
    names = list(results)
    rows = [
        ("calls taken (Mon 00:00-24:00)", lambda r: r["calls"]),
        ("incident.breach events (Mon)", lambda r: r["breach_events"]),
        ("tasks created from events (Mon)", lambda r: r["from_events"]),
        ("  of which 1-3-5 breach", lambda r: r["by_source"].get("incident_breach", 0)),
        ("  of which risk check due", lambda r: r["by_source"].get("risk_check_due", 0)),
        ("recurring duty tasks (Mon)", lambda r: r["by_source"].get("recurring", 0)),
        ("cleared on their day", lambda r: r["first_clearing"].get("cleared", 0)),
        ("done late (after the end of day)", lambda r: r["first_clearing"].get("late", 0)),
        ("escalated at their first clearing", lambda r: r["first_clearing"].get("escalated", 0)),
        ("still pending at the end", lambda r: r["first_clearing"].get("pending", 0)),
        ("notifications (live) queued / sent", lambda r: f"{r['notifications']} / {r['sent']}"),
        ("run time (s)", lambda r: f"{r['wall_s']:.1f}"),
        ("  of which supervision jobs (s)", lambda r: f"{r['job_s']:.1f}"),
    ]
    print(f"seed {args.seed}, {args.calls_per_hour:g} calls/h, officers finish a task after "
          f"Exp(mean {args.work_mean_h:g} h), jobs every {args.tick_s:g} s of simulated time")
    print(f"{'':40}" + "".join(f"{n:>18}" for n in names))
    for label, value in rows:
        print(f"{label:40}" + "".join(f"{value(results[n])!s:>18}" for n in names))


if __name__ == "__main__":
    main()
