"""Anti-fraud intake over HTTP, alone and while the city's other work goes on, in one run.

The seeds' rate is ~1,650 warnings a day for one city (29.8万 in a half-year).
This starts the real ``yanyun demo`` (the full city, 202 stations) on a fresh
database (SQLite, PostgreSQL or both, one server each) and pushes ``--days``
of synthetic warnings (the demo's own generator, seeded; said to be synthetic)
through the signed ``POST /api/v1/antifraud/push`` in batches of ``--batch``,
back to back, as a provincial centre would send a backlog. For each push the
clock runs from sending it (the warnings are received) until a read of the
station's list (``GET /api/v1/antifraud/warnings?station_code=``, as the desk
reads it) shows the push's last warning: the time from a warning received to
its task on the officer's list (median and p95), and warnings per second over
the phase's wall time.

The intake runs twice on the same server:

(a) alone;
(b) while the city's other work runs against the same server and database:
    ``--dispatchers`` dispatchers each taking a call every ``--pace-s`` seconds
    (``POST /api/v1/incidents``, the body of bench_intake_http.py), the AVL
    gateway sending every unit's fix every ``--avl-every-s`` seconds in one
    batch a second (``POST /api/v1/units/positions``, the path of
    bench_avl_audit.py), and ``--readers`` users reading pages with
    ``--think-s`` between reads (console: open incidents and units, as
    bench_field.py's dispatchers; wall: the day's dashboard; work list: the
    supervisor's).

Then (c) the same background load alone for ``--background-alone-s`` seconds:
what the intake costs the city, beside what the city costs the intake.
Each phase pushes fresh warnings (new sender ids), so (b) is not a re-send.

Usage:
    PYTHONPATH=src .venv/bin/python benchmarks/bench_antifraud_city.py --backend both --days 3
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import random
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_field import DISPATCHER_READS  # noqa: E402
from benchmarks.bench_intake_http import _body as incident_body  # noqa: E402
from tests.conftest import drop_database, fresh_database_url  # noqa: E402
from tests.web import browser_support  # noqa: E402
from tests.web.browser_support import api_login, run_demo_server, server_now  # noqa: E402

from yanyun.antifraud.demo import synthetic_row  # noqa: E402
from yanyun.antifraud.settings import AntifraudSettings  # noqa: E402
from yanyun.core.db import build_engine  # noqa: E402
from yanyun.geo.models import Grid  # noqa: E402

PAGE_READS = (
    *(("console", "dispatcher", path) for path in DISPATCHER_READS[:2]),
    ("wall", "admin", "/api/v1/dashboard/day"),
    ("work list", "supervisor", "/api/v1/oversight/worklist?mine=false"),
)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


@dataclass
class Tally:
    """Latencies (ms) of one kind of request, with what went wrong."""

    ms: list[float] = field(default_factory=list)
    items: int = 0
    errors: list[str] = field(default_factory=list)

    def row(self, seconds: float) -> dict[str, float]:
        return {"per s": self.items / seconds if seconds else 0.0,
                "p50 ms": _pct(self.ms, 0.5), "p95 ms": _pct(self.ms, 0.95),
                "errors": float(len(self.errors))}


@dataclass
class City:
    """What the load needs of the running demo: tokens, places, units, the clock's skew."""

    base: str
    tokens: dict[str, str]
    grids: list[Any]
    units: list[dict[str, Any]]
    incident: str
    skew: timedelta

    def now(self) -> datetime:
        return datetime.now(UTC) + self.skew


def _city(base: str, database_url: str) -> City:
    tokens = {u: api_login(base, u)["access_token"]
              for u in ("dispatcher", "admin", "supervisor")}
    engine = build_engine(database_url)
    with engine.connect() as conn:
        grids = conn.execute(select(Grid.name_zh, Grid.lng, Grid.lat, Grid.station_code)
                             .where(Grid.is_urban.is_(True)).order_by(Grid.code)).all()
    engine.dispose()
    units = httpx.get(f"{base}/api/v1/units?limit=2000", timeout=30,
                      headers={"Authorization": f"Bearer {tokens['dispatcher']}"}).json()
    units = [u for u in units if u.get("lng") is not None]
    return City(base=base, tokens=tokens, grids=list(grids), units=units,
                incident=incident_body(base, tokens["dispatcher"]),
                skew=server_now(base) - datetime.now(UTC))


