"""`yanyun city`: build the demo city, export its layers as GeoJSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="The city's geography 城市地理", no_args_is_help=True)


@app.command("build")
def city_build(ctx: typer.Context) -> None:
    """Generate the demo city (districts, stations, grids, org tree) if absent."""
    from yanyun.geo.demo import build_demo

    runtime = ctx.obj.runtime()
    typer.echo(build_demo(runtime, None).replace("{s}", "-"))


@app.command("export")
def city_export(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option(help="Folder for the GeoJSON files")] = Path("./var/export"),
) -> None:
    """Export districts, stations and grids as GeoJSON (WGS-84)."""
    from yanyun.auth.service import Actor
    from yanyun.core.db import session_scope
    from yanyun.geo import geojson
    from yanyun.geo.demo import build_demo

    runtime = ctx.obj.runtime()
    build_demo(runtime, None)
    everyone = Actor(
        user_id="system", username="system", roles=("admin",), org_code="", org_path="",
        permissions=frozenset(),
    )
    out.mkdir(parents=True, exist_ok=True)
    with session_scope(runtime) as session:
        layers = {
            "districts": geojson.districts_geojson(session=session),
            "stations": geojson.stations_geojson(session=session, actor=everyone),
            "station_areas": geojson.stations_geojson(
                session=session, actor=everyone, areas=True
            ),
            "grids": geojson.grids_geojson(session=session, actor=everyone, limit=10**7),
        }
    for name, collection in layers.items():
        path = out / f"{name}.geojson"
        path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
        typer.echo(f"{path}: {len(collection['features'])} features")
