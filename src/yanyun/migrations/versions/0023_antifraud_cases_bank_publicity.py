"""anti-fraud: the case a warning became, stop-payment request states, publicity events

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05 19:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import yanyun.core.tables

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

At = yanyun.core.tables.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.add_column("case_file", sa.Column("origin_ref", sa.String(length=48), nullable=True))
    op.create_index(op.f("ix_case_file_origin_ref"), "case_file", ["origin_ref"], unique=True)
    op.add_column("antifraud_warning", sa.Column("case_id", sa.String(length=26), nullable=True))
    op.add_column("antifraud_warning",
                  sa.Column("case_number", sa.String(length=24), nullable=True))
    # Requests made before the bank adapter were recorded only.
    for column in (
        sa.Column("state", sa.String(length=12), nullable=False, server_default="recorded"),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("next_attempt_at", At, nullable=True),
        sa.Column("sent_at", At, nullable=True),
        sa.Column("answered_at", At, nullable=True),
        sa.Column("bank_ref", sa.String(length=64), nullable=False, server_default=""),
        sa.Column("last_error", sa.String(length=200), nullable=False, server_default=""),
    ):
        op.add_column("antifraud_stop_payment", column)
    op.create_index(op.f("ix_antifraud_stop_payment_state"), "antifraud_stop_payment", ["state"])
    op.create_index(op.f("ix_antifraud_stop_payment_next_attempt_at"), "antifraud_stop_payment",
                    ["next_attempt_at"])
    op.create_table(
        "antifraud_publicity",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("station_code", sa.String(length=48), nullable=False),
        sa.Column("org_path", sa.String(length=255), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("audience", sa.Integer(), nullable=False),
        sa.Column("fraud_types", sa.JSON(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", At, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_antifraud_publicity")),
    )
    for column in ("station_code", "org_path", "held_on"):
        op.create_index(op.f(f"ix_antifraud_publicity_{column}"), "antifraud_publicity",
                        [column])


def downgrade() -> None:
    op.drop_table("antifraud_publicity")
    op.drop_index(op.f("ix_antifraud_stop_payment_next_attempt_at"), "antifraud_stop_payment")
    op.drop_index(op.f("ix_antifraud_stop_payment_state"), "antifraud_stop_payment")
    with op.batch_alter_table("antifraud_stop_payment") as batch:
        for name in ("last_error", "bank_ref", "answered_at", "sent_at", "next_attempt_at",
                     "attempts", "state"):
            batch.drop_column(name)
    with op.batch_alter_table("antifraud_warning") as batch:
        batch.drop_column("case_number")
        batch.drop_column("case_id")
    op.drop_index(op.f("ix_case_file_origin_ref"), "case_file")
    with op.batch_alter_table("case_file") as batch:
        batch.drop_column("origin_ref")
