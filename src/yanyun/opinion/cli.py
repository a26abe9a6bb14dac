"""`yanyun opinion`: ingest files, poll feeds on a schedule, train the rumour score."""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Public opinion 舆情", no_args_is_help=True)


def _analyzer(runtime):
    from yanyun.core.db import session_scope
    from yanyun.geo import service as geo_service
    from yanyun.opinion.analysis import shared_analyzer

    with session_scope(runtime) as session:
        index = geo_service.load_index(session=session)
    return shared_analyzer(runtime.settings.opinion.city).with_locator(index)


@app.command("ingest")
def ingest(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A .txt, .jsonl or .csv file of posts")],
    source: Annotated[str, typer.Option(help="Source name stored with each post")] = "file",
) -> None:
    """Ingest a file of posts; print what was accepted, duplicated and refused."""
    from yanyun.core.db import session_scope
    from yanyun.opinion import service

    settings = ctx.obj.settings()
    runtime = ctx.obj.runtime(settings)
    analyzer = _analyzer(runtime)
    with session_scope(runtime, actor_username="system") as session:
        result = service.ingest_file(
            session=session,
            clock=runtime.clock,
            settings=settings,
            analyzer=analyzer,
            raw=path.read_bytes(),
            filename=path.name,
            source=source,
            rumor_model=service.load_rumor_model(settings.opinion.rumor_model_path),
        )
    typer.echo(json.dumps(result.model_dump(exclude={"rejections"}), ensure_ascii=False))


@app.command("poll")
def poll(
    ctx: typer.Context,
    every: Annotated[
        float | None, typer.Option(help="Poll again every this many seconds (default: once)")
    ] = None,
) -> None:
    """Poll every enabled feed; with --every, keep polling (a failing feed never stops it)."""
    from yanyun.core.db import session_scope
    from yanyun.opinion import service

    settings = ctx.obj.settings()
    runtime = ctx.obj.runtime(settings)
    analyzer = _analyzer(runtime)
    while True:
        with session_scope(runtime, actor_username="system") as session:
            results = service.poll_feeds(
                session=session,
                clock=runtime.clock,
                settings=settings,
                analyzer=analyzer,
                rumor_model=service.load_rumor_model(settings.opinion.rumor_model_path),
            )
        for r in results:
            state = f"ok, {r.items} items" if r.ok else f"failed: {r.reason}"
            typer.echo(f"{r.name}: {state}")
        if every is None:
            return
        time.sleep(max(every, 1.0))


@app.command("train-rumor")
def train_rumor(
    ctx: typer.Context,
    labelled: Annotated[Path, typer.Argument(help="CSV with 'text' and 'label_rumor' (1/0)")],
    out: Annotated[Path, typer.Option(help="Where to write the model (JSON)")],
) -> None:
    """Train the rumour score on posts the bureau has adjudicated."""
    from yanyun.opinion.analysis import shared_analyzer
    from yanyun.opinion.rumor import train
    from yanyun.opinion.text import normalise

    with labelled.open(encoding="utf-8") as f:
        rows = [
            r for r in csv.DictReader(f) if r.get("text") and r.get("label_rumor") in ("0", "1")
        ]
    if len(rows) < 20 or len({r["label_rumor"] for r in rows}) < 2:
        typer.echo("need at least 20 labelled posts of both kinds 至少需要20条两类标注", err=True)
        raise typer.Exit(2)
    analyzer = shared_analyzer(ctx.obj.settings().opinion.city)
    model = train(
        [normalise(r["text"]) for r in rows],
        [int(r["label_rumor"]) for r in rows],
        analyzer.segment,
    )
    model.save(out)
    typer.echo(f"trained on {len(rows)} posts; model written to {out}")