async def _intake(city: City, args: argparse.Namespace, phase: str, first_serial: int,
                  out: Tally, listed: Tally) -> float:
    """Push the phase's warnings back to back; each push timed until its station lists it."""
    rng = random.Random(f"{args.seed}-{phase}")
    secret = AntifraudSettings().push_secret.encode()  # the demo server runs with the default
    total = int(args.days * args.per_day)
    headers = {"Authorization": f"Bearer {city.tokens['supervisor']}"}
    began = time.perf_counter()
    async with httpx.AsyncClient(base_url=city.base, timeout=120) as client:
        for start in range(0, total, args.batch):
            at = city.now()
            rows, grids = [], []
            end = first_serial + min(total, start + args.batch)
            for serial in range(first_serial + start, end):
                g = rng.choice(city.grids)
                row = synthetic_row(rng, g, at, serial)
                # The demo's own stream uses the generator's ids (SYN-...): ours are new.
                row["warning_id"] = f"BENCH-{serial:07d}"
                rows.append(row)
                grids.append(g)
            marker = f"BENCH-{phase}-{start}"
            rows[-1]["suspect_account"] = marker
            body = json.dumps({"source": "provincial", "warnings": rows},
                              ensure_ascii=False).encode()
            signature = hmac.new(secret, body, hashlib.sha256).hexdigest()
            t0 = time.perf_counter()
            resp = await client.post("/api/v1/antifraud/push", content=body, headers={
                "X-Yanyun-Signature": signature, "Content-Type": "application/json"})
            pushed = time.perf_counter()
            if resp.status_code != 201:
                out.errors.append(f"push {resp.status_code} {resp.text[:80]}")
                continue
            out.items += resp.json()["accepted"]
            out.ms.append((pushed - t0) * 1000)
            for _ in range(50):
                page = await client.get("/api/v1/antifraud/warnings", headers=headers, params={
                    "station_code": grids[-1].station_code, "limit": 20})
                if any(w["suspect_account"] == marker for w in page.json()):
                    listed.ms.append((time.perf_counter() - t0) * 1000)
                    listed.items += len(rows)
                    break
            else:
                listed.errors.append(f"{marker} never on {grids[-1].station_code}'s list")
    return time.perf_counter() - began


async def _dispatcher(client: httpx.AsyncClient, city: City, pace_s: float, stop: asyncio.Event,
                      rng: random.Random, out: Tally) -> None:
    await asyncio.sleep(rng.uniform(0, pace_s))  # calls do not arrive in step
    body = json.loads(city.incident)
    while not stop.is_set():
        t0 = time.perf_counter()
        try:
            resp = await client.post("/api/v1/incidents", json=body)
            if stop.is_set():  # answered after the phase ended: not counted
                break
            if resp.status_code == 201:
                out.items += 1
            else:
                out.errors.append(f"incident {resp.status_code}")
        except httpx.HTTPError as exc:
            out.errors.append(type(exc).__name__)
        out.ms.append((time.perf_counter() - t0) * 1000)
        await asyncio.sleep(max(0.0, pace_s - (time.perf_counter() - t0)))


