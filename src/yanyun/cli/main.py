"""`yanyun`: run the demo, serve, migrate, build the city, show settings."""

from __future__ import annotations

import json
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from yanyun.cli.forecast import register as register_forecast
from yanyun.cli.opinion import register as register_opinion
from yanyun.cli.sim import register as register_sim
from yanyun.core.config import Settings, load_settings, masked

if TYPE_CHECKING:
    from yanyun.core.db import Runtime

app = typer.Typer(help="yanyun 雁云: integrated policing operations platform", no_args_is_help=True)
config_app = typer.Typer(help="Settings 配置", no_args_is_help=True)
db_app = typer.Typer(help="Database 数据库", no_args_is_help=True)
city_app = typer.Typer(help="The city's geography 城市地理", no_args_is_help=True)
app.add_typer(config_app, name="config")
app.add_typer(db_app, name="db")
app.add_typer(city_app, name="city")
intel_app = typer.Typer(help="The data pool 数据池 (sightings)", no_args_is_help=True)
app.add_typer(intel_app, name="intel")
register_sim(app)
register_opinion(app)
register_forecast(app)


def _settings() -> Settings:
    try:
        return load_settings()
    except ValueError as exc:
        typer.echo(f"settings error 配置错误: {exc}", err=True)
        raise typer.Exit(2) from exc


@config_app.command("show")
def config_show() -> None:
    """Print the effective settings, secrets masked."""
    typer.echo(json.dumps(masked(_settings()), ensure_ascii=False, indent=2))


@db_app.command("upgrade")
def db_upgrade(revision: str = "heads") -> None:
    """Apply the database migrations."""
    from yanyun.core.migrate import upgrade

    settings = _settings()
    upgrade(settings.database_url, revision)
    typer.echo(f"database at {revision}: {masked(settings)['database_url']}")


def _build(settings: Settings) -> tuple:
    from yanyun.community.demo import CommunitySpec, build_community
    from yanyun.core.db import build_runtime, session_scope
    from yanyun.core.migrate import upgrade
    from yanyun.duty.staffing import StaffingSpec
    from yanyun.geo import service as geo_service
    from yanyun.sim.fleet import build_fleet
    from yanyun.sim.staffing import staff_city

    upgrade(settings.database_url)
    runtime = build_runtime(settings)
    started = time.perf_counter()
    with session_scope(runtime, actor_username="system") as session:
        report = geo_service.build_city(session=session, clock=runtime.clock, city=settings.city)
    with session_scope(runtime, actor_username="system") as session:
        build_fleet(session=session, clock=runtime.clock, seed=settings.city.seed)
    with session_scope(runtime, actor_username="system") as session:
        staff_city(
            session=session, clock=runtime.clock, seed=settings.city.seed,
            spec=StaffingSpec(duty=settings.duty),
        )
    with session_scope(runtime, actor_username="system") as session:
        build_community(
            session=session,
            clock=runtime.clock,
            seed=settings.city.seed,
            spec=CommunitySpec(volunteers=settings.community.volunteers),
        )
    return runtime, report, time.perf_counter() - started


def _build_intel(runtime: Runtime, settings: Settings) -> str:
    """Cameras, registrations and a modest pool of sightings for the demo (once)."""
    from yanyun.core.db import session_scope
    from yanyun.geo import service as geo_service
    from yanyun.intel import service as intel_service

    started = time.perf_counter()
    pool = intel_service.open_pool(settings.lake_path, settings.intel)
    with session_scope(runtime, actor_username="system") as session:
        index = geo_service.city_index(runtime=runtime, session=session)
        report = intel_service.build_demo(
            session=session,
            clock=runtime.clock,
            index=index,
            settings=settings,
            pool=pool,
        )
    seconds = time.perf_counter() - started
    if not report.cameras:
        return f"data pool reused: {pool.sightings.row_count()} sightings ({seconds:.1f} s)"
    return (
        f"data pool 数据池: {report.cameras} cameras, {report.registrations} registrations, "
        f"{report.sightings} sightings (try plate {report.sample_plate}) ({seconds:.1f} s)"
    )


def _build_opinion(runtime: Runtime, settings: Settings) -> str:
    """Two days of invented public posts for the opinion page (once, on an empty table)."""
    from yanyun.core.db import session_scope
    from yanyun.geo import service as geo_service
    from yanyun.opinion import demo as opinion_demo
    from yanyun.opinion.analysis import shared_analyzer

    started = time.perf_counter()
    with session_scope(runtime, actor_username="system") as session:
        index = geo_service.city_index(runtime=runtime, session=session)
        analyzer = shared_analyzer(settings.opinion.city).with_locator(index)
        report = opinion_demo.build_demo(
            session=session, clock=runtime.clock, settings=settings, analyzer=analyzer,
            seed=settings.city.seed,
        )
    if not report.posts:
        return ""
    seconds = time.perf_counter() - started
    return f"opinion 舆情: {report.posts} demo posts in {report.events} events ({seconds:.1f} s)"


@intel_app.command("compact")
def intel_compact(
    seal: Annotated[
        bool, typer.Option(help="Also seal every month into plate-sorted files")
    ] = True,
) -> None:
    """Rewrite each day's small files into its sorted layout; seal months (nightly job)."""
    from yanyun.intel import service as intel_service

    settings = _settings()
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


