"""`yanyun intel`: keep the data pool (compact, seal) and fill it with synthetic sightings."""

from __future__ import annotations

import time
from typing import Annotated

import typer

app = typer.Typer(help="The data pool 数据池 (sightings)", no_args_is_help=True)


@app.command("compact")
def intel_compact(
    ctx: typer.Context,
    seal: Annotated[
        bool, typer.Option(help="Also seal every month into plate-sorted files")
    ] = True,
) -> None:
    """Rewrite each day's small files into its sorted layout; seal months (nightly job)."""
    from yanyun.intel import service as intel_service

    settings = ctx.obj.settings()
    pool = intel_service.open_pool(settings.lake_path, settings.intel)
    started = time.perf_counter()
    days = pool.sightings.compact_all()
    months = sorted({f.first_day[:7] for f in pool.sightings.files()})
    if seal:
        for month in months:
            pool.sightings.seal_month(int(month[:4]), int(month[5:7]))
    typer.echo(
        f"compacted {days} days, sealed {len(months) if seal else 0} months: "
        f"{len(pool.sightings.files())} files, {pool.sightings.row_count()} rows "
        f"({time.perf_counter() - started:.1f} s)"
    )


@app.command("generate")
def intel_generate(
    ctx: typer.Context,
    days: Annotated[int, typer.Option(help="Days back from yesterday")] = 7,
    rows_per_day: Annotated[int, typer.Option(help="Sightings per day")] = 100_000,
    plates: Annotated[int, typer.Option(help="Plates in the population")] = 50_000,
) -> None:
    """Write synthetic sightings for the registry's cameras into the pool, a day at a time."""
    import numpy as np
    from sqlalchemy import select

    from yanyun.core.db import session_scope
    from yanyun.intel import service as intel_service
    from yanyun.intel.generator import SightingGenerator, days_back
    from yanyun.intel.models import Camera

    settings = ctx.obj.settings()
    runtime = ctx.obj.demo_runtime(settings, through=70)
    with session_scope(runtime) as session:
        cams = session.execute(
            select(Camera.code, Camera.lng, Camera.lat).order_by(Camera.code)
        ).all()
    pool = intel_service.open_pool(settings.lake_path, settings.intel)
    gen = SightingGenerator(
        camera_codes=np.array([c.code for c in cams]),
        lng=np.array([c.lng for c in cams]),
        lat=np.array([c.lat for c in cams]),
        plates=plates,
        seed=settings.city.seed + 1,
    )
    started = time.perf_counter()
    total = 0
    for day in days_back(runtime.clock.now(), days):
        table = gen.day(day, rows=rows_per_day)
        total += pool.sightings.append(
            table,
            batch_id=f"gen-{gen.seed}-{day}",
            received_ms=int(runtime.clock.now().timestamp() * 1000),
        ).rows
    typer.echo(
        f"{total} sightings over {days} days ({time.perf_counter() - started:.1f} s); "
        f"try plate {gen.commuter_plate()}"
    )
