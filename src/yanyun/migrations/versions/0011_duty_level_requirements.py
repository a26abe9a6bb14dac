"""duty: staffing requirements by skill, certification and post on duty levels

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24 01:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("duty_level") as batch:
        batch.add_column(
            sa.Column("requirements", sa.JSON(), nullable=False, server_default="[]")
        )


def downgrade() -> None:
    with op.batch_alter_table("duty_level") as batch:
        batch.drop_column("requirements")
