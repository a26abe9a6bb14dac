"""What the cases pages read: an incident's cases, a case by its number, the G107 seed."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.cases.helpers import open_case
from tests.command.helpers import create_incident, grid_point
from tests.conftest import login_as
from yanyun.cases import scenario


def test_the_console_finds_the_cases_grown_from_an_incident(client, session):
    dispatcher = login_as(client, "dispatcher")
    incident = create_incident(client, dispatcher.headers, grid_point(session),
                               narrative="107国道向阳街道电动车撞人逃逸", sub_code="1002")
    case = open_case(client, dispatcher, title=None, incident_id=incident["id"])
    open_case(client, dispatcher, title="另一起案件")
    found = client.get("/api/v1/cases", params={"incident_id": incident["id"]},
                       headers=dispatcher.headers).json()
    assert [c["id"] for c in found] == [case["id"]]
    none = client.get("/api/v1/cases", params={"incident_id": "nothing"},
                      headers=dispatcher.headers).json()
    assert none == []


def test_an_audit_row_opens_the_case_by_its_number_within_the_same_scope(client):
    dispatcher = login_as(client, "dispatcher")
    case = open_case(client, dispatcher)
    by_number = client.get(f"/api/v1/cases/{case['number']}", headers=dispatcher.headers)
    assert by_number.status_code == 200 and by_number.json()["id"] == case["id"]
    supervisor = login_as(client, "supervisor")
    assert client.get(f"/api/v1/cases/{case['number']}",
                      headers=supervisor.headers).status_code == 200
    officer = login_as(client, "officer")
    assert client.get(f"/api/v1/cases/{case['number']}",
                      headers=officer.headers).status_code == 404


def test_the_g107_scene_is_the_latest_seven_oclock_well_in_the_past():
    morning = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)  # 10:00 in Hengyang
    assert scenario.scene_time(morning) == datetime(2026, 5, 31, 23, 0, tzinfo=UTC)
    early = datetime(2026, 6, 1, 0, 0, tzinfo=UTC)  # 08:00: 07:00 is too recent
    assert scenario.scene_time(early) == datetime(2026, 5, 30, 23, 0, tzinfo=UTC)


def test_the_g107_passages_put_the_ebike_at_the_scene_just_before_seven():
    scene_at = datetime(2026, 5, 31, 23, 0, tzinfo=UTC)
    table = scenario.passages_table(scene_at).to_pylist()
    ebike = [r for r in table if r["plate"] == scenario.PLATE]
    at_scene = [r for r in ebike if r["camera"] == scenario.CAMERAS[0][0]]
    assert len(at_scene) == 1
    assert (scene_at - at_scene[0]["seen_at"]).total_seconds() == 30
    assert len({r["plate"] for r in table}) > 3
