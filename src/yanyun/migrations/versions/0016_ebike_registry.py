"""e-bike registry (电动车登记) with history; watches (布控) and their hits

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 13:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import yanyun.core.tables

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

At = yanyun.core.tables.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("intel_registration") as batch:
        batch.add_column(
            sa.Column("status", sa.String(length=12), nullable=False, server_default="active")
        )
        batch.add_column(sa.Column("cancelled_at", At, nullable=True))
        batch.create_index(batch.f("ix_intel_registration_status"), ["status"])
    op.create_table(
        "intel_registration_change",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("registration_id", sa.String(length=26), nullable=False),
        sa.Column("at", At, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column("owner_name", sa.String(length=64), nullable=False),
        sa.Column("owner_id_number", sa.String(length=18), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["registration_id"], ["intel_registration.id"],
            name=op.f("fk_intel_registration_change_registration_id_intel_registration"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intel_registration_change")),
    )
    op.create_index(op.f("ix_intel_registration_change_registration_id"),
                    "intel_registration_change", ["registration_id"])
    op.create_table(
        "intel_watch",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("plate", sa.String(length=16), nullable=False),
        sa.Column("canonical", sa.String(length=16), nullable=False),
        sa.Column("case_number", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("org_path", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("requested_at", At, nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", At, nullable=True),
        sa.Column("expires_at", At, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intel_watch")),
    )
    for column in ("plate", "canonical", "case_number", "org_path", "status", "expires_at"):
        op.create_index(op.f(f"ix_intel_watch_{column}"), "intel_watch", [column])
    op.create_table(
        "intel_watch_hit",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("entry_id", sa.String(length=26), nullable=False),
        sa.Column("case_number", sa.String(length=64), nullable=False),
        sa.Column("org_path", sa.String(length=255), nullable=False),
        sa.Column("read_plate", sa.String(length=16), nullable=False),
        sa.Column("match", sa.String(length=12), nullable=False),
        sa.Column("camera", sa.String(length=16), nullable=False),
        sa.Column("seen_at", At, nullable=False),
        sa.Column("raised_at", At, nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", At, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intel_watch_hit")),
    )
    for column in ("entry_id", "case_number", "org_path", "raised_at", "status"):
        op.create_index(op.f(f"ix_intel_watch_hit_{column}"), "intel_watch_hit", [column])


def downgrade() -> None:
    op.drop_table("intel_watch_hit")
    op.drop_table("intel_watch")
    op.drop_table("intel_registration_change")
    with op.batch_alter_table("intel_registration") as batch:
        batch.drop_index(batch.f("ix_intel_registration_status"))
        batch.drop_column("cancelled_at")
        batch.drop_column("status")
