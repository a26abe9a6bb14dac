"""Server-rendered pages; each draws from a JSON API, its twin."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse

from yanyun import __version__
from yanyun.auth.deps import public, require
from yanyun.auth.permissions import Perm
from yanyun.auth.service import Actor
from yanyun.core.http import ClockDep, SettingsDep
from yanyun.web.templating import page

router = APIRouter()

#: The field app's service worker, served from the root so it may control /m.
FIELD_WORKER = Path(__file__).parent / "static" / "js" / "pages" / "field" / "sw.js"

@router.get("/api/v1/health", tags=["ops"], dependencies=[Depends(public)])
def health(clock: ClockDep) -> dict[str, str]:
    """Liveness: answers without a user, with the server's time (clients and tests align on it)."""
    return {"status": "ok", "version": __version__, "now": clock.now().isoformat()}


@router.get("/", include_in_schema=False, dependencies=[Depends(public)])
def index() -> RedirectResponse:
    return RedirectResponse("/home", status_code=307)


@router.get(
    "/login", response_class=HTMLResponse, include_in_schema=False, dependencies=[Depends(public)]
)
def login_page() -> HTMLResponse:
    return page("login.html")


@router.get("/field-sw.js", include_in_schema=False, dependencies=[Depends(public)])
def field_worker() -> FileResponse:
    return FileResponse(FIELD_WORKER, media_type="text/javascript")


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
        "ack_deadline_s": settings.command.ack_deadline_s,
    }
