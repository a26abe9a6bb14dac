"""the yardstick (考核): daily figures per station-day and sub-category; callbacks (回访);
sense-of-safety surveys

Revision ID: 0019
Revises: 0017
Create Date: 2026-12-05 17:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import yanyun.core.tables

revision = "0019"
down_revision = "0017"
branch_labels = None
depends_on = None

At = yanyun.core.tables.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "kpi_daily",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("station_code", sa.String(length=24), nullable=False),
        sa.Column("sub_code", sa.String(length=8), nullable=False),
        sa.Column("category_code", sa.String(length=8), nullable=False),
        sa.Column("district_code", sa.String(length=12), nullable=False),
        sa.Column("org_path", sa.String(length=255), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("arrived", sa.Integer(), nullable=False),
        sa.Column("arrived_within", sa.Integer(), nullable=False),
        sa.Column("arrival_s_sum", sa.Float(), nullable=False),
        sa.Column("dispatch_breached", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "station_code", "sub_code", name=op.f("pk_kpi_daily")),
    )
    for column in ("category_code", "district_code", "org_path"):
        op.create_index(op.f(f"ix_kpi_daily_{column}"), "kpi_daily", [column])
    op.create_table(
        "kpi_callback",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("incident_id", sa.String(length=26), nullable=False),
        sa.Column("incident_number", sa.String(length=24), nullable=False),
        sa.Column("station_code", sa.String(length=24), nullable=False),
        sa.Column("org_path", sa.String(length=255), nullable=False),
        sa.Column("closed_at", At, nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=True),
        sa.Column("result", sa.String(length=16), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("answered_at", At, nullable=True),
        sa.Column("answered_by", sa.String(length=26), nullable=True),
        sa.Column("link_sent_at", At, nullable=True),
        sa.Column("link_nonce", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kpi_callback")),
        sa.UniqueConstraint("incident_id", name=op.f("uq_kpi_callback_incident_id")),
    )
    for column in ("station_code", "org_path", "closed_at", "status", "answered_at"):
        op.create_index(op.f(f"ix_kpi_callback_{column}"), "kpi_callback", [column])
    op.create_table(
        "kpi_safety_survey",
        sa.Column("district_code", sa.String(length=12), nullable=False),
        sa.Column("quarter", sa.String(length=7), nullable=False),
        sa.Column("org_path", sa.String(length=255), nullable=False),
        sa.Column("respondents", sa.Integer(), nullable=False),
        sa.Column("safe_share", sa.Float(), nullable=False),
        sa.Column("imported_at", At, nullable=False),
        sa.Column("imported_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("district_code", "quarter", name=op.f("pk_kpi_safety_survey")),
    )
    op.create_index(op.f("ix_kpi_safety_survey_org_path"), "kpi_safety_survey", ["org_path"])
    op.create_table(
        "kpi_monthly_report",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("sent_at", At, nullable=False),
        sa.Column("notifications", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("month", name=op.f("pk_kpi_monthly_report")),
    )


def downgrade() -> None:
    op.drop_table("kpi_monthly_report")
    op.drop_table("kpi_safety_survey")
    op.drop_table("kpi_callback")
    op.drop_table("kpi_daily")
