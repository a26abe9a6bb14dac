"""command: incidents, calls, timeline, units, assignments, circles

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 20:29:37.014521
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import yanyun.core.tables

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incident",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("received_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("occurred_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("source", sa.String(length=24), nullable=False),
        sa.Column("caller_phone", sa.String(length=32), nullable=True),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column("address_text", sa.String(length=200), nullable=True),
        sa.Column("lng", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("district_code", sa.String(length=12), nullable=False),
        sa.Column("station_code", sa.String(length=24), nullable=False),
        sa.Column("grid_code", sa.String(length=32), nullable=False),
        sa.Column("org_path", sa.String(length=255), nullable=False),
        sa.Column("category_code", sa.String(length=8), nullable=False),
        sa.Column("sub_code", sa.String(length=8), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("circle_id", sa.String(length=32), nullable=True),
        sa.Column("dispatch_target_s", sa.Integer(), nullable=False),
        sa.Column("arrival_target_s", sa.Integer(), nullable=False),
        sa.Column("dispatched_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("arrived_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("dispatch_breached", sa.Boolean(), nullable=False),
        sa.Column("arrival_breached", sa.Boolean(), nullable=False),
        sa.Column("merged_into_id", sa.String(length=26), nullable=True),
        sa.Column("created_by", sa.String(length=26), nullable=True),
        sa.ForeignKeyConstraint(
            ["merged_into_id"], ["incident.id"], name=op.f("fk_incident_merged_into_id_incident")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident")),
        sa.UniqueConstraint("number", name=op.f("uq_incident_number")),
    )
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_category_code"), ["category_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_incident_district_code"), ["district_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_incident_grid_code"), ["grid_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_incident_org_path"), ["org_path"], unique=False)
        batch_op.create_index(batch_op.f("ix_incident_received_at"), ["received_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_incident_station_code"), ["station_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_incident_status"), ["status"], unique=False)

    op.create_table(
        "incident_daily_sequence",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_incident_daily_sequence")),
    )
    op.create_table(
        "response_circle",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name_zh", sa.String(length=96), nullable=False),
        sa.Column("name_en", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("lng", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("radius_m", sa.Float(), nullable=False),
        sa.Column("target_min", sa.Integer(), nullable=False),
        sa.Column("station_code", sa.String(length=24), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_response_circle")),
    )
    op.create_table(
        "unit",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("call_sign", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("station_code", sa.String(length=24), nullable=False),
        sa.Column("org_path", sa.String(length=255), nullable=False),
        sa.Column("capabilities", sa.JSON(), nullable=False),
        sa.Column("crew", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("lng", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("position_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("home_lng", sa.Float(), nullable=False),
        sa.Column("home_lat", sa.Float(), nullable=False),
        sa.Column("current_incident_id", sa.String(length=26), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit")),
    )
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unit_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_unit_org_path"), ["org_path"], unique=False)
        batch_op.create_index(batch_op.f("ix_unit_station_code"), ["station_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_unit_status"), ["status"], unique=False)

    op.create_table(
        "assignment",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("incident_id", sa.String(length=26), nullable=False),
        sa.Column("unit_id", sa.String(length=32), nullable=False),
        sa.Column("assigned_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("assigned_by", sa.String(length=26), nullable=True),
        sa.Column("eta_s", sa.Float(), nullable=True),
        sa.Column("acknowledged_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("arrived_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cleared_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_assignment_incident_id_incident")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_assignment_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment")),
        sa.UniqueConstraint(
            "incident_id", "unit_id", "assigned_at", name=op.f("uq_assignment_incident_id")
        ),
    )
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assignment_incident_id"), ["incident_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_assignment_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "incident_call",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("incident_id", sa.String(length=26), nullable=False),
        sa.Column("received_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=24), nullable=False),
        sa.Column("caller_phone", sa.String(length=32), nullable=True),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_incident_call_incident_id_incident")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_call")),
    )
    with op.batch_alter_table("incident_call", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_call_incident_id"), ["incident_id"], unique=False
        )

    op.create_table(
        "incident_transition",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("incident_id", sa.String(length=26), nullable=False),
        sa.Column("at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.String(length=26), nullable=True),
        sa.Column("actor_name", sa.String(length=64), nullable=True),
        sa.Column("unit_id", sa.String(length=32), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
            name=op.f("fk_incident_transition_incident_id_incident"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_transition")),
    )
    with op.batch_alter_table("incident_transition", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_transition_incident_id"), ["incident_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("incident_transition", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_transition_incident_id"))

    op.drop_table("incident_transition")
    with op.batch_alter_table("incident_call", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_call_incident_id"))

    op.drop_table("incident_call")
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assignment_unit_id"))
        batch_op.drop_index(batch_op.f("ix_assignment_incident_id"))

    op.drop_table("assignment")
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unit_status"))
        batch_op.drop_index(batch_op.f("ix_unit_station_code"))
        batch_op.drop_index(batch_op.f("ix_unit_org_path"))
        batch_op.drop_index(batch_op.f("ix_unit_kind"))

    op.drop_table("unit")
    op.drop_table("response_circle")
    op.drop_table("incident_daily_sequence")
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_status"))
        batch_op.drop_index(batch_op.f("ix_incident_station_code"))
        batch_op.drop_index(batch_op.f("ix_incident_received_at"))
        batch_op.drop_index(batch_op.f("ix_incident_org_path"))
        batch_op.drop_index(batch_op.f("ix_incident_grid_code"))
        batch_op.drop_index(batch_op.f("ix_incident_district_code"))
        batch_op.drop_index(batch_op.f("ix_incident_category_code"))

    op.drop_table("incident")
