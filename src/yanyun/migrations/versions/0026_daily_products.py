"""products of the day: forecasts and tidal plans computed once a day, stored, served as is

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-05 22:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import yanyun.core.tables

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "daily_product",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("product", sa.String(length=40), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("scope", sa.String(length=255), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("computed_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("mark", sa.Integer(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_daily_product")),
        sa.UniqueConstraint("product", "day", "scope", "key",
                            name=op.f("uq_daily_product_product")),
    )
    op.create_index(op.f("ix_daily_product_day"), "daily_product", ["day"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_daily_product_day"), table_name="daily_product")
    op.drop_table("daily_product")
