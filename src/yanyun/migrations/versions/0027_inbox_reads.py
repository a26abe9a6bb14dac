"""the workspace's inbox: which items each user has marked read

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-05 22:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import yanyun.core.tables

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

At = yanyun.core.tables.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "inbox_read",
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("item_key", sa.String(length=64), nullable=False),
        sa.Column("read_at", At, nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"],
                                name=op.f("fk_inbox_read_user_id_app_user")),
        sa.PrimaryKeyConstraint("user_id", "item_key", name=op.f("pk_inbox_read")),
    )


def downgrade() -> None:
    op.drop_table("inbox_read")
