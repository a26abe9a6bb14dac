"""布控: a watch asked from a case, approved by someone else, checked on every batch."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.bus import consumers_from_now, drain
from tests.cases.helpers import open_case
from tests.conftest import login_as
from tests.intel.helpers import at, ingest_rows
from yanyun.core.events import OutboxEvent


def _watch(client, login, case_number: str, clock, plate="湘D8B012", days=7):
    return client.post("/api/v1/intel/watches", headers=login.headers, json={
        "plate": plate, "case_number": case_number, "reason": "肇事逃逸嫌疑车辆",
        "expires_at": (clock.now() + timedelta(days=days)).isoformat()})


def test_a_watch_needs_a_second_user_and_then_raises_exact_and_misread_hits(
    client, cameras, session, clock, runtime
):
    consumers_from_now(session, clock, "cases.watch_hits")
    session.commit()
    analyst = login_as(client, "analyst")
    case = open_case(client, analyst)
    asked = _watch(client, analyst, case["number"], clock)
    assert asked.status_code == 201 and asked.json()["status"] == "pending"
    entry = asked.json()["id"]
    decide = f"/api/v1/intel/watches/{entry}/decision"
    # The requester cannot approve their own watch; an analyst has no right to approve.
    assert client.post(decide, headers=analyst.headers, json={"approve": True}).status_code \
        == 403
    admin = login_as(client, "admin")
    rows = [{"plate": "湘D8B012", "camera": cameras.codes[0], "seen_at": at(1)}]
    ingest_rows(client, admin, "before-approval", rows)
    assert client.get("/api/v1/intel/watch-hits", headers=analyst.headers).json() == []
    supervisor = login_as(client, "supervisor")
    approved = client.post(decide, headers=supervisor.headers, json={"approve": True})
    assert approved.json()["status"] == "active" and approved.json()["decided_by"] == "supervisor"

    rows = [
        {"plate": "湘D8B012", "camera": cameras.codes[1], "seen_at": at(10)},
        {"plate": "湘D88D12", "camera": cameras.codes[2], "seen_at": at(20)},  # B, 0 misread
        {"plate": "湘D99999", "camera": cameras.codes[3], "seen_at": at(20)},
    ]
    assert ingest_rows(client, admin, "after-approval", rows).json()["accepted"] == 3
    hits = client.get("/api/v1/intel/watch-hits?status=pending", headers=analyst.headers).json()
    assert sorted((h["read_plate"], h["match"]) for h in hits) == [
        ("湘D88D12", "confusion"), ("湘D8B012", "exact")]
    raised = session.scalars(select(OutboxEvent).where(OutboxEvent.kind == "watch.hit")).all()
    assert len(raised) == 1  # one event per watch per batch, with its count
    # The operator checks the image: the misread is rejected, the exact read confirmed.
    for hit in hits:
        confirm = hit["match"] == "exact"
        done = client.post(f"/api/v1/intel/watch-hits/{hit['id']}/decision",
                           headers=analyst.headers, json={"confirm": confirm})
        assert done.json()["status"] == ("confirmed" if confirm else "rejected")
    again = client.post(f"/api/v1/intel/watch-hits/{hits[0]['id']}/decision",
                        headers=analyst.headers, json={"confirm": True})
    assert again.status_code == 409
    # The case's members see the hits on its timeline.
    assert drain(runtime, "cases.watch_hits", session=session) == 1
    timeline = client.get(f"/api/v1/cases/{case['id']}", headers=analyst.headers).json()
    [entry] = [e for e in timeline["timeline"] if e["kind"] == "watch_hit"]
    assert entry["detail"]["sightings"] == 2


def test_an_ended_or_expired_watch_matches_nothing(client, cameras, session, clock):
    analyst, supervisor = login_as(client, "analyst"), login_as(client, "supervisor")
    admin = login_as(client, "admin")
    case = open_case(client, analyst)
    entry = _watch(client, analyst, case["number"], clock, days=1).json()["id"]
    client.post(f"/api/v1/intel/watches/{entry}/decision", headers=supervisor.headers,
                json={"approve": True})
    client.post(f"/api/v1/intel/watches/{entry}/end", headers=analyst.headers)
    ingest_rows(client, admin, "after-end",
                [{"plate": "湘D8B012", "camera": cameras.codes[0], "seen_at": at(5)}])
    assert client.get("/api/v1/intel/watch-hits", headers=analyst.headers).json() == []


def test_a_watch_without_an_end_a_case_or_a_good_plate_is_refused(client, clock):
    analyst = login_as(client, "analyst")
    case = open_case(client, analyst)["number"]
    forever = _watch(client, analyst, case, clock, days=400)
    assert forever.status_code == 422 and forever.json()["error"]["field"] == "expires_at"
    past = _watch(client, analyst, case, clock, days=-1)
    assert past.status_code == 422
    no_end = client.post("/api/v1/intel/watches", headers=analyst.headers, json={
        "plate": "湘D8B012", "case_number": case, "reason": "肇事逃逸嫌疑车辆"})
    assert no_end.status_code == 422 and no_end.json()["error"]["field"] == "expires_at"
    made_up = _watch(client, analyst, "A4304-2026-9999", clock)
    assert made_up.status_code == 422 and made_up.json()["error"]["field"] == "case_number"
    bad_plate = _watch(client, analyst, case, clock, plate="NOT-A-PLATE")
    assert bad_plate.status_code == 422 and bad_plate.json()["error"]["field"] == "plate"
