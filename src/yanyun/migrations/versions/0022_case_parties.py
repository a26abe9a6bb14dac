"""cases: persons and vehicles of interest (涉案人员/车辆) and evidence references (证据)

Revision ID: 0022
Revises: 0020
Create Date: 2026-12-05 19:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import yanyun.core.tables

revision = "0022"
down_revision = "0020"
branch_labels = None
depends_on = None

At = yanyun.core.tables.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "case_party",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("case_id", sa.String(length=26), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("role", sa.String(length=12), nullable=False),
        sa.Column("plate", sa.String(length=16), nullable=True),
        sa.Column("phone", sa.String(length=16), nullable=True),
        sa.Column("name", sa.String(length=64), nullable=True),
        sa.Column("id_number", sa.String(length=18), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("added_by", sa.String(length=64), nullable=False),
        sa.Column("added_at", At, nullable=False),
        sa.Column("removed_at", At, nullable=True),
        sa.Column("removed_by", sa.String(length=64), nullable=True),
        sa.Column("removed_reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"],
                                name=op.f("fk_case_party_case_id_case_file")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_party")),
    )
    for column in ("case_id", "plate"):
        op.create_index(op.f(f"ix_case_party_{column}"), "case_party", [column])
    op.create_table(
        "case_evidence",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("case_id", sa.String(length=26), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("photo_digest", sa.String(length=64), nullable=True),
        sa.Column("camera_code", sa.String(length=16), nullable=True),
        sa.Column("clip_start", At, nullable=True),
        sa.Column("clip_end", At, nullable=True),
        sa.Column("document_number", sa.String(length=64), nullable=True),
        sa.Column("added_by", sa.String(length=64), nullable=False),
        sa.Column("added_at", At, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"],
                                name=op.f("fk_case_evidence_case_id_case_file")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_evidence")),
    )
    op.create_index(op.f("ix_case_evidence_case_id"), "case_evidence", ["case_id"])


def downgrade() -> None:
    op.drop_table("case_evidence")
    op.drop_table("case_party")
