"""Builders for command tests: plain functions, not a fixture per model."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from yanyun.command.models import Unit
from yanyun.geo.models import Grid


def grid_point(session, *, urban: bool | None = None, offset: int = 0) -> Grid:
    stmt = select(Grid).order_by(Grid.code)
    if urban is not None:
        stmt = stmt.where(Grid.is_urban.is_(urban))
    return session.scalars(stmt.offset(offset)).first()


def incident_body(grid: Grid, **overrides: Any) -> dict[str, Any]:
    body = {
        "source": "call_110",
        "narrative": "报警人称在小区门口电动车被盗",
        "caller_phone": "13807341234",
        "lng": grid.lng,
        "lat": grid.lat,
        "category_code": "10",
        "sub_code": "1002",
    }
    body.update(overrides)
    return body


def create_incident(client, headers, grid: Grid, **overrides: Any) -> dict[str, Any]:
    resp = client.post("/api/v1/incidents", headers=headers, json=incident_body(grid, **overrides))
    assert resp.status_code == 201, resp.text
    return resp.json()


def available_units(session, *, kind: str | None = None, limit: int = 3) -> list[Unit]:
    stmt = select(Unit).where(Unit.status == "available").order_by(Unit.id)
    if kind:
        stmt = stmt.where(Unit.kind == kind)
    return list(session.scalars(stmt.limit(limit)))
