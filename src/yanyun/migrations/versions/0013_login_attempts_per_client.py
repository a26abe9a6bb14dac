"""logins throttled per client: failed attempts are looked up by client and time

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 10:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_login_attempt_client_at", "login_attempt", ["client", "at"])


def downgrade() -> None:
    op.drop_index("ix_login_attempt_client_at", table_name="login_attempt")
