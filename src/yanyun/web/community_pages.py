"""Pages of community policing; their JSON twins are under /api/v1/community."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from yanyun.auth.deps import public
from yanyun.web.templating import page

router = APIRouter()



@router.get(
    "/community",
    response_class=HTMLResponse,
    include_in_schema=False,
    dependencies=[Depends(public)],
)
def community_page() -> HTMLResponse:
    """Grids 1+1+N, hazards, disputes, villages and enterprises (the page logs in itself)."""
    return page("community.html")


@router.get(
    "/volunteers",
    response_class=HTMLResponse,
    include_in_schema=False,
    dependencies=[Depends(public)],
)
def volunteers_page() -> HTMLResponse:
    """Volunteers (衡阳义警) and 一呼百应 calls."""
    return page("volunteers.html")
