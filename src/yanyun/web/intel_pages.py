"""The plate-search page (车辆轨迹查询); its JSON twin is POST /api/v1/intel/plate-search."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from yanyun.auth.deps import public
from yanyun.web.templating import page

router = APIRouter()


@router.get(
    "/intel/plates",
    response_class=HTMLResponse,
    include_in_schema=False,
    dependencies=[Depends(public)],
)
def plates_page() -> HTMLResponse:
    """The page itself holds no data; the search behind it needs a login, a case and a purpose."""
    return page("plates.html")
