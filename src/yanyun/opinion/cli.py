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
    labelled: Annotated[Path, typer.Argument(
        help="CSV with 'text' and 'label_rumor' (1/0); with 'time_utc' or 'time' (ISO) the "
        "newest quarter chooses where the score flags, else the file's last quarter")],
    out: Annotated[Path, typer.Option(help="Where to write the model (JSON)")],
    replies: Annotated[
        Path | None,
        typer.Option(
            help="CSV of reposts/comments ('post_id', 'time' ISO, 'text'): train a story "
            "score that reads them as they arrive (the labelled CSV then needs 'post_id')"
        ),
    ] = None,
    first_k: Annotated[int, typer.Option(min=1, max=100, help="replies a story score reads")] = 30,
) -> None:
    """Train the rumour score on posts the bureau has adjudicated (optionally with replies)."""
    from yanyun.opinion.analysis import shared_analyzer
    from yanyun.opinion.rumor import STORY_SIZES, train
    from yanyun.opinion.text import normalise

    with labelled.open(encoding="utf-8") as f:
        rows = [
            r for r in csv.DictReader(f) if r.get("text") and r.get("label_rumor") in ("0", "1")
        ]
    stamp = next((c for c in ("time_utc", "time") if rows and all(r.get(c) for r in rows)), None)
    if stamp:  # oldest first: the newest posts choose the threshold
        rows.sort(key=lambda r: r[stamp])
    if len(rows) < 20 or len({r["label_rumor"] for r in rows}) < 2:
        typer.echo("need at least 20 labelled posts of both kinds 至少需要20条两类标注", err=True)
        raise typer.Exit(2)
    if replies is not None and not all(r.get("post_id") for r in rows):
        typer.echo("每条标注需要post_id; with --replies each post needs a post_id", err=True)
        raise typer.Exit(2)
    analyzer = shared_analyzer(ctx.obj.settings().opinion.city)
    story: list[list[str]] | None = None
    sizes: list[int] | None = None
    if replies is not None:
        by_post: dict[str, list[tuple[str, str]]] = {}
        with replies.open(encoding="utf-8") as f:
            for r in csv.DictReader(f):
                if r.get("post_id") and r.get("text"):
                    by_post.setdefault(r["post_id"], []).append((r.get("time") or "", r["text"]))
        story = [
            [normalise(t) for _, t in sorted(by_post.get(r["post_id"], []))[:first_k]]
            for r in rows
        ]
        sizes = sorted({min(k, first_k) for k in STORY_SIZES})
    model = train(
        [normalise(r["text"]) for r in rows],
        [int(r["label_rumor"]) for r in rows],
        analyzer.segment,
        replies=story,
        story_sizes=sizes,
    )
    model.save(out)
    kind = f"story score, up to {model.replies_k} replies" if model.replies_k else "post only"
    typer.echo(f"trained on {len(rows)} posts ({kind}); model written to {out}")
