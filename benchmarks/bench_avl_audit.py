"""Audit rows per day from a city's AVL: per unit moved (before) against per batch (now).

A city of 1,000 units each sending a fix every 10 s (100 fixes/s) for a
simulated minute, on a fresh database with the test city and 1,000 units:

- before: each batch moves the units' ORM rows (what ``record_positions``
  did), so the write hook appends one audit row per unit moved;
- now: ``command.units.record_positions`` writes the latest fixes in one
  statement and one audit row per batch (who sent it, fixes, units, senders).

Both paths run with the field app's batching (one batch a second, as the
field writer thread does) and one fix per request (the command's
``POST /units/positions`` from a device sending singly). Audit rows and
outbox events are counted in the database and scaled to a day; the
history of the fixes goes to the data pool (unit_tracks), not counted here.

Usage:
    .venv/bin/python benchmarks/bench_avl_audit.py --backend both --units 1000 --seconds 60
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import (  # noqa: E402
    START,
    drop_database,
    fresh_database_url,
    make_settings,
    prepare_database,
)

from yanyun.command import units as command_units  # noqa: E402
from yanyun.command.models import Unit  # noqa: E402
from yanyun.command.schemas import PositionIn  # noqa: E402
from yanyun.core.audit import AuditEntry  # noqa: E402
from yanyun.core.clock import FrozenClock  # noqa: E402
from yanyun.core.db import build_runtime, session_scope  # noqa: E402
from yanyun.core.events import OutboxEvent  # noqa: E402

DAY_S = 86_400


def _before(session, clock, fixes: list[PositionIn]) -> None:
    """The old write: each unit's ORM row moved, so the flush hook audits each one."""
    rows = {u.id: u for u in session.scalars(
        select(Unit).where(Unit.id.in_(sorted({f.unit_id for f in fixes}))))}
    for fix in fixes:
        unit = rows[fix.unit_id]
        unit.lng, unit.lat, unit.position_at = fix.lng, fix.lat, fix.at
    command_units._publish_moves(session, clock, _by_station(rows, fixes))


def _by_station(rows, fixes) -> dict[str, list[dict]]:
    moved: dict[str, list[dict]] = {}
    for f in fixes:
        moved.setdefault(rows[f.unit_id].org_path, []).append(
            {"id": f.unit_id, "lng": f.lng, "lat": f.lat, "at": f.at})
    return moved


def _now(runtime, clock, fixes: list[PositionIn]) -> None:
    with session_scope(runtime, actor_username="field-avl") as session:
        command_units.record_positions(session=session, clock=clock,
                                       settings=runtime.settings.command, positions=fixes,
                                       actor=None, senders=len(fixes))


def _counts(runtime) -> tuple[int, int]:
    with session_scope(runtime) as session:
        return (session.scalar(select(func.count()).select_from(AuditEntry)),
                session.scalar(select(func.count()).select_from(OutboxEvent)))


def _run(runtime, clock, ids: list[str], seconds: int, path: str, per_request: bool) -> dict:
    """``seconds`` of a city: each second a tenth of the units report."""
    a0, e0 = _counts(runtime)
    t0 = time.perf_counter()
    fixes_sent = 0
    for second in range(seconds):
        now = clock.advance(timedelta(seconds=1))
        share = [u for i, u in enumerate(ids) if i % 10 == second % 10]
        fixes = [PositionIn(unit_id=u, lng=112.57 + 0.0001 * second, lat=26.89, at=now)
                 for u in share]
        fixes_sent += len(fixes)
        batches = [[f] for f in fixes] if per_request else [fixes]
        for batch in batches:
            if path == "before":
                with session_scope(runtime, actor_username="field-avl") as session:
                    _before(session, clock, batch)
            else:
                _now(runtime, clock, batch)
    spent = time.perf_counter() - t0
    a1, e1 = _counts(runtime)
    scale = DAY_S / seconds
    return {"fixes": fixes_sent, "audit": a1 - a0, "events": e1 - e0,
            "audit_day": (a1 - a0) * scale, "events_day": (e1 - e0) * scale,
            "ms_per_fix": spent * 1000 / fixes_sent}


def _units(runtime, count: int) -> list[str]:
    with session_scope(runtime) as session:
        model = session.scalars(select(Unit).limit(1)).one()
        have = session.scalar(select(func.count()).select_from(Unit))
        cols = {c.key: getattr(model, c.key) for c in Unit.__table__.columns}
        rows = [{**cols, "id": f"AVL{i:05d}", "call_sign": f"AVL{i}"}
                for i in range(max(0, count - have))]
        if rows:
            session.execute(insert(Unit), rows)
    with session_scope(runtime) as session:
        return list(session.scalars(select(Unit.id).order_by(Unit.id).limit(count)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=60)
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    print(f"{args.units} units, a fix each every 10 s, {args.seconds} s simulated; "
          "per day = counted x 86400 / seconds")
    print("| backend | path | writes | fixes | audit rows | events | audit rows/day | "
          "events/day | ms/fix |")
    print("|---|---|---|---|---|---|---|---|---|")
    for backend in backends:
        tmp = Path(tempfile.mkdtemp(prefix="yanyun-avl-"))
        url = fresh_database_url(backend, "bench_avl", tmp)
        try:
            clock = FrozenClock(START)
            prepare_database(url, clock)
            runtime = build_runtime(make_settings(url), clock=clock)
            ids = _units(runtime, args.units)
            for per_request, label in ((False, "a batch a second"), (True, "a fix a request")):
                for path in ("before", "now"):
                    r = _run(runtime, clock, ids, args.seconds, path, per_request)
                    print(f"| {backend} | {path}: {label} | {len(ids)} units | {r['fixes']} | "
                          f"{r['audit']} | {r['events']} | {r['audit_day']:,.0f} | "
                          f"{r['events_day']:,.0f} | {r['ms_per_fix']:.2f} |", flush=True)
            runtime.engine.dispose()
        finally:
            drop_database(url)


if __name__ == "__main__":
    main()
