"""The audit rows of one warning, from its arrival to a late visit: who did what, when.

Run with ``-s`` to see the rows printed (the issue's closing note asks for them).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, select

from tests.antifraud.helpers import row
from tests.antifraud.test_work import URL, _grid_of, _push, _station, _warnings
from tests.conftest import login_as
from yanyun.antifraud.models import WarningContact
from yanyun.antifraud.overdue import flag_overdue
from yanyun.core.audit import AuditEntry


def audit_rows(session, warning_id: str, number: str) -> list[AuditEntry]:
    """Every audit row about one warning: its own row, its contacts, reads bound to it."""
    contacts = session.scalars(select(WarningContact.id).where(
        WarningContact.warning_id == warning_id)).all()
    return list(session.scalars(select(AuditEntry).where(or_(
        AuditEntry.resource_id == warning_id, AuditEntry.case_number == number,
        (AuditEntry.resource_type == "antifraud_contact") & AuditEntry.resource_id.in_(contacts),
    )).order_by(AuditEntry.id)))


def test_one_warnings_audit_rows(client, session, settings, clock):
    officer = login_as(client, "officer")
    _push(client, settings, [row(_grid_of(session, _station(client, officer)))])
    [warning] = _warnings(client, officer).values()
    url = f"{URL}/{warning['id']}"
    clock.advance(timedelta(minutes=2))
    assert client.post(f"{url}/victim", headers=officer.headers,
                       json={"purpose": "电话联系受害人劝阻"}).status_code == 200
    clock.advance(timedelta(minutes=2))
    client.post(f"{url}/contacts", headers=officer.headers,
                json={"channel": "phone", "reached": True, "note": "已电话提醒"})
    client.post(f"{url}/outcome", headers=officer.headers, json={"outcome": "dissuaded"})
    clock.advance(timedelta(minutes=70))
    client.post(f"{url}/contacts", headers=officer.headers,
                json={"channel": "visit", "reached": True, "note": "补录走访"})
    assert flag_overdue(session=session, clock=clock, settings=settings.antifraud) == 1
    session.commit()

    rows = audit_rows(session, warning["id"], warning["number"])
    print(f"\naudit rows of warning {warning['number']} ({warning['id']}):")
    for r in rows:
        print(f"  {r.at:%Y-%m-%d %H:%M:%S} {r.username or '-':8} {r.role or '-':16} "
              f"{r.action:14} {r.resource_type:18} {r.resource_id} "
              f"{r.case_number or ''} {r.purpose or ''} {r.detail}")
    trail = [(r.action, r.resource_type, r.username, r.detail.get("fields", []))
             for r in rows if r.action != "read_personal"]
    assert trail == [
        ("create", "antifraud_warning", None, []),
        ("create", "antifraud_contact", "officer", []),
        ("update", "antifraud_warning", "officer", ["first_phone_at", "status"]),
        ("update", "antifraud_warning", "officer", ["closed_at", "outcome", "status"]),
        ("create", "antifraud_contact", "officer", []),
        ("update", "antifraud_warning", "officer", ["first_visit_at"]),
        ("update", "antifraud_warning", None, ["overdue_at"]),
    ]
    [read] = [r for r in rows if r.action == "read_personal"]
    assert (read.username, read.case_number, read.purpose) == (
        "officer", warning["number"], "电话联系受害人劝阻")
    assert read.detail["fields"] == ["victim_name", "victim_phone", "victim_id_number"]
