"""`yanyun`: the platform's own commands (settings, migrations, serve, demo) and every context's.

Contexts add their commands through their manifests; each command finds
the :class:`~yanyun.core.contexts.CliHost` in Typer's ``ctx.obj`` for
settings and runtimes.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Annotated, Any

import typer

from yanyun import registry
from yanyun.core.config import masked
from yanyun.core.contexts import DemoOptions, resolve
from yanyun.core.db import Runtime
from yanyun.core.memory import bound_malloc_arenas

app = typer.Typer(help="yanyun 雁云: integrated policing operations platform", no_args_is_help=True)
config_app = typer.Typer(help="Settings 配置", no_args_is_help=True)
db_app = typer.Typer(help="Database 数据库", no_args_is_help=True)
app.add_typer(config_app, name="config")
app.add_typer(db_app, name="db")


class Host:
    """The root's answers to a context command: settings, runtimes, the demo city."""

    def settings(self) -> Any:
        try:
            return registry.load_settings()
        except ValueError as exc:
            typer.echo(f"settings error 配置错误: {exc}", err=True)
            raise typer.Exit(2) from exc

    def runtime(self, settings: Any | None = None, *, migrate: bool = True) -> Runtime:
        from yanyun.core.db import build_runtime
        from yanyun.core.migrate import upgrade

        settings = settings or self.settings()
        if migrate:
            upgrade(settings.database_url)
        registry.install_work_checks()
        return build_runtime(settings)

    def demo_runtime(self, settings: Any | None = None, *, through: int = 50) -> Runtime:
        runtime = self.runtime(settings)
        run_demo_steps(runtime, DemoOptions(history_days=0, live=False), through=through)
        return runtime


HOST = Host()


@app.callback()
def _root(ctx: typer.Context) -> None:
    ctx.obj = HOST


def run_demo_steps(
    runtime: Runtime, options: DemoOptions, *, through: int | None = None
) -> list[str]:
    """Run every context's demo step in order (each skips what is already built); their lines."""
    lines = []
    for _, step in registry.demo_steps():
        if through is not None and step.order > through:
            break
        started = time.perf_counter()
        line = resolve(step.build)(runtime, options)
        if line:
            lines.append(line.replace("{s}", f"{time.perf_counter() - started:.1f}"))
    return lines


for _manifest, _entry in registry.cli_entries():
    _target = resolve(_entry.reference)
    if isinstance(_target, typer.Typer):
        app.add_typer(_target, name=_entry.name)
    else:
        _target(app)


@config_app.command("show")
def config_show() -> None:
    """Print the effective settings, secrets masked."""
    typer.echo(json.dumps(masked(HOST.settings()), ensure_ascii=False, indent=2))


@db_app.command("upgrade")
def db_upgrade(revision: str = "heads") -> None:
    """Apply the database migrations."""
    from yanyun.core.migrate import upgrade

    settings = HOST.settings()
    upgrade(settings.database_url, revision)
    typer.echo(f"database at {revision}: {masked(settings)['database_url']}")


@app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address")] = None,
    port: Annotated[int | None, typer.Option(help="Port")] = None,
) -> None:
    """Serve the API and pages (migrations applied first)."""
    import uvicorn

    from yanyun.web.app import create_app

    settings = HOST.settings()
    bound_malloc_arenas(settings.web.malloc_arenas)
    runtime = HOST.runtime(settings)
    uvicorn.run(
        create_app(settings, runtime=runtime),
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
            help="Days of past incidents (and two days of public posts) the demo starts with; "
            "over a year, so the yardstick's year on year is real on first start",
        ),
    ] = 400,
    history_per_day: Annotated[
        float | None,
        typer.Option(
            min=1, max=5000,
            help="Past incidents a day (the demo's own rate when absent; a city of six "
            "million has about 800)",
        ),
    ] = None,
) -> None:
    """Build the demo city and users if absent, print the logins, and serve the map."""
    import uvicorn

    from yanyun.web.app import create_app

    settings = HOST.settings()
    bound_malloc_arenas(settings.web.malloc_arenas)
    if settings.env == "production":
        typer.echo("refusing to create demo users in production 生产环境不创建示范账号", err=True)
        raise typer.Exit(2)
    runtime = HOST.runtime(settings)
    for line in run_demo_steps(runtime, DemoOptions(
        history_days=history_days, live=live, history_per_day=history_per_day
    )):
        typer.echo(line)
    bind_host, bind_port = host or settings.web.host, port or settings.web.port
    typer.echo(f"open http://{bind_host}:{bind_port}/ (API docs at /docs)")
    sys.stdout.flush()
    if no_serve:
        return
    handles = []
    if live:
        for start in registry.live_starters():
            handles.append(start(runtime, calls_per_hour=calls_per_hour, seed=settings.city.seed))
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
        for handle in handles:
            handle.stop()


if __name__ == "__main__":
    app()
