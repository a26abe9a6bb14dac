"""oversight: supervised tasks, clearing ledger, inspections, risks, notifications, audit review

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 22:11:06.883182
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import yanyun.core.tables

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_sample",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("drawn_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("drawn_by", sa.String(length=26), nullable=True),
        sa.Column("since", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("until", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("entry_ids", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_sample")),
    )
    op.create_table(
        "inspection",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("template_code", sa.String(length=32), nullable=False),
        sa.Column("org_code", sa.String(length=48), nullable=False),
        sa.Column("org_path", sa.String(length=255), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("filled_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("filled_by", sa.String(length=26), nullable=True),
        sa.Column("results", sa.JSON(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection")),
        sa.UniqueConstraint(
            "template_code", "org_code", "day", name=op.f("uq_inspection_template_code")
        ),
    )
    with op.batch_alter_table("inspection", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inspection_day"), ["day"], unique=False)
        batch_op.create_index(batch_op.f("ix_inspection_org_code"), ["org_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_inspection_org_path"), ["org_path"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_inspection_template_code"), ["template_code"], unique=False
        )

    op.create_table(
        "notification",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("created_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=48), nullable=False),
        sa.Column("org_path", sa.String(length=255), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("sent_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
    )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notification_channel"), ["channel"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_notification_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_notification_next_attempt_at"), ["next_attempt_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_notification_org_path"), ["org_path"], unique=False)
        batch_op.create_index(batch_op.f("ix_notification_status"), ["status"], unique=False)

    op.create_table(
        "oversight_cursor",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.Date(), nullable=True),
        sa.Column("gaps", sa.JSON(), nullable=False),
        sa.Column("updated_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_oversight_cursor")),
    )
    op.create_table(
        "risk_point",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=24), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("owner_name", sa.String(length=64), nullable=False),
        sa.Column("owner_user_id", sa.String(length=26), nullable=True),
        sa.Column("org_code", sa.String(length=48), nullable=False),
        sa.Column("org_path", sa.String(length=255), nullable=False),
        sa.Column("cadence_days", sa.Integer(), nullable=False),
        sa.Column("lng", sa.Double(), nullable=True),
        sa.Column("lat", sa.Double(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_checked_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("next_due_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "overdue_flagged_for", yanyun.core.tables.UTCDateTime(timezone=True), nullable=True
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_point")),
    )
    with op.batch_alter_table("risk_point", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_risk_point_category"), ["category"], unique=False)
        batch_op.create_index(batch_op.f("ix_risk_point_kind"), ["kind"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_risk_point_next_due_at"), ["next_due_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_risk_point_org_code"), ["org_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_risk_point_org_path"), ["org_path"], unique=False)

    op.create_table(
        "supervised_task",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=24), nullable=False),
        sa.Column("source_ref", sa.String(length=96), nullable=False),
        sa.Column("owner_user_id", sa.String(length=26), nullable=True),
        sa.Column("owner_org_code", sa.String(length=48), nullable=False),
        sa.Column("org_path", sa.String(length=255), nullable=False),
        sa.Column("origin_org_code", sa.String(length=48), nullable=False),
        sa.Column("due_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("escalation_level", sa.Integer(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("created_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=26), nullable=True),
        sa.Column("done_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("done_by", sa.String(length=26), nullable=True),
        sa.Column("verified_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("verified_by", sa.String(length=26), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervised_task")),
        sa.UniqueConstraint("source", "source_ref", name=op.f("uq_supervised_task_source")),
    )
    with op.batch_alter_table("supervised_task", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_supervised_task_due_at"), ["due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_supervised_task_org_path"), ["org_path"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_supervised_task_owner_org_code"), ["owner_org_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_supervised_task_owner_user_id"), ["owner_user_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_supervised_task_source"), ["source"], unique=False)
        batch_op.create_index(batch_op.f("ix_supervised_task_status"), ["status"], unique=False)

    op.create_table(
        "audit_review",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("sample_id", sa.String(length=26), nullable=False),
        sa.Column("entry_id", sa.BigInteger(), nullable=False),
        sa.Column("reviewed_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reviewer_id", sa.String(length=26), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(
            ["sample_id"], ["audit_sample.id"], name=op.f("fk_audit_review_sample_id_audit_sample")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_review")),
        sa.UniqueConstraint("sample_id", "entry_id", name=op.f("uq_audit_review_sample_id")),
    )
    with op.batch_alter_table("audit_review", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_review_entry_id"), ["entry_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_review_sample_id"), ["sample_id"], unique=False)

    op.create_table(
        "clearing_entry",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("task_id", sa.String(length=26), nullable=False),
        sa.Column("org_code", sa.String(length=48), nullable=False),
        sa.Column("org_path", sa.String(length=255), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("deadline_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("settled_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["supervised_task.id"],
            name=op.f("fk_clearing_entry_task_id_supervised_task"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clearing_entry")),
        sa.UniqueConstraint("task_id", "org_code", "day", name=op.f("uq_clearing_entry_task_id")),
    )
    with op.batch_alter_table("clearing_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_clearing_entry_day"), ["day"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_clearing_entry_deadline_at"), ["deadline_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_clearing_entry_org_code"), ["org_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_clearing_entry_org_path"), ["org_path"], unique=False)
        batch_op.create_index(batch_op.f("ix_clearing_entry_outcome"), ["outcome"], unique=False)
        batch_op.create_index(batch_op.f("ix_clearing_entry_task_id"), ["task_id"], unique=False)

    op.create_table(
        "notification_attempt",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("notification_id", sa.String(length=26), nullable=False),
        sa.Column("at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["notification.id"],
            name=op.f("fk_notification_attempt_notification_id_notification"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_attempt")),
    )
    with op.batch_alter_table("notification_attempt", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notification_attempt_notification_id"), ["notification_id"], unique=False
        )

    op.create_table(
        "risk_check",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("risk_point_id", sa.String(length=26), nullable=False),
        sa.Column("at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("by_user_id", sa.String(length=26), nullable=True),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("findings", sa.Text(), nullable=True),
        sa.Column("on_time", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["risk_point_id"],
            ["risk_point.id"],
            name=op.f("fk_risk_check_risk_point_id_risk_point"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_check")),
    )
    with op.batch_alter_table("risk_check", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_risk_check_at"), ["at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_risk_check_risk_point_id"), ["risk_point_id"], unique=False
        )

    op.create_table(
        "supervised_task_step",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("task_id", sa.String(length=26), nullable=False),
        sa.Column("at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.String(length=26), nullable=True),
        sa.Column("actor_name", sa.String(length=64), nullable=True),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("from_org_code", sa.String(length=48), nullable=True),
        sa.Column("to_org_code", sa.String(length=48), nullable=True),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["supervised_task.id"],
            name=op.f("fk_supervised_task_step_task_id_supervised_task"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervised_task_step")),
    )
    with op.batch_alter_table("supervised_task_step", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_supervised_task_step_task_id"), ["task_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("supervised_task_step", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supervised_task_step_task_id"))

    op.drop_table("supervised_task_step")
    with op.batch_alter_table("risk_check", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risk_check_risk_point_id"))
        batch_op.drop_index(batch_op.f("ix_risk_check_at"))

    op.drop_table("risk_check")
    with op.batch_alter_table("notification_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_attempt_notification_id"))

    op.drop_table("notification_attempt")
    with op.batch_alter_table("clearing_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clearing_entry_task_id"))
        batch_op.drop_index(batch_op.f("ix_clearing_entry_outcome"))
        batch_op.drop_index(batch_op.f("ix_clearing_entry_org_path"))
        batch_op.drop_index(batch_op.f("ix_clearing_entry_org_code"))
        batch_op.drop_index(batch_op.f("ix_clearing_entry_deadline_at"))
        batch_op.drop_index(batch_op.f("ix_clearing_entry_day"))

    op.drop_table("clearing_entry")
    with op.batch_alter_table("audit_review", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_review_sample_id"))
        batch_op.drop_index(batch_op.f("ix_audit_review_entry_id"))

    op.drop_table("audit_review")
    with op.batch_alter_table("supervised_task", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supervised_task_status"))
        batch_op.drop_index(batch_op.f("ix_supervised_task_source"))
        batch_op.drop_index(batch_op.f("ix_supervised_task_owner_user_id"))
        batch_op.drop_index(batch_op.f("ix_supervised_task_owner_org_code"))
        batch_op.drop_index(batch_op.f("ix_supervised_task_org_path"))
        batch_op.drop_index(batch_op.f("ix_supervised_task_due_at"))

    op.drop_table("supervised_task")
    with op.batch_alter_table("risk_point", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risk_point_org_path"))
        batch_op.drop_index(batch_op.f("ix_risk_point_org_code"))
        batch_op.drop_index(batch_op.f("ix_risk_point_next_due_at"))
        batch_op.drop_index(batch_op.f("ix_risk_point_kind"))
        batch_op.drop_index(batch_op.f("ix_risk_point_category"))

    op.drop_table("risk_point")
    op.drop_table("oversight_cursor")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_status"))
        batch_op.drop_index(batch_op.f("ix_notification_org_path"))
        batch_op.drop_index(batch_op.f("ix_notification_next_attempt_at"))
        batch_op.drop_index(batch_op.f("ix_notification_created_at"))
        batch_op.drop_index(batch_op.f("ix_notification_channel"))

    op.drop_table("notification")
    with op.batch_alter_table("inspection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspection_template_code"))
        batch_op.drop_index(batch_op.f("ix_inspection_org_path"))
        batch_op.drop_index(batch_op.f("ix_inspection_org_code"))
        batch_op.drop_index(batch_op.f("ix_inspection_day"))

    op.drop_table("inspection")
    op.drop_table("audit_sample")
