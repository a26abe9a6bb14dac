"""Pages of community policing; their JSON twins are under /api/v1/community."""

from __future__ import annotations

from importlib.resources import files

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from yanyun.auth.deps import public

router = APIRouter()


def _template(name: str) -> str:
    return (files("yanyun.web") / "templates" / name).read_text(encoding="utf-8")


@router.get(
    "/community",
    response_class=HTMLResponse,
    include_in_schema=False,
    dependencies=[Depends(public)],
)
def community_page() -> HTMLResponse:
    """Grids 1+1+N, hazards, disputes, villages and enterprises (the page logs in itself)."""
    return HTMLResponse(_template("community.html"))


@router.get(
    "/volunteers",
    response_class=HTMLResponse,
    include_in_schema=False,
    dependencies=[Depends(public)],
)
def volunteers_page() -> HTMLResponse:
    """Volunteers (衡阳义警) and 一呼百应 calls."""
    return HTMLResponse(_template("volunteers.html"))
