"""Owner lookup: masked, audited, refused without a case and a purpose."""

from __future__ import annotations

from sqlalchemy import select

from tests.cases.helpers import open_case
from tests.conftest import login_as
from yanyun.core.audit import AuditEntry


def test_registration_lookup_is_masked_and_audited(client, cameras, session):
    from yanyun.intel import service

    service.build_registrations(
        session=session,
        clock=session.info["clock"],
        plates=["衡阳000777"],
        kinds=["ebike"],
        seed=1,
    )
    session.commit()
    analyst = login_as(client, "analyst")
    url = "/api/v1/intel/registrations/lookup"
    refused = client.post(url, json={"plate": "衡阳000777"}, headers=analyst.headers)
    assert refused.status_code == 422
    case = open_case(client, analyst)["number"]
    body = client.post(
        url,
        json={"plate": "衡阳000777", "case_number": case, "purpose": "查找肇事车辆车主"},
        headers=analyst.headers,
    ).json()
    assert body["vehicle_kind"] == "ebike" and "*" in body["owner_id_number"]
    assert "*" in body["owner_phone"]
    audited = session.scalars(
        select(AuditEntry).where(AuditEntry.resource_type == "intel_registration")
    ).all()
    assert [e.case_number for e in audited] == [case]
