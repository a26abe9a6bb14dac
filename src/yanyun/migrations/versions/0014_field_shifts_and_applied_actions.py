"""the field app: crews on units, keys applied once, tips, photos; incident outcomes

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 12:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import yanyun.core.tables

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("incident") as batch:
        batch.add_column(sa.Column("outcome", sa.String(length=16), nullable=True))
    op.create_table(
        "applied_action",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("actor_id", sa.String(length=26), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("answer", sa.JSON(), nullable=False),
        sa.Column("applied_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_applied_action")),
    )
    op.create_index(op.f("ix_applied_action_actor_id"), "applied_action", ["actor_id"])
    op.create_index(op.f("ix_applied_action_applied_at"), "applied_action", ["applied_at"])
    op.create_table(
        "field_shift",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("unit_id", sa.String(length=32), nullable=False),
        sa.Column("org_path", sa.String(length=255), nullable=False),
        sa.Column("started_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("pin_hash", sa.String(length=255), nullable=True),
        sa.Column("pin_failures", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_field_shift_user_id_app_user")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_field_shift_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_field_shift")),
    )
    for column in ("user_id", "unit_id", "org_path", "ended_at"):
        op.create_index(op.f(f"ix_field_shift_{column}"), "field_shift", [column])


    op.create_table(
        "field_tip",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("receipt_digest", sa.String(length=64), nullable=False),
        sa.Column("received_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("place_text", sa.String(length=200), nullable=True),
        sa.Column("lng", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("org_path", sa.String(length=255), nullable=False),
        sa.Column("contact_phone", sa.String(length=32), nullable=True),
        sa.Column("client", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("public_reply", sa.String(length=500), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("handled_by", sa.String(length=64), nullable=True),
        sa.Column("handled_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("incident_id", sa.String(length=26), nullable=True),
        sa.Column("report_id", sa.String(length=26), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_field_tip")),
        sa.UniqueConstraint("number", name=op.f("uq_field_tip_number")),
    )
    for column in ("received_at", "org_path", "client", "status"):
        op.create_index(op.f(f"ix_field_tip_{column}"), "field_tip", [column])
    op.create_table(
        "field_spent_challenge",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("spent_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_field_spent_challenge")),
    )
    op.create_index(
        op.f("ix_field_spent_challenge_spent_at"), "field_spent_challenge", ["spent_at"]
    )
    op.create_table(
        "field_photo",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.String(length=26), nullable=False),
        sa.Column("org_path", sa.String(length=255), nullable=False),
        sa.Column("unit_id", sa.String(length=32), nullable=True),
        sa.Column("taken_by", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_field_photo_incident_id_incident")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_field_photo")),
    )
    for column in ("digest", "incident_id", "org_path"):
        op.create_index(op.f(f"ix_field_photo_{column}"), "field_photo", [column])


def downgrade() -> None:
    with op.batch_alter_table("incident") as batch:
        batch.drop_column("outcome")
    op.drop_table("field_photo")
    op.drop_table("field_spent_challenge")
    op.drop_table("field_tip")
    op.drop_table("field_shift")
    op.drop_table("applied_action")
