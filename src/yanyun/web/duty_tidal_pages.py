"""The tidal deployment page (潮汐警力); its JSON twin is GET /api/v1/duty/tidal."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from yanyun.auth.deps import public
from yanyun.web.pages import _template

router = APIRouter()


@router.get(
    "/duty/tidal",
    response_class=HTMLResponse,
    include_in_schema=False,
    dependencies=[Depends(public)],
)
def duty_tidal_page() -> HTMLResponse:
    """Hour by hour: units now, recommended stand points, coverage; adopt the day's plan."""
    return HTMLResponse(_template("duty_tidal.html"))
