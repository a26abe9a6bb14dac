"""A thousand phones on duty: positions accepted, the dispatchers' slowdown, dispatch to ring.

Part 1, load: 1,000 crew phones (each a user signed on to a unit, as the
field app makes them) send their position every 10 s through the field
API, while 30
dispatchers keep reading what the console and the wall read. The same 30
dispatchers run alone first: the ratio of their p50 and p99 with and
without the phones is what the phones cost the command center. The phones
run twice: through `POST /api/v1/field/position` (the app's path: fixes kept
latest per unit and written together once a second) and, as the baseline,
through `POST /api/v1/field/actions` (one request transaction per fix). The
phones' users, tokens and sign-ons are written straight into the database
before the run (1,000 argon2 logins would take minutes and measure the
login, not the field path).

Part 2 (run first, on a quiet server), ring: the real field page (/m) in
Chromium on an emulated phone, signed on to a unit; a dispatcher sends the
unit over the API; the clock runs from the dispatch's 200 answer (committed) to the page's ringing
banner appearing (a MutationObserver on it). Repeated, the unit cleared
between rounds.

Usage:
    .venv/bin/python benchmarks/bench_field.py --phones 1000 --dispatchers 30 --seconds 30
    .venv/bin/python benchmarks/bench_field.py --backend sqlite --phones 200 --rings 10
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import random
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import drop_database, fresh_database_url  # noqa: E402
from tests.web.browser_support import (  # noqa: E402
    api_get,
    api_login,
    launch_chromium,
    run_demo_server,
    server_now,
    store_session,
)

from yanyun.auth.models import AuthToken, OrgUnit, User  # noqa: E402
from yanyun.auth.service import hasher  # noqa: E402
from yanyun.command.models import Unit  # noqa: E402
from yanyun.core.db import build_engine  # noqa: E402
from yanyun.field.models import FieldShift  # noqa: E402

DISPATCHER_READS = ["/api/v1/incidents?open_only=true&limit=200", "/api/v1/units?limit=2000",
                    "/api/v1/dashboard/day"]


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def enrol_phones(database_url: str, phones: int) -> list[tuple[str, str, float, float]]:
    """Users signed on to units, with live tokens: (token, unit id, lng, lat) per phone."""
    engine = build_engine(database_url)
    now = datetime.now(UTC)
    password = hasher.hash("bench-not-a-login")
    out = []
    with engine.begin() as conn:
        units = conn.execute(select(Unit.id, Unit.station_code, Unit.org_path, Unit.lng,
                                    Unit.lat).order_by(Unit.id)).all()
        stations = {row.code for row in conn.execute(select(OrgUnit.code))}
        users, tokens, shifts = [], [], []
        for n in range(phones):
            unit = units[n % len(units)]
            user_id = uuid.uuid4().hex[:26]
            token = secrets.token_urlsafe(32)
            users.append(dict(id=user_id, username=f"bench-phone-{n}",
                              display_name=f"压测民警{n}", password_hash=password,
                              roles=["station_officer"],
                              org_code=unit.station_code if unit.station_code in stations
                              else next(iter(stations)),
                              phone=None, active=True, created_at=now))
            tokens.append(dict(token_hash=hashlib.sha256(token.encode()).hexdigest(),
                               user_id=user_id, issued_at=now,
                               expires_at=now + timedelta(hours=8), revoked_at=None))
            shifts.append(dict(id=uuid.uuid4().hex[:26], user_id=user_id, unit_id=unit.id,
                               org_path=unit.org_path, started_at=now, ended_at=None,
                               pin_hash=None, pin_failures=0))
            out.append((token, unit.id, unit.lng, unit.lat))
        conn.execute(User.__table__.insert(), users)
        conn.execute(AuthToken.__table__.insert(), tokens)
        conn.execute(FieldShift.__table__.insert(), shifts)
    engine.dispose()
    return out


async def _dispatcher(client: httpx.AsyncClient, stop: float, out: list[float],
                      errors: list[str], rng: random.Random, think_s: float) -> None:
    while time.monotonic() < stop:
        # A dispatcher reads, then reads the screen: the live feed does the rest.
        await asyncio.sleep(rng.uniform(0, 2 * think_s))
        started = time.perf_counter()
        try:
            resp = await client.get(rng.choice(DISPATCHER_READS))
            if resp.status_code >= 400:
                errors.append(f"dispatcher {resp.status_code}")
        except httpx.HTTPError as exc:
            errors.append(type(exc).__name__)
        out.append((time.perf_counter() - started) * 1000)


async def _phone(client: httpx.AsyncClient, token: str, lng: float, lat: float, every_s: float,
                 stop: float, out: list[float], accepted: list[int], errors: list[str],
                 rng: random.Random, skew: timedelta, via: str) -> None:
    await asyncio.sleep(rng.uniform(0, every_s))  # phones do not report in step
    headers = {"Authorization": f"Bearer {token}"}
    while time.monotonic() < stop:
        fix = {"at": (datetime.now(UTC) + skew).isoformat(),
               "lng": lng + rng.uniform(-0.002, 0.002), "lat": lat + rng.uniform(-0.002, 0.002)}
        started = time.perf_counter()
        try:
            if via == "position":
                resp = await client.post("/api/v1/field/position", json=fix, headers=headers)
                ok = resp.status_code == 202
            else:
                body = {"actions": [{"key": uuid.uuid4().hex, "kind": "position", **fix}]}
                resp = await client.post("/api/v1/field/actions", json=body, headers=headers)
                ok = resp.status_code == 200 and resp.json()["applied"] == 1
            out.append((time.perf_counter() - started) * 1000)
            if ok:
                accepted.append(1)
            else:
                errors.append(f"phone {resp.status_code} {resp.text[:80]}")
        except httpx.HTTPError as exc:
            errors.append(type(exc).__name__)
        await asyncio.sleep(max(0.0, min(every_s, stop - time.monotonic())))


async def _load(base: str, dispatchers: int, phones: list[tuple[str, str, float, float]],
                seconds: float, every_s: float, think_s: float) -> dict[str, Any]:
    token = api_login(base, "dispatcher")["access_token"]
    # The phones' clocks read the server's (the demo server's clock may start elsewhere).
    skew = server_now(base) - datetime.now(UTC)
    rng = random.Random(20261205)
    limits = httpx.Limits(max_connections=len(phones) + 50,
                          max_keepalive_connections=len(phones) + 50)
    figures: dict[str, Any] = {}
    for label, via in PHASES:
        reads: list[float] = []
        sends: list[float] = []
        accepted: list[int] = []
        errors: list[str] = []
        stop = time.monotonic() + seconds
        async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits,
                                     headers={"Authorization": f"Bearer {token}"}) as desk, \
                httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as field:
            tasks = [_dispatcher(desk, stop, reads, errors, random.Random(rng.random()), think_s)
                     for _ in range(dispatchers)]
            if via:
                tasks += [_phone(field, t, lng, lat, every_s, stop, sends, accepted, errors,
                                 random.Random(rng.random()), skew, via)
                          for t, _, lng, lat in phones]
            await asyncio.gather(*tasks)
            elapsed = seconds
        figures[label] = {
            "dispatcher p50 ms": _quantile(reads, 0.5),
            "dispatcher p99 ms": _quantile(reads, 0.99),
            "dispatcher reads/s": len(reads) / elapsed,
            "positions accepted/s": len(accepted) / elapsed,
            "position p50 ms": _quantile(sends, 0.5),
            "position p99 ms": _quantile(sends, 0.99),
            "errors": len(errors),
            "error kinds": sorted(set(errors))[:3],
        }
    return figures


#: The dispatchers alone, then with the phones on each path.
PHASES = (("alone", None), ("phones via /position", "position"),
          ("phones via /actions (baseline)", "actions"))


def _rings(base: str, rounds: int) -> list[float]:
    from playwright.sync_api import sync_playwright


    dispatcher = api_login(base, "dispatcher")["access_token"]
    crew = api_login(base, "officer")
    unit = api_get(base, crew["access_token"], "/api/v1/units?status=available")
    unit = (unit.get("items") if isinstance(unit, dict) else unit)[0]
    headers = {"Authorization": f"Bearer {dispatcher}"}
    out = []
    with sync_playwright() as pw, httpx.Client(base_url=base, headers=headers) as http:
        browser = launch_chromium(pw)
        context = browser.new_context(viewport={"width": 360, "height": 780}, is_mobile=True,
                                      has_touch=True, locale="zh-CN")
        page = context.new_page()
        store_session(page, base, crew)
        page.goto(f"{base}/m")
        page.wait_for_selector("body[data-field-ready='1']")
        page.tap(f"button[data-unit='{unit['id']}']")
        page.wait_for_selector("#fd-idle:not([hidden])")
        page.evaluate("""() => { window.__rang = null; new MutationObserver(() => {
            if (!document.getElementById('fd-ring').hidden && window.__rang === null)
              window.__rang = Date.now(); }).observe(document.getElementById('fd-ring'),
            { attributes: true, attributeFilter: ['hidden'] }); }""")
        crew_headers = {"Authorization": f"Bearer {crew['access_token']}"}
        for n in range(rounds):
            page.evaluate("() => { window.__rang = null; }")
            incident = http.post("/api/v1/incidents", json={
                "narrative": f"压测警情{n}：有人报警称被盗", "category_code": "10",
                "sub_code": "1002", "lng": unit["lng"], "lat": unit["lat"]}).json()
            resp = http.post(f"/api/v1/incidents/{incident['id']}/dispatch",
                             json={"unit_ids": [unit["id"]]})
            committed = time.time() * 1000
            resp.raise_for_status()
            page.wait_for_function("() => window.__rang !== null", timeout=15_000)
            out.append(page.evaluate("() => window.__rang") - committed)
            for action in ("acknowledge", "arrive", "clear"):
                http.post(f"/api/v1/units/{unit['id']}/actions", headers=crew_headers,
                          json={"action": action, "incident_id": incident["id"]})
            page.wait_for_selector("#fd-ring[hidden]", state="attached")
            time.sleep(random.uniform(0.1, 0.5))
        browser.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--phones", type=int, default=1000)
    parser.add_argument("--dispatchers", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--every", type=float, default=10.0, help="seconds between a phone's fixes")
    parser.add_argument("--rings", type=int, default=20)
    parser.add_argument("--think", type=float, default=2.0,
                        help="mean seconds a dispatcher looks at the screen between reads")
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for backend in backends:
        tmp = Path(tempfile.mkdtemp(prefix="yanyun-field-"))
        url = fresh_database_url(backend, "bench_field", tmp)
        try:
            with run_demo_server(tmp, database_url=url) as server:
                # Rings first, on a server that is not catching up with a backlog.
                rings = _rings(server.base_url, args.rings) if args.rings else []
                phones = enrol_phones(url, args.phones)
                load = asyncio.run(_load(server.base_url, args.dispatchers, phones,
                                         args.seconds, args.every, args.think))
        finally:
            drop_database(url)
        print(f"\n{backend}: {args.phones} phones every {args.every:g} s, "
              f"{args.dispatchers} dispatchers (a read every ~{args.think:g} s), "
              f"{args.seconds:g} s per phase")
        labels = [label for label, _ in PHASES]
        print("| figure | " + " | ".join(labels) + " |")
        print("|---" * (len(labels) + 1) + "|")
        for key in load["alone"]:
            cells = [load[label][key] for label in labels]
            print(f"| {key} | " + " | ".join(
                f"{c:,.1f}" if isinstance(c, float) else str(c) for c in cells) + " |")
        for label in labels[1:]:
            for key in ("dispatcher p50 ms", "dispatcher p99 ms"):
                ratio = load[label][key] / load["alone"][key]
                print(f"{key}: {ratio:.2f}x slower with {label}")
        if rings:
            print(f"dispatch committed -> phone ringing ({len(rings)} rounds): "
                  f"median {statistics.median(rings):.0f} ms, p95 {_quantile(rings, 0.95):.0f} ms, "
                  f"max {max(rings):.0f} ms")


if __name__ == "__main__":
    main()