async def _avl(client: httpx.AsyncClient, city: City, every_s: float, stop: asyncio.Event,
               rng: random.Random, out: Tally) -> None:
    """One batch a second: the units whose turn it is (each unit every ``every_s``)."""
    per_batch = max(1, round(len(city.units) / every_s))
    turn = 0
    while not stop.is_set():
        t0 = time.perf_counter()
        chosen = [city.units[(turn + n) % len(city.units)] for n in range(per_batch)]
        turn += per_batch
        at = city.now().isoformat()
        fixes = [{"unit_id": u["id"], "at": at, "lng": u["lng"] + rng.uniform(-0.002, 0.002),
                  "lat": u["lat"] + rng.uniform(-0.002, 0.002)} for u in chosen]
        try:
            resp = await client.post("/api/v1/units/positions", json={"positions": fixes})
            if stop.is_set():
                break
            if resp.status_code == 200:
                out.items += resp.json()["accepted"]
            else:
                out.errors.append(f"avl {resp.status_code}")
        except httpx.HTTPError as exc:
            out.errors.append(type(exc).__name__)
        out.ms.append((time.perf_counter() - t0) * 1000)
        await asyncio.sleep(max(0.0, 1.0 - (time.perf_counter() - t0)))


async def _reader(clients: dict[str, httpx.AsyncClient], think_s: float, stop: asyncio.Event,
                  rng: random.Random, out: dict[str, Tally]) -> None:
    while not stop.is_set():
        await asyncio.sleep(rng.uniform(0, 2 * think_s))
        page, role, path = rng.choice(PAGE_READS)
        t0 = time.perf_counter()
        try:
            resp = await clients[role].get(path)
            if stop.is_set():
                break
            if resp.status_code == 200:
                out[page].items += 1
            else:
                out[page].errors.append(f"{path} {resp.status_code}")
        except httpx.HTTPError as exc:
            out[page].errors.append(type(exc).__name__)
        out[page].ms.append((time.perf_counter() - t0) * 1000)


async def _phase(city: City, args: argparse.Namespace, phase: str, first_serial: int, *,
                 intake: bool, background: bool) -> dict[str, Any]:
    stop = asyncio.Event()
    pushes, listed = Tally(), Tally()
    load = {"incidents (dispatchers)": Tally(), "AVL fixes": Tally(),
            **{page: Tally() for page, _, _ in PAGE_READS}}
    rng = random.Random(f"{args.seed}-{phase}-load")
    # Idle connections are dropped before the server's keep-alive (5 s) closes them: a
    # reader thinking longer would otherwise send on a closed socket (ReadError).
    limits = httpx.Limits(max_connections=args.dispatchers + args.readers + 8,
                          keepalive_expiry=2.0)
    clients = {role: httpx.AsyncClient(base_url=city.base, timeout=120, limits=limits,
                                       headers={"Authorization": f"Bearer {token}"})
               for role, token in city.tokens.items()}
    tasks = []
    if background:
        desk = clients["dispatcher"]
        tasks += [asyncio.create_task(_dispatcher(desk, city, args.pace_s, stop,
                                                  random.Random(rng.random()),
                                                  load["incidents (dispatchers)"]))
                  for _ in range(args.dispatchers)]
        tasks.append(asyncio.create_task(_avl(desk, city, args.avl_every_s, stop,
                                              random.Random(rng.random()), load["AVL fixes"])))
        by_page = {page: load[page] for page, _, _ in PAGE_READS}
        tasks += [asyncio.create_task(_reader(clients, args.think_s, stop,
                                              random.Random(rng.random()), by_page))
                  for _ in range(args.readers)]
        await asyncio.sleep(2.0)  # let the load reach its pace before the clock starts
        for tally in load.values():
            tally.ms.clear()
            tally.items = 0
    began = time.perf_counter()
    if intake:
        await _intake(city, args, phase, first_serial, pushes, listed)
    else:
        await asyncio.sleep(args.background_alone_s)
    seconds = time.perf_counter() - began
    stop.set()
    await asyncio.gather(*tasks)
    for client in clients.values():
        await client.aclose()
    return {"seconds": seconds, "pushes": pushes, "listed": listed, "load": load,
            "background": background}


