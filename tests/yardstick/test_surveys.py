"""公众安全感 surveys: imported per district and quarter from CSV (UTF-8 or GBK) or XLSX, all
rows or none with each error named; read as the sense-of-safety figure, year on year."""

import io

from openpyxl import Workbook
from sqlalchemy import func, select

from tests.conftest import login_as
from yanyun.geo.models import District
from yanyun.yardstick.models import SafetySurvey


def _districts(session, n=2):
    return list(session.scalars(select(District).order_by(District.code).limit(n)))


def _post(client, headers, data: bytes):
    return client.post("/api/v1/kpi/surveys", headers=headers, content=data)


def test_a_gbk_csv_and_an_xlsx_are_read_and_the_figure_weighs_respondents(client, session):
    supervisor = login_as(client, "supervisor").headers
    a, b = _districts(session)
    csv_text = ("区县,季度,样本数,安全感\n"
                f"{a.name_zh},2026Q4,300,96%\n{b.code},2026年第4季度,100,0.88\n"
                f"{a.name_zh},2025Q4,200,90\n")
    resp = _post(client, supervisor, csv_text.encode("gbk"))
    assert resp.status_code == 200, resp.text
    assert resp.json() == {"imported": 3}
    admin = login_as(client, "admin").headers
    city = client.get("/api/v1/kpi", headers=admin, params={"month": "2026-11"}).json()
    safety = next(i for i in city["indicators"] if i["id"] == "sense_of_safety")
    assert abs(safety["value"] - (300 * 0.96 + 100 * 0.88) / 400) < 1e-9
    assert abs(safety["last_year"] - 0.90) < 1e-9  # only district a answered a year before
    one = client.get("/api/v1/kpi", headers=admin,
                     params={"month": "2026-10", "org": b.code}).json()
    assert next(i for i in one["indicators"] if i["id"] == "sense_of_safety")["value"] == 0.88
    # The same quarter again replaces it; an XLSX reads the same way.
    book = Workbook()
    book.active.append(["区县", "季度", "样本数", "安全感"])
    book.active.append([b.name_zh, "2026Q4", 120, 0.9])
    data = io.BytesIO()
    book.save(data)
    assert _post(client, supervisor, data.getvalue()).status_code == 200
    row = session.get(SafetySurvey, (b.code, "2026Q4"))
    assert (row.respondents, row.safe_share) == (120, 0.9)


def test_one_bad_row_and_nothing_is_imported_each_error_named(client, session):
    supervisor = login_as(client, "supervisor").headers
    a, _ = _districts(session)
    csv_text = ("区县,季度,样本数,安全感\n"
                f"{a.name_zh},2026Q4,300,96%\n"
                "火星区,2026Q4,10,0.5\n"
                f"{a.code},2026Q5,abc,150%\n"
                f"{a.code},2026Q4,20,0.9\n")
    resp = _post(client, supervisor, csv_text.encode("utf-8"))
    assert resp.status_code == 422
    errors = resp.json()["error"]["details"]["errors"]
    got = {(e["line"], e["field"]) for e in errors}
    assert got == {(3, "district"), (4, "quarter"), (4, "respondents"), (4, "safe_share"),
                   (5, "district")}
    assert all(e["zh"] and e["en"] for e in errors)
    assert session.scalar(select(func.count()).select_from(SafetySurvey)) == 0


def test_a_file_without_the_columns_or_rights_is_refused(client):
    supervisor = login_as(client, "supervisor").headers
    resp = _post(client, supervisor, "地区,比例\n珠晖区,0.9\n".encode())
    assert resp.status_code == 422 and "缺少列" in resp.text
    officer = login_as(client, "officer").headers
    assert _post(client, officer, b"x").status_code == 403
