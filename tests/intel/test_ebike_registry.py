"""电动车登记: register, transfer, cancel; a register imported whole or not at all."""

from __future__ import annotations

import io

from openpyxl import Workbook
from sqlalchemy import func, select

from tests.cases.helpers import open_case
from tests.conftest import login_as
from yanyun.intel.models import Registration, RegistrationChange

OWNER = {"owner_name": "李建国", "owner_id_number": "430402198801011238",
         "owner_phone": "13907341234", "address": "衡阳市雁峰区先锋路18号"}
BUYER = {"owner_name": "王秀英", "owner_id_number": "43040419900515661X",
         "owner_phone": "15873421111", "address": "衡阳市蒸湘区解放大道9号"}
HEADER = "号牌,车主姓名,身份证号,手机号,住址,品牌,颜色\n"


def _register(client, login, plate="衡阳123456", **fields):
    body = {"plate": plate, "brand": "雅迪", "colour": "白", **OWNER, **fields}
    return client.post("/api/v1/intel/registrations", json=body, headers=login.headers)


def _import(client, login, data: bytes):
    return client.post("/api/v1/intel/registrations/import", content=data,
                       headers={**login.headers, "Content-Type": "application/octet-stream"})


def test_an_ebike_is_registered_transferred_and_cancelled_with_its_history(client, session):
    officer = login_as(client, "officer")
    made = _register(client, officer)
    assert made.status_code == 201, made.text
    assert made.json()["owner_id_number"] == "430" + "*" * 11 + "1238"
    assert _register(client, officer).status_code == 409
    moved = client.post("/api/v1/intel/registrations/衡阳123456/transfer", json=BUYER,
                        headers=officer.headers)
    assert moved.status_code == 200 and moved.json()["owner_name"] == "王**"
    # The owner, read under a case: the buyer now.
    analyst = login_as(client, "analyst")
    case = open_case(client, analyst)["number"]
    owner = client.post("/api/v1/intel/registrations/lookup", headers=analyst.headers, json={
        "plate": "衡阳123456", "case_number": case, "purpose": "查找肇事电动车车主"}).json()
    assert owner["owner_name"] == "王秀英" and "*" in owner["owner_phone"]
    gone = client.post("/api/v1/intel/registrations/衡阳123456/cancel",
                       json={"reason": "车辆报废"}, headers=officer.headers)
    assert gone.json()["status"] == "cancelled"
    history = session.scalars(select(RegistrationChange.kind).order_by(
        RegistrationChange.at, RegistrationChange.kind)).all()
    assert sorted(history) == sorted(
        ["registered", "transferred_from", "transferred_to", "cancelled"])
    # A cancelled plate may be registered again, to someone new.
    assert _register(client, officer, **BUYER).status_code == 201


def test_bad_registrations_name_the_field(client):
    officer = login_as(client, "officer")
    assert _register(client, officer, plate="ABC").json()["error"]["field"] == "plate"
    wrong_check = _register(client, officer, owner_id_number="430402198801011239")
    assert wrong_check.json()["error"]["field"] == "owner_id_number"
    assert _register(client, officer, owner_phone="23907341234").json()["error"]["field"] \
        == "owner_phone"
    assert _register(client, login_as(client, "analyst")).status_code == 403


def test_a_gbk_register_with_bad_rows_loads_nothing_and_names_each(client, session):
    officer = login_as(client, "officer")
    before = session.scalar(select(func.count()).select_from(Registration))
    text = HEADER + (
        "衡阳200001,张伟,430402198801011238,13907340001,雁峰区1号,爱玛,红\n"
        "衡阳200002,王芳,430402198801011239,13907340002,雁峰区2号,台铃,黑\n"   # bad check digit
        "衡阳200001,刘洋,43040419900515661X,13907340003,雁峰区3号,小牛,蓝\n"   # repeats line 2
        ",陈静,430421197512300046,1390734000,雁峰区4号,新日,白\n"              # no plate, bad phone
    )
    resp = _import(client, officer, text.encode("gbk"))
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["loaded"] == 0 and body["rows"] == 4
    named = {(e["line"], e["field"]) for e in body["errors"]}
    assert named == {(3, "owner_id_number"), (4, "plate"), (5, "plate"), (5, "owner_phone")}
    assert session.scalar(select(func.count()).select_from(Registration)) == before


def test_a_clean_register_loads_whole_from_csv_and_from_excel(client, session):
    officer = login_as(client, "officer")
    csv_text = HEADER + "衡阳300001,张伟,430402198801011238,13907340001,雁峰区1号,爱玛,红\n"
    assert _import(client, officer, csv_text.encode("utf-8-sig")).json()["loaded"] == 1
    book = Workbook()
    sheet = book.active
    sheet.append(["号牌", "车主姓名", "身份证号", "手机号", "住址", "品牌", "颜色"])
    sheet.append(["衡阳300002", "王芳", "43040419900515661X", "13907340002", "蒸湘区2号",
                  "台铃", "黑"])
    sheet.append(["衡阳300003", "刘洋", "430421197512300046", "13907340003", "石鼓区3号",
                  "小牛", "蓝"])
    out = io.BytesIO()
    book.save(out)
    result = _import(client, officer, out.getvalue()).json()
    assert result == {"loaded": 2, "rows": 2, "error_count": 0, "errors": []}
    plates = set(session.scalars(select(Registration.plate).where(
        Registration.plate.in_(["衡阳300001", "衡阳300002", "衡阳300003"]))))
    assert plates == {"衡阳300001", "衡阳300002", "衡阳300003"}
    missing = _import(client, officer, "号牌,车主姓名\n衡阳1,张\n".encode())
    assert missing.status_code == 422 and "身份证号" in missing.json()["error"]["message"]["zh-CN"]
    assert _import(client, officer, b"").status_code == 422
