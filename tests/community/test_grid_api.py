"""Grid hazards over HTTP: found to verified, counted per grid, a hazard without a type refused."""

from __future__ import annotations

from tests.community.helpers import urban_grid
from tests.conftest import login_as


def test_hazard_over_http_from_found_to_verified(client, session) -> None:
    grid = urban_grid(session)
    officer = login_as(client, "admin").headers
    resp = client.post(
        "/api/v1/community/grid-reports",
        headers=officer,
        json={
            "kind": "hazard",
            "hazard_type": "public_order",
            "title": "路灯损坏",
            "lng": grid.lng,
            "lat": grid.lat,
            "photos": ["photo://x/1.jpg"],
        },
    )
    assert resp.status_code == 201, resp.text
    rid = resp.json()["id"]
    for action in ("assign", "remove", "verify"):
        body = (
            {"action": action, "assignee": "辅警 王"} if action == "assign" else {"action": action}
        )
        resp = client.post(
            f"/api/v1/community/grid-reports/{rid}/actions", headers=officer, json=body
        )
        assert resp.status_code == 200, resp.text
    assert resp.json()["status"] == "verified"
    counts = client.get("/api/v1/community/grid-counts?by=grid", headers=officer).json()
    assert any(r["code"] == grid.code and r["counts"]["hazards_removed"] == 1 for r in counts)
    bad = client.post(
        "/api/v1/community/grid-reports",
        headers=officer,
        json={"kind": "hazard", "title": "x", "lng": grid.lng, "lat": grid.lat},
    )
    assert bad.status_code == 422
