"""The opinion events page; its data comes from /api/v1/opinion/*."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from yanyun.auth.deps import public
from yanyun.web.templating import page

router = APIRouter()


@router.get(
    "/opinion", response_class=HTMLResponse, include_in_schema=False, dependencies=[Depends(public)]
)
def opinion_page() -> HTMLResponse:
    """Events ranked by heat; the page logs in through the shared session like the console."""
    return page("opinion.html")
