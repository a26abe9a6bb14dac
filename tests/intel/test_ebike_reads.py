"""The e-bike register's page reads: the list and a plate's history masked, an owner in full
only under a case the reader works on, audited."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.cases.helpers import open_case
from tests.conftest import login_as
from tests.intel.test_ebike_registry import BUYER, HEADER, OWNER, _import, _register
from yanyun.core.audit import AuditEntry
from yanyun.intel.models import Registration


def test_the_list_and_history_show_owners_masked(client):
    officer = login_as(client, "officer")
    assert _register(client, officer, plate="衡阳H00001").status_code == 201
    client.post("/api/v1/intel/registrations/衡阳H00001/transfer", json=BUYER,
                headers=officer.headers)
    client.post("/api/v1/intel/registrations/衡阳H00001/cancel", json={"reason": "车辆报废"},
                headers=officer.headers)
    listed = client.get("/api/v1/intel/registrations", params={"plate": "衡阳H"},
                        headers=officer.headers).json()
    assert [r["plate"] for r in listed] == ["衡阳H00001"]
    row = listed[0]
    assert row["owner_name"] == "王**" and row["owner_phone"] == "158****1111"
    assert row["address"] == "衡阳市蒸湘区****" and row["status"] == "cancelled"
    history = client.get("/api/v1/intel/registrations/衡阳H00001/history",
                         headers=officer.headers).json()
    assert [c["kind"] for c in history["changes"]] == [
        "registered", "transferred_from", "transferred_to", "cancelled"]
    assert [c["owner_name"] for c in history["changes"]][:3] == ["李**", "李**", "王**"]
    assert "198801011238" not in str(history)
    assert client.get("/api/v1/intel/registrations/ABC/history",
                      headers=officer.headers).json()["error"]["field"] == "plate"
    assert client.get("/api/v1/intel/registrations/衡阳H99999/history",
                      headers=officer.headers).status_code == 404
    # Reading the register is for its keepers (the stations); an analyst searches by case.
    assert client.get("/api/v1/intel/registrations",
                      headers=login_as(client, "analyst").headers).status_code == 403


def test_an_owner_in_full_names_a_case_the_reader_works_on(client, session):
    officer = login_as(client, "officer")
    _register(client, officer, plate="衡阳H00002")
    url = "/api/v1/intel/registrations/owner"
    body = {"plate": "衡阳H00002", "purpose": "查找肇事电动车车主"}
    assert client.post(url, json=body, headers=officer.headers).json()["error"]["field"] \
        == "case_number"
    # A number that is no case of theirs: refused, not merely well-formed.
    foreign = open_case(client, login_as(client, "dispatcher"))["number"]
    refused = client.post(url, json={**body, "case_number": foreign}, headers=officer.headers)
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "case_number"
    mine = open_case(client, officer)["number"]
    full = client.post(url, json={**body, "case_number": mine}, headers=officer.headers)
    assert full.status_code == 200, full.text
    assert full.json()["owner_phone"] == OWNER["owner_phone"]
    assert full.json()["owner_id_number"] == OWNER["owner_id_number"]
    audited = session.scalars(select(AuditEntry).where(
        AuditEntry.action == "read_personal", AuditEntry.resource_id == "衡阳H00002")).all()
    assert [(a.case_number, a.username) for a in audited] == [(mine, "officer")]


def test_a_gbk_file_with_a_duplicate_plate_is_refused_whole_with_the_row_named(client, session):
    officer = login_as(client, "officer")
    _register(client, officer, plate="衡阳H00003")
    before = session.scalar(select(func.count()).select_from(Registration))
    text = HEADER + (
        "衡阳H10001,张伟,430402198801011238,13907340001,雁峰区1号,爱玛,红\n"
        "衡阳H00003,王芳,43040419900515661X,13907340002,雁峰区2号,台铃,黑\n"  # registered
        "衡阳H10001,刘洋,430421197512300046,13907340003,雁峰区3号,小牛,蓝\n"  # repeats line 2
    )
    result = _import(client, officer, text.encode("gbk")).json()
    assert result["loaded"] == 0 and result["error_count"] == 2
    assert {(e["line"], e["field"]) for e in result["errors"]} == {(3, "plate"), (4, "plate")}
    assert any("第2行" in e["reason_zh"] for e in result["errors"])
    assert session.scalar(select(func.count()).select_from(Registration)) == before


def test_the_register_page_is_a_shell_that_loads_its_module(client):
    resp = client.get("/intel/ebikes")
    assert resp.status_code == 200
    assert '<script type="module" src="/static/js/pages/ebikes.js"></script>' in resp.text
    assert "<script>" not in resp.text
