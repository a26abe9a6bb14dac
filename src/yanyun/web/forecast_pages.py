"""The forecast page: tomorrow's hotspots on the map, with the score beside them."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from yanyun.auth.deps import public
from yanyun.web.templating import page

router = APIRouter()


@router.get(
    "/forecast", response_class=HTMLResponse, include_in_schema=False,
    dependencies=[Depends(public)],
)
def forecast_page() -> HTMLResponse:
    return page("forecast.html")
