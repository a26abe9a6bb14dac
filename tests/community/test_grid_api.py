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


def test_a_report_sent_again_with_its_key_is_filed_once(client, session) -> None:
    grid = urban_grid(session)
    officer = login_as(client, "admin").headers
    body = {"kind": "hazard", "hazard_type": "fire", "title": "楼道堆放杂物", "lng": grid.lng,
            "lat": grid.lat, "key": "phone-report-0001"}
    first = client.post("/api/v1/community/grid-reports", headers=officer, json=body)
    again = client.post("/api/v1/community/grid-reports", headers=officer, json=body)
    assert first.status_code == again.status_code == 201, again.text
    assert first.json()["id"] == again.json()["id"]
    mine = client.get("/api/v1/community/grid-reports?mine=true", headers=officer).json()
    assert [r["title"] for r in mine["items"]].count("楼道堆放杂物") == 1
    # The same key for another report is refused, not silently merged.
    other = client.post("/api/v1/community/grid-reports", headers=officer,
                        json={**body, "title": "另一处隐患"})
    assert other.status_code == 422 and other.json()["error"]["field"] == "key"
    # Someone else's reports are not "mine".
    chief = login_as(client, "supervisor").headers
    theirs = client.get("/api/v1/community/grid-reports?mine=true", headers=chief).json()
    assert all(r["reported_by"] == "supervisor" for r in theirs["items"])


def test_grid_staff_log_a_visit(client, session) -> None:
    grid = urban_grid(session)
    officer = login_as(client, "admin").headers
    resp = client.post("/api/v1/community/grid-reports", headers=officer, json={
        "kind": "visit", "title": "走访独居老人王某，身体状况良好",
        "lng": grid.lng, "lat": grid.lat})
    assert resp.status_code == 201, resp.text
    assert resp.json()["status"] == "recorded" and resp.json()["hazard_type"] is None
    visits = client.get("/api/v1/community/grid-reports?kind=visit", headers=officer).json()
    assert [r["title"] for r in visits["items"]] == ["走访独居老人王某，身体状况良好"]
    # A visit has no removal steps.
    step = client.post(f"/api/v1/community/grid-reports/{resp.json()['id']}/actions",
                       headers=officer, json={"action": "remove"})
    assert step.status_code == 409
    bad = client.post("/api/v1/community/grid-reports", headers=officer, json={
        "kind": "gossip", "title": "x y", "lng": grid.lng, "lat": grid.lat})
    assert bad.status_code == 422
