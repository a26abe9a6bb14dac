"""`yanyun sim`: run the simulated city through the platform and print response times.

The run never touches the deployment's database: it builds the city and
fleet of the settings into a scratch SQLite file under a temporary folder,
copies that file once per policy so every policy starts from the same
city, runs, prints the policies side by side, and deletes the folder.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from yanyun.core.config import CoreSettings as Settings


class PolicyChoice(StrEnum):
    recommend = "recommend"
    nearest_station = "nearest_station"
    nearest_unit = "nearest_unit"
    all = "all"


def register(app: typer.Typer) -> None:
    """Add the ``sim`` command to the root app."""
    app.command("sim")(sim)


def sim(
    ctx: typer.Context,
    hours: Annotated[float, typer.Option(min=0.01, help="Simulated hours of calls")] = 24.0,
    policy: Annotated[
        PolicyChoice, typer.Option(help="Dispatch policy, or all of them side by side")
    ] = PolicyChoice.all,
    seed: Annotated[int, typer.Option(help="Seed of the call stream")] = 1,
    calls_per_hour: Annotated[
        float, typer.Option(min=0.01, help="Mean calls per hour over a day")
    ] = 40.0,
    start: Annotated[
        str | None,
        typer.Option(help="Start, ISO 8601 (Asia/Shanghai if no offset); default: today 00:00"),
    ] = None,
    keep: Annotated[
        Path | None, typer.Option(help="Keep the scratch databases in this folder")
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            min=1, help="Policies run in parallel processes (default: the cores, up to 3)"
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the reports as JSON")] = False,
) -> None:
    """Simulate a day of calls on a scratch copy of the city; print response-time statistics."""
    settings = ctx.obj.settings()
    began = _start(settings, start)
    jobs = jobs or min(os.cpu_count() or 1, 3)
    policies = (
        ["recommend", "nearest_station", "nearest_unit"]
        if policy is PolicyChoice.all
        else [policy.value]
    )
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        reports = _run(settings, keep, began, policies, hours, calls_per_hour, seed, jobs)
    else:
        with tempfile.TemporaryDirectory(prefix="yanyun-sim-") as folder:
            reports = _run(
                settings, Path(folder), began, policies, hours, calls_per_hour, seed, jobs
            )
    if as_json:
        typer.echo(json.dumps([asdict(r) for r in reports], ensure_ascii=False, indent=2))
        return
    from yanyun.sim.report import format_report

    typer.echo(
        f"雁云 yanyun sim: city {settings.city.name}, {hours:g} h from "
        f"{began.isoformat()}, {calls_per_hour:g} calls/h, seed {seed}"
    )
    typer.echo(format_report(reports))


def _start(settings: Settings, text: str | None) -> datetime:
    from yanyun.core.clock import SHANGHAI
    from yanyun.core.db import clock_from

    if text is None:
        today = clock_from(settings).now().astimezone(SHANGHAI)
        return today.replace(hour=0, minute=0, second=0, microsecond=0)
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        typer.echo(f"--start: not an ISO 8601 time: {text!r}", err=True)
        raise typer.Exit(2) from exc
    return value if value.tzinfo is not None else value.replace(tzinfo=SHANGHAI)


def _scratch_runtime(settings: Settings, path: Path, began: datetime) -> Any:
    from sqlalchemy import event

    from yanyun.core.clock import FrozenClock
    from yanyun.core.db import build_runtime

    runtime = build_runtime(
        settings.model_copy(update={"database_url": f"sqlite:///{path}"}),
        clock=FrozenClock(began),
    )

    @event.listens_for(runtime.engine, "connect")
    def _no_fsync(dbapi_conn: Any, _record: Any) -> None:
        # A scratch file thrown away after the run: durability buys nothing,
        # and an fsync per committed step would triple the run time.
        dbapi_conn.execute("PRAGMA synchronous=OFF")

    return runtime


def _run(
    settings: Settings,
    folder: Path,
    began: datetime,
    policies: list[str],
    hours: float,
    calls_per_hour: float,
    seed: int,
    jobs: int,
) -> list:
    from yanyun.command.fleet import build_fleet
    from yanyun.core.db import session_scope
    from yanyun.core.migrate import upgrade
    from yanyun.geo import service as geo_service

    city = folder / "city.db"
    city.unlink(missing_ok=True)
    t0 = time.perf_counter()
    upgrade(f"sqlite:///{city}")
    runtime = _scratch_runtime(settings, city, began)
    with session_scope(runtime, actor_username="system") as session:
        geo_service.build_city(session=session, clock=runtime.clock, city=settings.city)
    with session_scope(runtime, actor_username="system") as session:
        build_fleet(session=session, clock=runtime.clock, seed=settings.city.seed)
    # Closing the last connection checkpoints the WAL into the file to copy.
    runtime.engine.dispose()
    typer.echo(f"scratch city built in {time.perf_counter() - t0:.1f} s ({city})", err=True)
    work = [
        (settings, city, folder / f"sim-{name}.db", began, name, hours, calls_per_hour, seed)
        for name in policies
    ]
    # Fork (Linux): the children inherit the loaded modules and need no
    # importable __main__; elsewhere the policies run one after another.
    can_fork = sys.platform == "linux"
    if jobs <= 1 or len(work) == 1 or not can_fork:
        reports = [_run_policy(*args) for args in work]
    else:
        # One process per policy: each run is single-threaded Python, and
        # every policy has its own copy of the city.
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=min(jobs, len(work)), mp_context=context) as pool:
            reports = list(pool.map(_run_policy, *zip(*work, strict=True)))
    for report in reports:
        typer.echo(f"  {report.policy}: {report.calls} calls in {report.wall_s:.1f} s", err=True)
    return reports


def _run_policy(
    settings: Settings,
    city: Path,
    path: Path,
    began: datetime,
    name: str,
    hours: float,
    calls_per_hour: float,
    seed: int,
) -> Any:
    from yanyun.sim.synthetic import simulate

    path.unlink(missing_ok=True)
    shutil.copyfile(city, path)
    runtime = _scratch_runtime(settings, path, began)
    try:
        return simulate(runtime, policy=name, hours=hours, calls_per_hour=calls_per_hour, seed=seed)
    finally:
        runtime.engine.dispose()
