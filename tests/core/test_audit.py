import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError

from yanyun.auth.models import OrgUnit
from yanyun.core import audit
from yanyun.core.audit import AuditEntry
from yanyun.core.errors import Invalid
from yanyun.registry import install_work_checks


def test_every_flushed_write_is_audited_with_its_actor(session):
    session.info.update(actor_id="U1", actor_username="zhang", actor_role="admin")
    unit = session.get(OrgUnit, "430400")
    unit.name_en = "Hengyang PSB"
    session.flush()
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.resource_id == "430400").order_by(AuditEntry.id.desc())
    ).first()
    assert (entry.action, entry.username, entry.role) == ("update", "zhang", "admin")
    assert entry.detail == {"fields": ["name_en"]}


@pytest.fixture
def work_of_u1(session):
    """The kernel's port alone: a check that calls "A2026-1" user u1's work."""
    session.info["actor_id"] = "u1"
    audit.install_work_checks((lambda _s, user, ref: user == "u1" and ref == "A2026-1",))
    yield
    install_work_checks()


def test_personal_read_requires_case_number_and_purpose(session, clock, work_of_u1):
    with pytest.raises(Invalid) as err:
        audit.record_personal_read(
            session,
            clock=clock,
            resource_type="app_user",
            resource_id="x",
            purpose="核查",
            case_number=None,
        )
    assert err.value.field == "case_number"
    with pytest.raises(Invalid) as err:
        audit.record_personal_read(
            session,
            clock=clock,
            resource_type="app_user",
            resource_id="x",
            purpose="看",
            case_number="A2026-1",
        )
    assert err.value.field == "purpose"
    entry = audit.record_personal_read(
        session,
        clock=clock,
        resource_type="app_user",
        resource_id="x",
        purpose="核查肇事车辆车主",
        case_number="A2026-1",
    )
    session.flush()
    assert entry.id is not None
    # A well-formed number that is not the reader's work is refused.
    with pytest.raises(Invalid) as err:
        audit.record_personal_read(
            session, clock=clock, resource_type="app_user", resource_id="x",
            purpose="核查肇事车辆车主", case_number="A2026-2",
        )
    assert err.value.field == "case_number"
    session.info["actor_id"] = "u2"
    with pytest.raises(Invalid):
        audit.record_personal_read(
            session, clock=clock, resource_type="app_user", resource_id="x",
            purpose="核查肇事车辆车主", case_number="A2026-1",
        )


@pytest.mark.parametrize("statement", ["update", "delete"])
def test_database_refuses_to_change_audit_entries(session, clock, statement):
    audit.record(session, clock=clock, action="test", resource_type="t", resource_id="1")
    session.flush()
    stmt = (
        update(AuditEntry).values(action="forged") if statement == "update" else delete(AuditEntry)
    )
    with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
        session.execute(stmt)


@pytest.mark.parametrize(
    ("case_number", "purpose", "field"),
    [
        ("X", "核实报警人身份", "case_number"),
        ("123", "核实报警人身份", "case_number"),
        ("A2026-11", "xxxx", "purpose"),
        ("A2026-11", "。。。。。", "purpose"),
        ("A2026-11", "1234", "purpose"),
    ],
)
def test_the_obviously_empty_is_no_purpose(session, clock, case_number, purpose, field):
    with pytest.raises(Invalid) as err:
        audit.record_personal_read(
            session, clock=clock, resource_type="x", resource_id="1",
            purpose=purpose, case_number=case_number,
        )
    assert err.value.field == field
