"""Officers: staffed by station grade, contacts masked and read only with a case, search."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from tests.cases.helpers import open_case
from tests.conftest import login_as
from tests.duty.helpers import staff
from yanyun.core.audit import AuditEntry
from yanyun.duty.models import Officer
from yanyun.geo.models import Station


def test_stations_staffed_by_grade_with_contacts_masked_and_audited(
    runtime, session, client, clock
):
    codes = staff(runtime, session, clock)
    grades = {
        s.code: s.grade for s in session.scalars(select(Station).where(Station.code.in_(codes)))
    }
    counts = Counter(session.execute(select(Officer.station_code, Officer.kind)).all())
    for code in codes:
        lo, hi = {1: (30, 40), 2: (22, 30), 3: (15, 22)}[grades[code]]
        assert lo <= counts[(code, "police")] <= hi
        assert counts[(code, "auxiliary")] >= lo
    duty = login_as(client, "duty")
    page = client.get(
        "/api/v1/duty/officers", params={"station_code": codes[0]}, headers=duty.headers
    )
    assert page.status_code == 200
    item = page.json()["items"][0]
    assert "*" in item["phone_masked"] and "phone" not in item
    url = f"/api/v1/duty/officers/{item['id']}/contact"
    refused = client.get(url, headers=duty.headers)
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "case_number"
    made_up = client.get(
        url, params={"case_number": "A2026-11", "purpose": "紧急联系当班民警"}, headers=duty.headers
    )
    assert made_up.status_code == 422 and made_up.json()["error"]["field"] == "case_number"
    case = open_case(client, duty, kind="special")["number"]
    full = client.get(
        url, params={"case_number": case, "purpose": "紧急联系当班民警"}, headers=duty.headers
    )
    assert full.status_code == 200 and "*" not in full.json()["phone"]
    logged = session.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.action == "read_personal", AuditEntry.resource_id == item["id"])
    )
    assert logged == 1


def test_a_search_for_a_percent_sign_matches_no_one(client, runtime, session, clock):
    staff(runtime, session, clock, n=1)
    duty = login_as(client, "duty")
    everyone = client.get("/api/v1/duty/officers", headers=duty.headers,
                          params={"limit": 10}).json()
    assert everyone["total"] > 0
    for wildcard in ("%", "_", "%%"):
        found = client.get("/api/v1/duty/officers", headers=duty.headers,
                           params={"q": wildcard, "limit": 10}).json()
        assert found["total"] == 0, wildcard
