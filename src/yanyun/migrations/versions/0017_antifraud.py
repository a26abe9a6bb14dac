"""anti-fraud early warning (反电诈): warnings, contacts, stop-payments, quarantine

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 17:05:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import yanyun.core.tables

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

At = yanyun.core.tables.UTCDateTime(timezone=True)


def _warning_columns() -> list[sa.Column]:
    return [
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("number", sa.String(length=24), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("sender_ref", sa.String(length=64), nullable=False),
        sa.Column("batch_id", sa.String(length=26), nullable=False),
        sa.Column("received_at", At, nullable=False),
        sa.Column("contacted_at", At, nullable=True),
        sa.Column("victim_name", sa.String(length=64), nullable=False),
        sa.Column("victim_phone", sa.String(length=16), nullable=False),
        sa.Column("victim_id_number", sa.String(length=18), nullable=True),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("lng", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("district_code", sa.String(length=32), nullable=False),
        sa.Column("station_code", sa.String(length=48), nullable=False),
        sa.Column("grid_code", sa.String(length=64), nullable=False),
        sa.Column("org_path", sa.String(length=255), nullable=False),
        sa.Column("fraud_type", sa.String(length=24), nullable=False),
        sa.Column("suspect_account", sa.String(length=64), nullable=False),
        sa.Column("amount_yuan", sa.Float(), nullable=False),
        sa.Column("grade", sa.String(length=8), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("rules_version", sa.String(length=32), nullable=False),
        sa.Column("grade_reasons", sa.JSON(), nullable=False),
        sa.Column("phone_due_at", At, nullable=False),
        sa.Column("visit_due_at", At, nullable=False),
        sa.Column("first_phone_at", At, nullable=True),
        sa.Column("first_visit_at", At, nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("closed_at", At, nullable=True),
        sa.Column("overdue_at", At, nullable=True),
        sa.Column("repeat_victim", sa.Boolean(), nullable=False),
        sa.Column("repeat_suspect", sa.Boolean(), nullable=False),
        sa.Column("stopped_yuan", sa.Float(), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_antifraud_warning")),
        sa.UniqueConstraint("number", name=op.f("uq_antifraud_warning_number")),
        sa.UniqueConstraint("source", "sender_ref",
                            name=op.f("uq_antifraud_warning_source")),
    ]


WARNING_INDEXES = ("source", "batch_id", "received_at", "victim_phone", "victim_id_number",
                   "district_code", "station_code", "org_path", "fraud_type",
                   "suspect_account", "grade", "phone_due_at", "visit_due_at", "status",
                   "outcome", "overdue_at")


def upgrade() -> None:
    op.create_table("antifraud_warning", *_warning_columns())
    for column in WARNING_INDEXES:
        op.create_index(op.f(f"ix_antifraud_warning_{column}"), "antifraud_warning", [column])
    op.create_table(
        "antifraud_contact",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("warning_id", sa.String(length=26), nullable=False),
        sa.Column("at", At, nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column("reached", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(["warning_id"], ["antifraud_warning.id"],
                                name=op.f("fk_antifraud_contact_warning_id_antifraud_warning")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_antifraud_contact")),
    )
    op.create_index(op.f("ix_antifraud_contact_warning_id"), "antifraud_contact", ["warning_id"])
    op.create_table(
        "antifraud_stop_payment",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("warning_id", sa.String(length=26), nullable=False),
        sa.Column("requested_at", At, nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("bank", sa.String(length=64), nullable=False),
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.Column("amount_lost_yuan", sa.Float(), nullable=False),
        sa.Column("amount_stopped_yuan", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["warning_id"], ["antifraud_warning.id"],
            name=op.f("fk_antifraud_stop_payment_warning_id_antifraud_warning")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_antifraud_stop_payment")),
    )
    op.create_index(op.f("ix_antifraud_stop_payment_warning_id"), "antifraud_stop_payment",
                    ["warning_id"])
    op.create_table(
        "antifraud_quarantine",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("batch_id", sa.String(length=26), nullable=False),
        sa.Column("received_at", At, nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=32), nullable=False),
        sa.Column("reason_zh", sa.String(length=200), nullable=False),
        sa.Column("reason_en", sa.String(length=200), nullable=False),
        sa.Column("raw", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_antifraud_quarantine")),
    )
    op.create_index(op.f("ix_antifraud_quarantine_batch_id"), "antifraud_quarantine",
                    ["batch_id"])
    op.create_index(op.f("ix_antifraud_quarantine_received_at"), "antifraud_quarantine",
                    ["received_at"])


def downgrade() -> None:
    op.drop_table("antifraud_quarantine")
    op.drop_table("antifraud_stop_payment")
    op.drop_table("antifraud_contact")
    op.drop_table("antifraud_warning")