def _report(backend: str, args: argparse.Namespace, phases: dict[str, dict[str, Any]]) -> None:
    names = list(phases)
    print(f"\n{backend}: --days {args.days:g} --per-day {args.per_day:g} --batch {args.batch}, "
          f"background: {args.dispatchers} dispatchers every {args.pace_s:g} s, "
          f"{args.readers} readers (think {args.think_s:g} s), AVL each unit every "
          f"{args.avl_every_s:g} s")
    print("| | " + " | ".join(names) + " |")
    print("|---|" + "---:|" * len(names))

    def line(label: str, cell) -> None:
        print(f"| {label} | " + " | ".join(cell(p) for p in phases.values()) + " |")

    line("phase wall s", lambda p: f"{p['seconds']:.1f}")
    line("warnings accepted", lambda p: f"{p['pushes'].items:,}" if p["pushes"].ms else "–")
    line("warnings per second",
         lambda p: f"{p['pushes'].items / p['seconds']:.0f}" if p["pushes"].ms else "–")
    line(f"push of {args.batch}: p50 / p95 ms",
         lambda p: f"{_pct(p['pushes'].ms, .5):.0f} / {_pct(p['pushes'].ms, .95):.0f}"
         if p["pushes"].ms else "–")
    line("received to on the station's list: p50 / p95 ms",
         lambda p: f"{_pct(p['listed'].ms, .5):.0f} / {_pct(p['listed'].ms, .95):.0f}"
         if p["listed"].ms else "–")
    line("intake errors", lambda p: str(len(p["pushes"].errors) + len(p["listed"].errors))
         if p["pushes"].ms else "–")
    for kind in next(iter(phases.values()))["load"]:
        unit = "fixes" if kind == "AVL fixes" else (
            "incidents" if kind.startswith("incidents") else "reads")
        line(f"{kind}: {unit}/s, p50 / p95 ms",
             lambda p, k=kind: (lambda r: f"{r['per s']:.1f}, {r['p50 ms']:.0f} / "
                                f"{r['p95 ms']:.0f}" + (f" ({r['errors']:.0f} errors)"
                                                        if r["errors"] else ""))(
                 p["load"][k].row(p["seconds"])) if p["background"] else "–")
    for p in phases.values():
        for tally in (p["pushes"], p["listed"], *p["load"].values()):
            if tally.errors:
                print("  e.g.", sorted(set(tally.errors))[:3])


def run(backend: str, args: argparse.Namespace) -> None:
    # Building the full city on PostgreSQL on a loaded 2-core machine can outlast the
    # browser tests' 90 s wait for a healthy server.
    browser_support.SERVER_START_TIMEOUT_S = max(browser_support.SERVER_START_TIMEOUT_S, 900.0)
    tmp = Path(tempfile.mkdtemp(prefix="yanyun-bench-af-"))
    url = fresh_database_url(backend, "bench_af_city", tmp)
    try:
        with run_demo_server(tmp, database_url=url) as server:
            city = _city(server.base_url, url)
            total = int(args.days * args.per_day)
            phases = {
                "(a) intake alone": asyncio.run(_phase(city, args, "a", 0, intake=True,
                                                       background=False)),
                "(b) intake + city's work": asyncio.run(_phase(city, args, "b", total,
                                                               intake=True, background=True)),
            }
            if args.background_alone_s:
                phases["(c) city's work alone"] = asyncio.run(
                    _phase(city, args, "c", 0, intake=False, background=True))
            _report(backend, args, phases)
    finally:
        drop_database(url)
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--days", type=float, default=3.0)
    parser.add_argument("--per-day", type=float, default=1650.0)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--dispatchers", type=int, default=20)
    parser.add_argument("--pace-s", type=float, default=10.0)
    parser.add_argument("--readers", type=int, default=20)
    parser.add_argument("--think-s", type=float, default=3.0)
    parser.add_argument("--avl-every-s", type=float, default=10.0)
    parser.add_argument("--background-alone-s", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=19)
    args = parser.parse_args()
    for backend in (("sqlite", "postgresql") if args.backend == "both" else (args.backend,)):
        run(backend, args)


if __name__ == "__main__":
    main()
