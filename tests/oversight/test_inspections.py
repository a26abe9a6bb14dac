"""Daily checklists: a failed item becomes a task, one filling a day, every item answered."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.bus import consumers_from_now
from tests.conftest import login_as
from tests.oversight.helpers import API, checklist_results, station_of, tasks_made
from yanyun.oversight.models import SupervisedTask


def test_failed_checklist_item_becomes_a_task_and_a_day_allows_one_filling(
    client, runtime, session, clock
):
    consumers_from_now(session, clock, "oversight.tasks")
    session.commit()
    chief = login_as(client, "chief")
    station = station_of(session, "chief")
    body = {"template_code": "front_line",
            "results": checklist_results(client, chief, "front_line", failing=("duty_roster",))}
    resp = client.post(f"{API}/inspections", headers=chief.headers, json=body)
    assert resp.status_code == 201, resp.text
    assert resp.json()["failed"] == 1 and resp.json()["org_code"] == station.code
    assert client.post(f"{API}/inspections", headers=chief.headers, json=body).status_code == 409
    assert tasks_made(runtime, session) == 1
    task = session.scalars(select(SupervisedTask).where(
        SupervisedTask.source == "inspection_finding")).one()
    assert task.owner_org_code == station.code and "值班表" in task.title
    # Tomorrow the checklist is due again.
    clock.advance(timedelta(days=1))
    chief = login_as(client, "chief")
    assert client.post(f"{API}/inspections", headers=chief.headers, json=body).status_code == 201


def test_checklist_must_answer_every_item_once(client, session):
    chief = login_as(client, "chief")
    results = checklist_results(client, chief, "support")
    for bad in (results[:-1], [*results, results[0]], [*results[:-1], {"code": "x", "ok": True}]):
        resp = client.post(f"{API}/inspections", headers=chief.headers,
                           json={"template_code": "support", "results": bad})
        assert resp.status_code == 422 and resp.json()["error"]["field"] == "results"
    resp = client.post(f"{API}/inspections", headers=chief.headers,
                       json={"template_code": "nope", "results": results})
    assert resp.status_code == 422 and resp.json()["error"]["field"] == "template_code"
