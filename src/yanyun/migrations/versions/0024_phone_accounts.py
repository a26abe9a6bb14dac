"""accounts behind the phones: an officer's and a volunteer's own user

Revision ID: 0024
Revises: 0020
Create Date: 2026-12-05 20:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0020"
branch_labels = None
depends_on = None

TABLES = ("duty_officer", "volunteer")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("user_id", sa.String(length=26), nullable=True))
            batch.create_unique_constraint(batch.f(f"uq_{table}_user_id"), ["user_id"])
            batch.create_foreign_key(
                batch.f(f"fk_{table}_user_id_app_user"), "app_user", ["user_id"], ["id"]
            )


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(batch.f(f"fk_{table}_user_id_app_user"), type_="foreignkey")
            batch.drop_constraint(batch.f(f"uq_{table}_user_id"), type_="unique")
            batch.drop_column("user_id")
