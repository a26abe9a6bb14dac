"""events carry an audience: users outside their unit who may follow them (a case's members)

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05 19:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_event") as batch:
        batch.add_column(sa.Column("audience", sa.String(length=2000), nullable=False,
                                   server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("outbox_event") as batch:
        batch.drop_column("audience")
