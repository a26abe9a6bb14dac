"""Benchmark one shift change of the demo city: duty's announcements and command's crewing.

The demo city (202 stations, its fleet, 9,201 officers) is built on a scratch
database with the clock at 07:00 on a Monday, so the night team crews the
fleet. The clock then moves past 08:00, 20:00, 08:00 ... and a shift change
runs as the server runs it: the job `duty.shift_changes` in one transaction,
then command's durable consumer `command.crewing` drained by the outbox
runner. Printed per change: outbox events by kind and their payload size
(what command's consumer and every city-wide live page read), units
re-crewed, and wall-clock seconds of each step.

Run: python benchmarks/bench_shift_change.py [--database-url postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from yanyun.command.fleet import build_fleet
from yanyun.command.handlers import SUBSCRIPTIONS as COMMAND_HANDLERS
from yanyun.command.models import Unit
from yanyun.core.bus import drain
from yanyun.core.clock import SHANGHAI, FrozenClock
from yanyun.core.db import build_runtime, session_scope
from yanyun.core.events import OutboxEvent, latest_event_id
from yanyun.core.migrate import upgrade
from yanyun.duty import service as duty_service
from yanyun.geo import service as geo_service
from yanyun.registry import load_settings
from yanyun.sim.staffing import staff_city

START = datetime(2026, 11, 23, 7, 0, tzinfo=SHANGHAI)  # a Monday, night team on duty


def build(url: str, clock: FrozenClock):
    settings = load_settings().model_copy(update={"database_url": url})
    upgrade(url)
    runtime = build_runtime(settings, clock=clock)
    started = time.perf_counter()
    with session_scope(runtime, actor_username="system") as session:
        geo_service.build_city(session=session, clock=clock, city=settings.city)
    with session_scope(runtime, actor_username="system") as session:
        build_fleet(session=session, clock=clock, seed=settings.city.seed)
    with session_scope(runtime, actor_username="system") as session:
        staff_city(session=session, clock=clock, seed=settings.city.seed)
    drain(runtime, COMMAND_HANDLERS, "command.crewing")
    print(f"city built in {time.perf_counter() - started:.1f} s")
    return runtime


def shift_change(runtime, clock: FrozenClock, at: datetime) -> dict[str, object]:
    clock.set(at)
    with session_scope(runtime) as session:
        before = latest_event_id(session)
    started = time.perf_counter()
    with session_scope(runtime, actor_username="system") as session:
        crewed, uncrewed = duty_service.apply_shift_changes(session, clock)
    duty_s = time.perf_counter() - started
    started = time.perf_counter()
    applied = drain(runtime, COMMAND_HANDLERS, "command.crewing")  # station announcements
    command_s = time.perf_counter() - started
    with session_scope(runtime) as session:
        kinds = Counter(
            dict(
                session.execute(
                    select(OutboxEvent.kind, func.count())
                    .where(OutboxEvent.id > before)
                    .group_by(OutboxEvent.kind)
                ).all()
            )
        )
        payload_kb = sum(
            len(json.dumps(p)) for p in session.scalars(
                select(OutboxEvent.payload).where(OutboxEvent.id > before)
            )
        ) / 1024
        available = session.scalar(
            select(func.count()).select_from(Unit).where(Unit.status == "available")
        )
    return {
        "at": at.strftime("%H:%M"),
        "crewed": crewed,
        "uncrewed": uncrewed,
        "applied": applied,
        "events": sum(kinds.values()),
        "kinds": dict(sorted(kinds.items())),
        "payload_kb": payload_kb,
        "duty_s": duty_s,
        "command_s": command_s,
        "available": available,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="An empty database; default a scratch SQLite")
    parser.add_argument("--changes", type=int, default=6, help="Shift changes to time")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="yanyun-shift-"))
    url = args.database_url or f"sqlite:///{folder}/city.db"
    clock = FrozenClock(START)
    try:
        runtime = build(url, clock)
        rows = [
            shift_change(runtime, clock, START + timedelta(hours=1 + 12 * i, seconds=30))
            for i in range(args.changes)
        ]
        print("| shift change | units crewed / uncrewed | outbox events | payload KB "
              "| events by kind | duty s | command s | total s | units available after |")
        print("|---|---|---|---|---|---|---|---|---|")
        for r in rows:
            kinds = ", ".join(f"{k} {v}" for k, v in r["kinds"].items())
            print(
                f"| {r['at']} | {r['crewed']} / {r['uncrewed']} | {r['events']} "
                f"| {r['payload_kb']:.0f} | {kinds} "
                f"| {r['duty_s']:.2f} | {r['command_s']:.2f} "
                f"| {r['duty_s'] + r['command_s']:.2f} | {r['available']} |"
            )
        med = {k: statistics.median(r[k] for r in rows) for k in ("events", "duty_s", "command_s")}
        total = statistics.median(r["duty_s"] + r["command_s"] for r in rows)
        print(
            f"median of {len(rows)} changes: {med['events']:.0f} events, duty "
            f"{med['duty_s']:.3f} s, command {med['command_s']:.3f} s, total {total:.3f} s"
        )
        runtime.engine.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
