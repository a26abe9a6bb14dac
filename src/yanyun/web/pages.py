"""Server-rendered pages; each draws from a JSON API, its twin."""

from __future__ import annotations

from importlib.resources import files
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, RedirectResponse

from yanyun import __version__
from yanyun.auth.deps import public, require
from yanyun.auth.permissions import Perm
from yanyun.auth.service import Actor
from yanyun.core.http import SettingsDep

router = APIRouter()


def _template(name: str) -> str:
    return (files("yanyun.web") / "templates" / name).read_text(encoding="utf-8")


@router.get("/api/v1/health", tags=["ops"], dependencies=[Depends(public)])
def health() -> dict[str, str]:
    """Liveness: answers without a user."""
    return {"status": "ok", "version": __version__}


@router.get("/", include_in_schema=False, dependencies=[Depends(public)])
def index() -> RedirectResponse:
    return RedirectResponse("/map", status_code=307)


@router.get(
    "/login", response_class=HTMLResponse, include_in_schema=False, dependencies=[Depends(public)]
)
def login_page() -> HTMLResponse:
    return HTMLResponse(_template("login.html"))


@router.get(
    "/map", response_class=HTMLResponse, include_in_schema=False, dependencies=[Depends(public)]
)
def map_page() -> HTMLResponse:
    return HTMLResponse(_template("map.html"))


@router.get(
    "/console", response_class=HTMLResponse, include_in_schema=False, dependencies=[Depends(public)]
)
def console_page() -> HTMLResponse:
    return HTMLResponse(_template("console.html"))


@router.get(
    "/wall", response_class=HTMLResponse, include_in_schema=False, dependencies=[Depends(public)]
)
def wall_page() -> HTMLResponse:
    """The commander's wall; its JSON twin is GET /api/v1/dashboard/day."""
    return HTMLResponse(_template("wall.html"))


@router.get("/api/v1/ui/config", include_in_schema=True, tags=["ui"])
def ui_config(
    settings: SettingsDep,
    actor: Annotated[Actor, Depends(require(Perm.map_read))],
) -> dict[str, Any]:
    """What the map page needs: base-map tiles (if any) and their coordinate system."""
    return {
        "tile_url": settings.web.tile_url,
        "tile_crs": settings.web.tile_crs,
        "city": settings.city.name,
    }
