"""The XLSX export reads back as the view: Chinese headers, the figures, the definitions."""

import io

from openpyxl import load_workbook

from tests.conftest import login_as
from tests.yardstick.helpers import figures_now
from tests.yardstick.test_figures import _october


def test_the_workbook_holds_the_views_figures_and_definitions(client, runtime, session, clock):
    _october(client, session, clock)
    figures_now(runtime, session)
    admin = login_as(client, "admin").headers
    view = client.get("/api/v1/kpi", headers=admin, params={"month": "2026-10"}).json()
    resp = client.get("/api/v1/kpi/export.xlsx", headers=admin, params={"month": "2026-10"})
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(resp.content))
    assert book.sheetnames == ["考核指标", "指标定义"]
    rows = list(book["考核指标"].iter_rows(values_only=True))
    assert "2026-10-01 至 2026-10-31" in rows[0][0] and view["version"] in rows[1][0]
    header = rows[2]
    assert header[:6] == ("分组", "指标", "指标（英文）", "单位", "本期", "去年同期")
    by_name = {r[1]: r for r in rows[3:]}
    street = by_name["街面现行案件"]
    assert (street[4], street[5], street[6]) == (4, 2, 1.0)
    definitions = list(book["指标定义"].iter_rows(values_only=True))
    assert len(definitions) - 1 == len(view["indicators"])
    assert any(d[0] == "street_crime" and d[4] == "1001、1002、1005" for d in definitions)
