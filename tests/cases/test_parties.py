"""Persons and vehicles of interest (涉案人员/车辆) and evidence references (证据) on a case."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.cases.helpers import open_case
from tests.conftest import login_as
from yanyun.cases.models import CaseParty
from yanyun.core.audit import AuditEntry
from yanyun.intel.models import Camera

PHONE = {"kind": "phone", "role": "suspect", "phone": "13907341234", "note": "报警人提供"}
PERSON = {"kind": "person", "role": "witness", "name": "李建国",
          "id_number": "430402198801011238", "phone": "15873421111"}


def _url(case: dict, tail: str = "") -> str:
    return f"/api/v1/cases/{case['id']}{tail}"


def test_parties_are_added_in_a_role_shown_masked_and_on_the_timeline(client, session):
    officer = login_as(client, "officer")
    case = open_case(client, officer)
    made = client.post(_url(case, "/parties"), json=PHONE, headers=officer.headers)
    assert made.status_code == 201, made.text
    client.post(_url(case, "/parties"), json={"kind": "ebike", "role": "suspect",
                                              "plate": "衡阳 G10707"}, headers=officer.headers)
    client.post(_url(case, "/parties"), json={"kind": "plate", "role": "other",
                                              "plate": "湘d12345"}, headers=officer.headers)
    body = client.post(_url(case, "/parties"), json=PERSON, headers=officer.headers).json()
    parties = {p["kind"]: p for p in body["parties"]}
    assert parties["phone"]["phone"] == "139****1234" and parties["phone"]["role"] == "suspect"
    assert parties["ebike"]["plate"] == "衡阳G10707" and parties["plate"]["plate"] == "湘D12345"
    person = parties["person"]
    assert person["name"] == "李**" and person["id_number"] == "430***********1238"
    assert person["phone"] == "158****1111"
    added = [e for e in body["timeline"] if e["kind"] == "party_added"]
    assert len(added) == 4
    text = " ".join(e["text"] for e in body["timeline"])
    assert "13907341234" not in text and "李建国" not in text and "衡阳G10707" in text
    # Stored whole: the case needs the number to act on it.
    stored = session.scalar(select(CaseParty).where(CaseParty.kind == "phone"))
    assert stored.phone == "13907341234"


def test_revealing_a_party_is_a_read_bound_to_the_case_and_audited(client, session):
    officer, analyst = login_as(client, "officer"), login_as(client, "analyst")
    case = open_case(client, officer)
    party = client.post(_url(case, "/parties"), json=PHONE,
                        headers=officer.headers).json()["parties"][0]
    reveal = _url(case, f"/parties/{party['id']}/reveal")
    shown = client.post(reveal, json={"purpose": "联系嫌疑人核实身份"}, headers=officer.headers)
    assert shown.status_code == 200, shown.text
    assert shown.json()["phone"] == "13907341234"
    assert shown.json()["case_number"] == case["number"]
    row = session.scalar(select(AuditEntry).where(AuditEntry.resource_type == "case_party",
                                                  AuditEntry.action == "read_personal"))
    assert row.case_number == case["number"] and row.username == "officer"
    assert row.action == "read_personal" and "13907341234" not in str(row.detail)
    timeline = client.get(_url(case), headers=officer.headers).json()["timeline"]
    assert [e for e in timeline if e["kind"] == "search" and "case_party" in e["text"]]
    # Without a purpose in words: refused. Not a member: the case is not there.
    assert client.post(reveal, json={"purpose": "xxxx"},
                       headers=officer.headers).json()["error"]["field"] == "purpose"
    assert client.post(reveal, json={"purpose": "联系嫌疑人核实身份"},
                       headers=analyst.headers).status_code == 404
    # A supervisor of the area reads the case (masked) but is no member: no full read.
    supervisor = login_as(client, "supervisor")
    seen = client.get(_url(case), headers=supervisor.headers)
    assert seen.status_code == 200 and seen.json()["parties"][0]["phone"] == "139****1234"
    assert client.post(reveal, json={"purpose": "督察核查案件信息"},
                       headers=supervisor.headers).status_code == 403
    # They may add to it (a witness they found), as the case's overseers.
    assert client.post(_url(case, "/parties"), json=PERSON,
                       headers=supervisor.headers).status_code == 201
    # A suspended case grants no read.
    client.post(_url(case, "/status"), json={"status": "suspended"}, headers=officer.headers)
    refused = client.post(reveal, json={"purpose": "联系嫌疑人核实身份"}, headers=officer.headers)
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "case_number"


def test_bad_parties_name_the_field_in_both_languages(client):
    officer = login_as(client, "officer")
    case = open_case(client, officer)

    def refused(body: dict) -> dict:
        resp = client.post(_url(case, "/parties"), json=body, headers=officer.headers)
        assert resp.status_code == 422, resp.text
        return resp.json()["error"]

    error = refused({"kind": "plate", "role": "suspect", "plate": "ABC123"})
    assert error["field"] == "plate" and error["message"]["zh-CN"] and error["message"]["en"]
    # An e-bike plate is not a car plate, nor the other way round.
    assert refused({"kind": "plate", "role": "suspect", "plate": "衡阳G10707"})["field"] == "plate"
    assert refused({"kind": "ebike", "role": "suspect", "plate": "湘D12345"})["field"] == "plate"
    assert refused({"kind": "phone", "role": "victim", "phone": "23907341234"})["field"] == "phone"
    bad_id = refused({**PERSON, "id_number": "430402198801011239"})
    assert bad_id["field"] == "id_number" and "校验" in bad_id["message"]["zh-CN"]
    assert refused({"kind": "person", "role": "other"})["field"] == "name"
    wrong_role = client.post(_url(case, "/parties"), json={**PHONE, "role": "boss"},
                             headers=officer.headers)
    assert wrong_role.status_code == 422
    long_note = client.post(_url(case, "/parties"), json={**PHONE, "note": "长" * 501},
                            headers=officer.headers)
    assert long_note.status_code == 422


def test_a_non_member_neither_adds_nor_reads_parties(client):
    officer, analyst = login_as(client, "officer"), login_as(client, "analyst")
    case = open_case(client, officer)
    client.post(_url(case, "/parties"), json=PHONE, headers=officer.headers)
    assert client.post(_url(case, "/parties"), json=PHONE,
                       headers=analyst.headers).status_code == 404
    assert client.get(_url(case), headers=analyst.headers).status_code == 404
    assert client.post(_url(case, "/evidence"), headers=analyst.headers, json={
        "kind": "document", "title": "询问笔录", "document_number": "衡公刑字2026第118号",
    }).status_code == 404
    # Once a member, they do.
    client.post(_url(case, "/members"), json={"username": "analyst"}, headers=officer.headers)
    assert client.post(_url(case, "/parties"), json=PERSON,
                       headers=analyst.headers).status_code == 201


def test_removing_a_party_keeps_it_with_who_and_why(client):
    officer = login_as(client, "officer")
    case = open_case(client, officer)
    party = client.post(_url(case, "/parties"), json=PHONE,
                        headers=officer.headers).json()["parties"][0]
    url = _url(case, f"/parties/{party['id']}/remove")
    gone = client.post(url, json={"reason": "号码为误报"}, headers=officer.headers)
    assert gone.status_code == 200, gone.text
    kept = gone.json()["parties"][0]
    assert kept["removed_at"] and kept["removed_by"] == "officer"
    assert kept["removed_reason"] == "号码为误报"
    assert "party_removed" in [e["kind"] for e in gone.json()["timeline"]]
    assert client.post(url, json={"reason": "号码为误报"}, headers=officer.headers).status_code \
        == 409
    other = open_case(client, officer)
    assert client.post(_url(other, f"/parties/{party['id']}/remove"), json={"reason": "误报"},
                       headers=officer.headers).status_code == 404


def test_evidence_references_are_bounded_and_on_the_workspace(client, session, clock):
    officer = login_as(client, "officer")
    case = open_case(client, officer)
    session.add(Camera(code="CAM-G107-01", kind="hd_video", name_zh="107国道向阳街道",
                       lng=112.6, lat=26.9, grid_code="g", station_code="s", district_code="d",
                       installed_at=clock.now() - timedelta(days=400)))
    session.flush()
    start = clock.now() - timedelta(hours=2)
    url = _url(case, "/evidence")
    bodies = [
        {"kind": "photo", "title": "现场照片：倒地电动车", "photo_digest": "AB" * 32},
        {"kind": "clip", "title": "107国道卡口录像", "camera_code": "CAM-G107-01",
         "clip_start": start.isoformat(), "clip_end": (start + timedelta(minutes=10)).isoformat()},
        {"kind": "document", "title": "交通事故认定书",
         "document_number": "衡公交认字〔2026〕118号"},
    ]
    for body in bodies:
        made = client.post(url, json=body, headers=officer.headers)
        assert made.status_code == 201, made.text
    detail = made.json()
    assert [e["kind"] for e in detail["evidence"]] == ["photo", "clip", "document"]
    assert detail["evidence"][0]["photo_digest"] == "ab" * 32
    assert detail["evidence"][0]["added_by"] == "officer"
    assert len([e for e in detail["timeline"] if e["kind"] == "evidence_added"]) == 3

    def field(body: dict) -> str:
        resp = client.post(url, json=body, headers=officer.headers)
        assert resp.status_code == 422, resp.text
        return resp.json()["error"]["field"]

    assert field({**bodies[0], "photo_digest": "zz" * 32}) == "photo_digest"
    assert field({**bodies[1], "camera_code": "NOPE"}) == "camera_code"
    assert field({**bodies[1], "clip_end": (start + timedelta(hours=25)).isoformat()}) \
        == "clip_end"
    assert field({**bodies[1], "clip_end": start.isoformat()}) == "clip_end"
    future = clock.now() + timedelta(hours=1)
    assert field({**bodies[1], "clip_start": future.isoformat(),
                  "clip_end": (future + timedelta(minutes=5)).isoformat()}) == "clip_start"
    assert field({**bodies[2], "document_number": "<b>x</b>"}) == "document_number"
    assert client.post(url, json={**bodies[2], "title": "题" * 201},
                       headers=officer.headers).status_code == 422
