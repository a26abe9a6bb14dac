"""`yanyun tidal`: hourly stand points for quick-response units, checked in the simulator."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    """Add the ``tidal`` command to the root app."""
    app.command("tidal")(tidal)


def tidal(
    ctx: typer.Context,
    days: Annotated[int, typer.Option(min=1, help="Days of history each plan reads")] = 14,
    held_out_days: Annotated[
        int, typer.Option(min=1, max=60, help="Days after the history to check the plans on")
    ] = 7,
    calls_per_hour: Annotated[float, typer.Option(min=0.1, help="Mean calls per hour")] = 40.0,
    seed: Annotated[
        int, typer.Option(help="Seed of the call stream: the history days, then the held-out")
    ] = 1,
    demand: Annotated[
        str,
        typer.Option(help="Demand the plan is made from: forecast, history, or all (both)"),
    ] = "all",
    from_db: Annotated[
        bool, typer.Option("--from-db", help="Plan on the incidents of the configured database")
    ] = False,
    max_move_m: Annotated[
        float | None,
        typer.Option(min=0, help="Farthest a unit moves from its platform, m (0: no limit); "
                     "default YANYUN_DUTY__TIDAL_MAX_MOVE_M"),
    ] = None,
) -> None:
    """潮汐警力: hourly stand points for quick-response units, checked in the simulator."""
    import tempfile

    from yanyun.core.clock import SHANGHAI
    from yanyun.core.db import clock_from, session_scope
    from yanyun.sim import tidal as sim_tidal

    if demand not in ("forecast", "history", "all"):
        typer.echo("--demand: forecast, history or all 需求来源应为 forecast/history/all", err=True)
        raise typer.Exit(2)
    sources = sim_tidal.DEMAND_SOURCES if demand == "all" else (demand,)
    settings = ctx.obj.settings()
    today = (
        clock_from(settings).now().astimezone(SHANGHAI)
        .replace(hour=0, minute=0, second=0, microsecond=0)
    )
    start = today - timedelta(days=days)
    with tempfile.TemporaryDirectory(prefix="yanyun-tidal-") as folder:
        if not from_db:
            settings = settings.model_copy(update={"database_url": f"sqlite:///{folder}/city.db"})
        runtime = ctx.obj.demo_runtime(settings, through=50)
        started = time.perf_counter()
        with session_scope(runtime) as session:
            grids = sim_tidal.urban_grids(session)
            calls = sim_tidal.call_stream(
                session, seed=seed, start=start, days=days + held_out_days, per_hour=calls_per_hour
            )
            if from_db:
                history = sim_tidal.history_from_incidents(session, grids=grids)
            else:
                history = sim_tidal.history_from_calls(grids, calls, start=start)
            held_out = sim_tidal.split_days(calls, start=start, first_day=days, days=held_out_days)
            result = sim_tidal.compare(
                session,
                history=history,
                held_out=held_out,
                history_days=days,
                sources=sources,
                stats=settings.stats,
                grids=grids,
                max_move_m=(settings.duty.tidal_max_move_m if max_move_m is None else max_move_m)
                or None,
            )
        runtime.engine.dispose()
    typer.echo(sim_tidal.format_comparison(result))
    typer.echo(f"({time.perf_counter() - started:.1f} s)")
