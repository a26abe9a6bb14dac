"""Routes of the forecast: next-day risk with its live score, GeoJSON hotspots, a report."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, JSONResponse, Response

from yanyun.auth.deps import require
from yanyun.auth.permissions import Perm
from yanyun.auth.service import Actor
from yanyun.core.db import Runtime
from yanyun.core.http import ClockDep, RuntimeDep, SessionDep, SettingsDep
from yanyun.geo import service as geo_service
from yanyun.stats import printable, service
from yanyun.stats.schemas import ForecastRead

router = APIRouter(prefix="/api/v1/forecast", tags=["forecast"])

CategoryQ = Annotated[
    str | None, Query(max_length=8, description="Incident category code; all when absent")
]


def _grid_codes(runtime: Runtime):
    """Grid codes of points, loading the city's grid index only when a forecast is computed."""

    def grid_codes_of(lng, lat):
        return service.grid_lookup(geo_service.city_index(runtime=runtime))(lng, lat)

    return grid_codes_of


def _forecast(session, actor, clock, settings, category, runtime: Runtime) -> ForecastRead:
    """Today's stored forecast over the actor's scope (computed once when there is none; the
    city's grid index is loaded only then)."""

    return service.served_forecast(
        runtime=runtime, session=session, actor=actor, clock=clock, stats=settings.stats,
        category=category, grid_codes_of=_grid_codes(runtime),
        score_cache=runtime.provide(service.SCORE_CACHE),
    )


@router.get("/next-day", response_model=ForecastRead)
def next_day(
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
    actor: Annotated[Actor, Depends(require(Perm.forecast_read))],
    category: CategoryQ = None,
) -> Response:
    """Tomorrow's risk per cell and per grid, the hotspots, and the method's live score
    (yesterday's hit rate and the last days' pooled hit rate): the day's stored product,
    with when it was computed."""
    body = service.served_forecast_json(
        runtime=runtime, session=session, actor=actor, clock=clock, stats=settings.stats,
        category=category, grid_codes_of=_grid_codes(runtime),
        score_cache=runtime.provide(service.SCORE_CACHE),
    )
    return Response(body, media_type="application/json")


@router.get("/hotspots.geojson")
def hotspots(
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
    actor: Annotated[Actor, Depends(require(Perm.forecast_read))],
    category: CategoryQ = None,
) -> JSONResponse:
    """Tomorrow's hotspot cells as a GeoJSON file (WGS-84) for QGIS or ArcGIS."""
    fc = _forecast(session, actor, clock, settings, category, runtime)
    return JSONResponse(
        fc.hotspots,
        media_type="application/geo+json",
        headers={"Content-Disposition": f'attachment; filename="hotspots-{fc.day}.geojson"'},
    )


@router.get("/report", response_class=HTMLResponse)
def report(
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
    actor: Annotated[Actor, Depends(require(Perm.forecast_read))],
    category: CategoryQ = None,
) -> HTMLResponse:
    """A one-page printable report of tomorrow's forecast and its score."""
    fc = _forecast(session, actor, clock, settings, category, runtime)
    page = printable.report_html(fc, city=settings.city.name, generated_at=clock.now())
    return HTMLResponse(page)
