"""Pages of duty: roster, duty levels, school-gate posts; each reads /api/v1/duty/..."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from yanyun.auth.deps import public
from yanyun.web.templating import page

router = APIRouter()


@router.get(
    "/duty", response_class=HTMLResponse, include_in_schema=False, dependencies=[Depends(public)]
)
def duty_page() -> HTMLResponse:
    """Roster, duty levels and school-gate posts; the JSON twins live under /api/v1/duty."""
    return page("duty.html")


@router.get(
    "/duty/tidal", response_class=HTMLResponse, include_in_schema=False,
    dependencies=[Depends(public)],
)
def duty_tidal_page() -> HTMLResponse:
    """Hour by hour: units now, recommended stand points, coverage; adopt the day's plan."""
    return page("duty_tidal.html")