@intel_app.command("generate")
def intel_generate(
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

    settings = _settings()
    runtime, _, _ = _build(settings)
    _build_intel(runtime, settings)
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


@city_app.command("build")
def city_build() -> None:
    """Generate the demo city (districts, stations, grids, org tree) if absent."""
    _, report, seconds = _build(_settings())
    verb = "built" if report.built else "already present"
    typer.echo(
        f"city {verb}: {report.districts} districts, {report.stations} stations, "
        f"{report.grids} grids ({seconds:.1f} s)"
    )


@city_app.command("export")
def city_export(
    out: Annotated[Path, typer.Option(help="Folder for the GeoJSON files")] = Path("./var/export"),
) -> None:
    """Export districts, stations and grids as GeoJSON (WGS-84)."""
    from yanyun.auth.service import Actor
    from yanyun.core.db import session_scope
    from yanyun.geo import service as geo_service

    runtime, _, _ = _build(_settings())
    everyone = Actor(
        user_id="system",
        username="system",
        roles=("admin",),
        org_code="",
        org_path="",
        permissions=frozenset(),
    )
    out.mkdir(parents=True, exist_ok=True)
    with session_scope(runtime) as session:
        layers = {
            "districts": geo_service.districts_geojson(session=session),
            "stations": geo_service.stations_geojson(session=session, actor=everyone),
            "station_areas": geo_service.stations_geojson(
                session=session, actor=everyone, areas=True
            ),
            "grids": geo_service.grids_geojson(session=session, actor=everyone, limit=10**7),
        }
    for name, collection in layers.items():
        path = out / f"{name}.geojson"
        path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
        typer.echo(f"{path}: {len(collection['features'])} features")


@app.command("tidal")
def tidal(
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
    settings = _settings()
    today = (
        clock_from(settings).now().astimezone(SHANGHAI)
        .replace(hour=0, minute=0, second=0, microsecond=0)
    )
    start = today - timedelta(days=days)
    with tempfile.TemporaryDirectory(prefix="yanyun-tidal-") as folder:
        if not from_db:
            settings = settings.model_copy(update={"database_url": f"sqlite:///{folder}/city.db"})
        runtime, _, _ = _build(settings)
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


@app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address")] = None,
    port: Annotated[int | None, typer.Option(help="Port")] = None,
) -> None:
    """Serve the API and pages (migrations applied first)."""
    import uvicorn

    from yanyun.core.migrate import upgrade
    from yanyun.web.app import create_app

    settings = _settings()
    upgrade(settings.database_url)
    uvicorn.run(
        create_app(settings),
        host=host or settings.web.host,
        port=port or settings.web.port,
        log_level="info",
    )


@app.command("demo")
def demo(
    host: Annotated[str | None, typer.Option(help="Bind address")] = None,
    port: Annotated[int | None, typer.Option(help="Port")] = None,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Build only")] = False,
    live: Annotated[
        bool, typer.Option("--live/--no-live", help="Simulated 110 calls keep the city alive")
    ] = True,
    calls_per_hour: Annotated[float, typer.Option(help="Rate of simulated calls")] = 30.0,
    history_days: Annotated[
        int,
        typer.Option(
            min=0, max=730,
            help="Days of past incidents (and two days of public posts) the demo starts with",
        ),
    ] = 90,
) -> None:
    """Build the demo city and users if absent, print the logins, and serve the map."""
    import uvicorn

    from yanyun.auth.demo import ensure_demo_users
    from yanyun.core.db import session_scope
    from yanyun.web.app import create_app

    settings = _settings()
    if settings.env == "production":
        typer.echo("refusing to create demo users in production 生产环境不创建示范账号", err=True)
        raise typer.Exit(2)
    runtime, report, seconds = _build(settings)
    with session_scope(runtime, actor_username="system") as session:
        users = ensure_demo_users(session=session, clock=runtime.clock)
    with session_scope(runtime, actor_username="system") as session:
        from yanyun.oversight.demo import build_demo as build_oversight_demo

        build_oversight_demo(session=session, clock=runtime.clock,
                             settings=settings.oversight, seed=settings.city.seed)
    intel_line = _build_intel(runtime, settings)
    past = 0
    if history_days:
        from yanyun.geo import service as geo_service
        from yanyun.sim.history import ensure_history

        with session_scope(runtime, actor_username="system") as session:
            past = ensure_history(
                session=session, clock=runtime.clock, seed=settings.city.seed, days=history_days,
                index=geo_service.city_index(runtime=runtime, session=session),
            )
    if past:
        typer.echo(f"demo history: {past} past incidents for the forecast 历史警情")
    opinion_line = _build_opinion(runtime, settings) if history_days else ""
    if opinion_line:
        typer.echo(opinion_line)
    bind_host, bind_port = host or settings.web.host, port or settings.web.port
    typer.echo(
        f"雁云 yanyun demo city: {report.districts} districts, {report.stations} "
        f"stations, {report.grids} grids ({'built' if report.built else 'reused'} "
        f"in {seconds:.1f} s)"
    )
    typer.echo(intel_line)
    typer.echo("demo logins 示范账号 (user / password / role):")
    for u in users:
        typer.echo(f"  {u.username:<11} {u.password:<24} {u.role.value}")
    typer.echo(f"open http://{bind_host}:{bind_port}/ (API docs at /docs)")
    sys.stdout.flush()
    if no_serve:
        return
    handle = None
    if live:
        from yanyun.sim.live import start_live

        handle = start_live(runtime, calls_per_hour=calls_per_hour, seed=settings.city.seed)
        typer.echo(
            f"live simulation: about {calls_per_hour:g} simulated 110 calls an hour "
            "(--no-live to switch off)"
        )
    try:
        uvicorn.run(
            create_app(settings, runtime=runtime),
            host=bind_host,
            port=bind_port,
            log_level="warning",
        )
    finally:
        if handle is not None:
            handle.stop()


if __name__ == "__main__":
    app()
