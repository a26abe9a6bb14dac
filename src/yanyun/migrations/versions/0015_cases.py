"""cases (合成作战): cases, their members, incidents and timeline

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 13:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import yanyun.core.tables

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

At = yanyun.core.tables.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "case_file",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("number", sa.String(length=24), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("owner_id", sa.String(length=26), nullable=False),
        sa.Column("org_path", sa.String(length=255), nullable=False),
        sa.Column("opened_at", At, nullable=False),
        sa.Column("closed_at", At, nullable=True),
        sa.Column("occurred_at", At, nullable=True),
        sa.Column("lng", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("solved_at", At, nullable=True),
        sa.Column("suspects_detained", sa.Integer(), nullable=False),
        sa.Column("amount_recovered_yuan", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["app_user.id"],
                                name=op.f("fk_case_file_owner_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_file")),
        sa.UniqueConstraint("number", name=op.f("uq_case_file_number")),
    )
    for column in ("kind", "status", "owner_id", "org_path", "opened_at"):
        op.create_index(op.f(f"ix_case_file_{column}"), "case_file", [column])
    op.create_table(
        "case_member",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("case_id", sa.String(length=26), nullable=False),
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("role", sa.String(length=12), nullable=False),
        sa.Column("added_by", sa.String(length=64), nullable=False),
        sa.Column("added_at", At, nullable=False),
        sa.Column("removed_at", At, nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"],
                                name=op.f("fk_case_member_case_id_case_file")),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"],
                                name=op.f("fk_case_member_user_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_member")),
    )
    for column in ("case_id", "user_id", "removed_at"):
        op.create_index(op.f(f"ix_case_member_{column}"), "case_member", [column])
    op.create_table(
        "case_incident",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("case_id", sa.String(length=26), nullable=False),
        sa.Column("incident_id", sa.String(length=26), nullable=False),
        sa.Column("linked_at", At, nullable=False),
        sa.Column("linked_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"],
                                name=op.f("fk_case_incident_case_id_case_file")),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"],
                                name=op.f("fk_case_incident_incident_id_incident")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_incident")),
        sa.UniqueConstraint("case_id", "incident_id", name=op.f("uq_case_incident_case_id")),
    )
    for column in ("case_id", "incident_id"):
        op.create_index(op.f(f"ix_case_incident_{column}"), "case_incident", [column])
    op.create_table(
        "case_entry",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("case_id", sa.String(length=26), nullable=False),
        sa.Column("at", At, nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("text", sa.String(length=1000), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"],
                                name=op.f("fk_case_entry_case_id_case_file")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_entry")),
    )
    for column in ("case_id", "at"):
        op.create_index(op.f(f"ix_case_entry_{column}"), "case_entry", [column])


def downgrade() -> None:
    for table in ("case_entry", "case_incident", "case_member", "case_file"):
        op.drop_table(table)
