"""core: durable outbox consumers' cursors

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 22:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import yanyun.core.tables

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "event_cursor",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column(
            "last_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("updated_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_event_cursor")),
    )


def downgrade() -> None:
    op.drop_table("event_cursor")
