"""Intake: the signed push and the file import, bad rows quarantined, re-sends idempotent."""

from __future__ import annotations

import io
import json

from sqlalchemy import select

from tests.antifraud.helpers import grid, row, signed
from tests.conftest import login_as
from yanyun.antifraud.models import FraudWarning, QuarantinedRow

URL = "/api/v1/antifraud/warnings"
PUSH = "/api/v1/antifraud/push"


def _push(client, settings, rows, source="national"):
    body, headers = signed(settings.antifraud.push_secret, {"source": source, "warnings": rows})
    return client.post(PUSH, content=body, headers=headers)


def test_a_signed_warning_is_graded_routed_and_shown_masked(client, session, settings):
    g = grid(session)
    resp = _push(client, settings, [row(g)])
    assert resp.status_code == 201, resp.text
    assert resp.json()["accepted"] == 1 and resp.json()["rejected"] == []
    [warning] = client.get(URL, headers=login_as(client, "admin").headers).json()
    assert warning["grade"] == "high" and warning["station_code"] == g.station_code
    assert warning["grid_code"] == g.code and warning["district_code"] == g.district_code
    assert warning["victim_phone"] == "138****1234" and warning["victim_name"] == "张**"
    assert "*" in warning["victim_id_number"] and warning["victim_age"] == 76
    assert warning["fraud_type"] == "police" and warning["rules_version"]
    minutes = (json.loads(json.dumps(warning))["phone_due_at"], warning["received_at"])
    assert minutes[0] > minutes[1]


def test_a_bad_or_missing_signature_is_refused(client, session, settings):
    body, headers = signed("not-the-shared-secret", {"source": "bank",
                                                      "warnings": [row(grid(session))]})
    assert client.post(PUSH, content=body, headers=headers).status_code == 401
    assert client.post(PUSH, content=body,
                       headers={"Content-Type": "application/json"}).status_code == 401
    assert session.scalar(select(FraudWarning.id)) is None


def test_a_signed_body_that_is_no_batch_is_a_422_naming_the_body(client, settings):
    body, headers = signed(settings.antifraud.push_secret, {"source": "nobody", "warnings": []})
    resp = client.post(PUSH, content=body, headers=headers)
    assert resp.status_code == 422 and resp.json()["error"]["message"]["en"]


def test_bad_rows_come_back_with_reasons_and_stay_in_quarantine(client, session, settings):
    g = grid(session)
    rows = [
        row(g, "R1"),
        row(g, "R2", victim_phone="1380734"),
        row(g, "R3", victim_id_number="110105194912310021"),
        row(g, "R4", fraud_type="中奖诈骗"),
        row(g, "R1", victim_phone="13900000000"),
        row(g, "R6", lng=10.0, lat=10.0),
        row(g, "R7", fraud_type="婚恋交友", amount_yuan=0),
    ]
    result = _push(client, settings, rows).json()
    assert result["accepted"] == 2 and result["rows"] == 7
    bad = {r["row"]: r for r in result["rejected"]}
    assert {n: r["field"] for n, r in bad.items()} == {
        2: "victim_phone", 3: "victim_id_number", 4: "fraud_type", 5: "warning_id", 6: "lng"}
    assert all(r["reason_zh"] and r["reason_en"] for r in bad.values())
    assert "第1行" in bad[5]["reason_zh"]
    kept = session.scalars(select(QuarantinedRow).order_by(QuarantinedRow.row_number)).all()
    assert [q.row_number for q in kept] == [2, 3, 4, 5, 6]
    assert kept[0].raw["victim_phone"] == "1380734"
    again = _push(client, settings, [row(g, "R1"), row(g, "R7", fraud_type="婚恋交友")]).json()
    assert again["accepted"] == 0 and again["already_known"] == 2
    assert len(session.scalars(select(FraudWarning)).all()) == 2
    # Another sender's id space is its own.
    assert _push(client, settings, [row(g, "R1")], source="bank").json()["accepted"] == 1


def _import(client, login, data, source="provincial"):
    return client.post("/api/v1/antifraud/imports", params={"source": source}, content=data,
                       headers={**login.headers, "Content-Type": "application/octet-stream"})


def test_a_gbk_csv_file_goes_in_with_its_bad_rows_named(client, session):
    g = grid(session)
    text = ("预警编号,姓名,手机号,身份证号,地址,经度,纬度,诈骗类型,涉诈账号,金额\n"
            f"P1,李秀英,13907341111,11010519491231002X,雁峰区,{g.lng},{g.lat},刷单返利,,5000\n"
            f"P2,王强,139,,雁峰区,{g.lng},{g.lat},刷单返利,,0\n")
    supervisor = login_as(client, "supervisor")
    result = _import(client, supervisor, text.encode("gbk"))
    assert result.status_code == 201, result.text
    body = result.json()
    assert body["accepted"] == 1 and [r["row"] for r in body["rejected"]] == [2]
    assert _import(client, login_as(client, "officer"), text.encode()).status_code == 403


def test_json_and_xlsx_files_are_read(client, session):
    from openpyxl import Workbook

    g = grid(session)
    supervisor = login_as(client, "supervisor")
    payload = json.dumps({"warnings": [row(g, "J1")]}, ensure_ascii=False).encode()
    assert _import(client, supervisor, payload).json()["accepted"] == 1
    book = Workbook()
    sheet = book.active
    first = row(g, "X1")
    sheet.append(list(first))
    sheet.append(list(first.values()))
    data = io.BytesIO()
    book.save(data)
    assert _import(client, supervisor, data.getvalue()).json()["accepted"] == 1
    assert _import(client, supervisor, b"\xff\xfe\x00garbage").status_code == 422


def test_outside_development_the_shipped_secret_opens_nothing(session, settings, runtime):
    import dataclasses

    from fastapi.testclient import TestClient

    from yanyun.web.app import create_app

    production = settings.model_copy(update={"env": "production"})
    live = dataclasses.replace(runtime, settings=production)
    app = TestClient(create_app(production, runtime=live), raise_server_exceptions=False)
    body, headers = signed(settings.antifraud.push_secret,
                           {"source": "bank", "warnings": [row(grid(session))]})
    assert app.post(PUSH, content=body, headers=headers).status_code == 401
