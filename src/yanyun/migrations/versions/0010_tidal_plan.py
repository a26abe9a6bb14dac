"""duty: adopted tidal deployment plans (潮汐警力)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import yanyun.core.tables

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "duty_tidal_plan",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("org_path", sa.String(length=255), nullable=False),
        sa.Column("demand", sa.String(length=12), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("stands", sa.JSON(), nullable=False),
        sa.Column("hours", sa.JSON(), nullable=False),
        sa.Column("share_current", sa.Float(), nullable=False),
        sa.Column("share_recommended", sa.Float(), nullable=False),
        sa.Column("adopted_by", sa.String(length=26), nullable=True),
        sa.Column("adopted_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("superseded_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duty_tidal_plan")),
    )
    with op.batch_alter_table("duty_tidal_plan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_duty_tidal_plan_day"), ["day"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_duty_tidal_plan_org_path"), ["org_path"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("duty_tidal_plan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_duty_tidal_plan_org_path"))
        batch_op.drop_index(batch_op.f("ix_duty_tidal_plan_day"))
    op.drop_table("duty_tidal_plan")
