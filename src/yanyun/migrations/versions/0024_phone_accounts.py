"""accounts behind the phones (an officer's and a volunteer's own user), the app's
heartbeat and the texts sent for dispatches it did not hear

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05 20:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import yanyun.core.tables

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

TABLES = ("duty_officer", "volunteer")
At = yanyun.core.tables.UTCDateTime(timezone=True)


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("user_id", sa.String(length=26), nullable=True))
            batch.create_unique_constraint(batch.f(f"uq_{table}_user_id"), ["user_id"])
            batch.create_foreign_key(
                batch.f(f"fk_{table}_user_id_app_user"), "app_user", ["user_id"], ["id"]
            )


    with op.batch_alter_table("field_shift") as batch:
        batch.add_column(sa.Column("last_seen_at", At, nullable=True))
    # A photo may belong to a grid report instead of an incident.
    with op.batch_alter_table("field_photo") as batch:
        batch.alter_column("incident_id", existing_type=sa.String(length=26), nullable=True)
    op.create_table(
        "field_dispatch_text",
        sa.Column("assignment_id", sa.String(length=26), nullable=False),
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("sent_at", At, nullable=False),
        sa.Column("notification_id", sa.String(length=26), nullable=True),
        sa.ForeignKeyConstraint(["assignment_id"], ["assignment.id"],
                                name=op.f("fk_field_dispatch_text_assignment_id_assignment")),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"],
                                name=op.f("fk_field_dispatch_text_user_id_app_user")),
        sa.PrimaryKeyConstraint("assignment_id", "user_id", name=op.f("pk_field_dispatch_text")),
    )
    op.create_index(op.f("ix_field_dispatch_text_sent_at"), "field_dispatch_text", ["sent_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_field_dispatch_text_sent_at"), table_name="field_dispatch_text")
    op.drop_table("field_dispatch_text")
    with op.batch_alter_table("field_shift") as batch:
        batch.drop_column("last_seen_at")
    with op.batch_alter_table("field_photo") as batch:
        batch.alter_column("incident_id", existing_type=sa.String(length=26), nullable=False)
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(batch.f(f"fk_{table}_user_id_app_user"), type_="foreignkey")
            batch.drop_constraint(batch.f(f"uq_{table}_user_id"), type_="unique")
            batch.drop_column("user_id")
