"""Opening a real case to bind personal-data reads to (tests of any context use it)."""

from __future__ import annotations

from typing import Any


def open_case(client, login, kind: str = "traffic", **fields: Any) -> dict[str, Any]:
    body = {"kind": kind, "title": "G107向阳街道电动车肇事逃逸案", **fields}
    resp = client.post("/api/v1/cases", json=body, headers=login.headers)
    assert resp.status_code == 201, resp.text
    return resp.json()
