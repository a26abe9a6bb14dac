"""Supervision's pages: the work list, the clearing board, the risk register, the audit viewer.

Each page is static HTML; its script reads the JSON twin under /api/v1/oversight.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from yanyun.auth.deps import public
from yanyun.web.templating import page

router = APIRouter()

PAGES = {
    "worklist": "oversight_worklist.html",
    "board": "oversight_board.html",
    "risks": "oversight_risks.html",
    "audit": "oversight_audit.html",
}



@router.get("/oversight/worklist", response_class=HTMLResponse, include_in_schema=False,
            dependencies=[Depends(public)])
def worklist_page() -> HTMLResponse:
    return page(PAGES["worklist"])


@router.get("/oversight/board", response_class=HTMLResponse, include_in_schema=False,
            dependencies=[Depends(public)])
def board_page() -> HTMLResponse:
    return page(PAGES["board"])


@router.get("/oversight/risks", response_class=HTMLResponse, include_in_schema=False,
            dependencies=[Depends(public)])
def risks_page() -> HTMLResponse:
    return page(PAGES["risks"])


@router.get("/oversight/audit", response_class=HTMLResponse, include_in_schema=False,
            dependencies=[Depends(public)])
def audit_page() -> HTMLResponse:
    return page(PAGES["audit"])
