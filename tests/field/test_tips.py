"""线索举报: the public files a tip without an account; officers turn it into work."""

from __future__ import annotations

import hashlib
import itertools
from datetime import timedelta

from sqlalchemy import select

from tests.conftest import login_as
from yanyun.command.models import Incident
from yanyun.field import proof
from yanyun.geo.models import Grid


def solve(challenge: str, bits: int) -> str:
    for n in itertools.count():
        digest = hashlib.sha256(f"{challenge}:{n}".encode()).digest()
        if proof.leading_zero_bits(digest) >= bits:
            return str(n)
    raise AssertionError("unreachable")


def _proof(client) -> dict:
    issued = client.get("/api/v1/tips/challenge").json()
    return {"challenge": issued["challenge"], "nonce": solve(issued["challenge"], issued["bits"])}


def _file(client, **fields):
    body = {"text": "小区地下车库经常有人深夜撬电动车锁，丢了好几辆", **_proof(client), **fields}
    return client.post("/api/v1/tips", json=body)


def _grid(session, offset: int = 0) -> Grid:
    return session.scalars(select(Grid).order_by(Grid.code).offset(offset)).first()


def test_a_tip_is_filed_followed_and_turned_into_an_incident(client, session):
    grid = _grid(session)
    filed = _file(client, place_text="雁城小区地下车库", lng=grid.lng, lat=grid.lat,
                  contact_phone="13907341111")
    assert filed.status_code == 201, filed.text
    receipt = filed.json()
    assert receipt["number"].startswith("XS") and len(receipt["receipt_code"]) == 8
    lookup = {"number": receipt["number"], "code": receipt["receipt_code"]}
    assert client.post("/api/v1/tips/status", json=lookup).json()["status"] == "received"

    dispatcher = login_as(client, "dispatcher")
    queue = client.get("/api/v1/tips?status=received", headers=dispatcher.headers).json()
    tip = next(t for t in queue["items"] if t["number"] == receipt["number"])
    assert tip["contact_phone_masked"] == "139****1111"
    done = client.post(f"/api/v1/tips/{tip['id']}/triage", headers=dispatcher.headers, json={
        "outcome": "incident", "category_code": "10", "sub_code": "1002",
        "note": "与近期系列盗窃案相关"})
    assert done.status_code == 200, done.text
    incident = session.get(Incident, done.json()["incident_id"])
    assert incident.source == "online_report" and receipt["number"] in incident.narrative
    again = client.post(f"/api/v1/tips/{tip['id']}/triage", headers=dispatcher.headers,
                        json={"outcome": "dismissed"})
    assert again.status_code == 409
    status = client.post("/api/v1/tips/status", json=lookup).json()
    assert status["status"] == "converted" and "转民警处置" in status["public_reply"]
    # The officer's own note never reaches the tipster.
    assert "系列盗窃" not in str(status)


def test_a_wrong_code_and_a_wrong_number_get_the_same_answer(client):
    receipt = _file(client).json()
    wrong_code = client.post("/api/v1/tips/status",
                             json={"number": receipt["number"], "code": "ABCDEFGH"})
    wrong_number = client.post("/api/v1/tips/status",
                               json={"number": "XS20990101000000", "code": "ABCDEFGH"})
    assert wrong_code.status_code == wrong_number.status_code == 404
    assert wrong_code.json()["error"]["code"] == wrong_number.json()["error"]["code"]


def test_an_unsolved_a_forged_a_reused_and_an_old_proof_are_refused(client, clock):
    issued = client.get("/api/v1/tips/challenge").json()
    text = {"text": "有人在桥下聚众赌博"}
    unsolved = client.post("/api/v1/tips", json={**text, "challenge": issued["challenge"],
                                                 "nonce": "x"})
    assert unsolved.status_code == 422 and unsolved.json()["error"]["field"] == "proof"
    token, at, bits, _ = issued["challenge"].split(".")
    forged_challenge = f"{token}.{at}.0.AAAAAAAAAAAAAAAAAAAAAAAA"
    forged = client.post("/api/v1/tips", json={**text, "challenge": forged_challenge,
                                               "nonce": "1"})
    assert forged.status_code == 422
    solved = {"challenge": issued["challenge"], "nonce": solve(issued["challenge"], int(bits))}
    assert client.post("/api/v1/tips", json={**text, **solved}).status_code == 201
    reused = client.post("/api/v1/tips", json={**text, **solved})
    assert reused.status_code == 422 and "已使用" in reused.json()["error"]["message"]["zh-CN"]
    stale = _proof(client)
    clock.advance(timedelta(hours=1))
    old = client.post("/api/v1/tips", json={**text, **stale})
    assert old.status_code == 422 and "expired" in old.json()["error"]["message"]["en"]


def test_one_address_files_a_handful_per_hour(client, settings):
    limit = settings.field.tips_per_client_per_hour
    codes = [_file(client).status_code for _ in range(limit + 1)]
    assert codes == [201] * limit + [429]


def test_bad_tips_are_named_and_a_tip_outside_the_city_is_refused(client):
    assert _file(client, text="x" * 2001).json()["error"]["field"] == "text"
    assert _file(client, contact_phone="call me").json()["error"]["field"] == "contact_phone"
    outside = _file(client, lng=116.4, lat=39.9)
    assert outside.status_code == 422 and outside.json()["error"]["field"] == "lng"


def test_a_station_sees_the_tips_of_its_own_area_only(client, session):
    officer = login_as(client, "officer")
    station = client.get("/api/v1/auth/me", headers=officer.headers).json()["user"]["org_code"]
    mine = session.scalars(select(Grid).where(Grid.station_code == station)).first()
    other = session.scalars(select(Grid).where(Grid.station_code != station)).first()
    near = _file(client, lng=mine.lng, lat=mine.lat).json()["number"]
    far = _file(client, lng=other.lng, lat=other.lat).json()["number"]
    unplaced = _file(client).json()["number"]
    listed = client.get("/api/v1/tips", headers=officer.headers).json()["items"]
    seen = {t["number"] for t in listed}
    assert near in seen and far not in seen and unplaced not in seen
    city = {t["number"] for t in client.get(
        "/api/v1/tips", headers=login_as(client, "dispatcher").headers).json()["items"]}
    assert {near, far, unplaced} <= city
    # A tip with no place cannot become an incident until the place is confirmed.
    tip = next(t for t in client.get("/api/v1/tips", headers=login_as(
        client, "dispatcher").headers).json()["items"] if t["number"] == unplaced)
    resp = client.post(f"/api/v1/tips/{tip['id']}/triage",
                       headers=login_as(client, "dispatcher").headers,
                       json={"outcome": "incident", "category_code": "10"})
    assert resp.status_code == 422
    volunteers = login_as(client, "duty")
    assert client.get("/api/v1/tips", headers=volunteers.headers).status_code == 403
