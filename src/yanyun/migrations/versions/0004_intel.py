"""intel: cameras, registrations, the pool catalog and the ingest batch ledger

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 22:12:47.939334
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import yanyun.core.tables

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "intel_camera",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name_zh", sa.String(length=96), nullable=False),
        sa.Column("lng", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("grid_code", sa.String(length=32), nullable=False),
        sa.Column("station_code", sa.String(length=24), nullable=False),
        sa.Column("district_code", sa.String(length=12), nullable=False),
        sa.Column("installed_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_intel_camera")),
    )
    with op.batch_alter_table("intel_camera", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_intel_camera_district_code"), ["district_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_intel_camera_grid_code"), ["grid_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_intel_camera_kind"), ["kind"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_intel_camera_station_code"), ["station_code"], unique=False
        )

    op.create_table(
        "intel_ingest_batch",
        sa.Column("batch_id", sa.String(length=64), nullable=False),
        sa.Column("dataset", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("received_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("flagged", sa.Integer(), nullable=False),
        sa.Column("received_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("batch_id", name=op.f("pk_intel_ingest_batch")),
    )
    with op.batch_alter_table("intel_ingest_batch", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_intel_ingest_batch_received_at"), ["received_at"], unique=False
        )

    op.create_table(
        "intel_pool_dataset",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("description_zh", sa.String(length=200), nullable=False),
        sa.Column("description_en", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("personal", sa.Boolean(), nullable=False),
        sa.Column("partitioning", sa.String(length=64), nullable=False),
        sa.Column("sort_key", sa.String(length=128), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("registered_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_intel_pool_dataset")),
    )
    op.create_table(
        "intel_registration",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("plate", sa.String(length=16), nullable=False),
        sa.Column("vehicle_kind", sa.String(length=16), nullable=False),
        sa.Column("owner_name", sa.String(length=64), nullable=False),
        sa.Column("owner_id_number", sa.String(length=18), nullable=False),
        sa.Column("owner_phone", sa.String(length=20), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("brand", sa.String(length=64), nullable=False),
        sa.Column("colour", sa.String(length=16), nullable=False),
        sa.Column("registered_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intel_registration")),
        sa.UniqueConstraint("plate", name=op.f("uq_intel_registration_plate")),
    )
    with op.batch_alter_table("intel_registration", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_intel_registration_vehicle_kind"), ["vehicle_kind"], unique=False
        )



def downgrade() -> None:
    with op.batch_alter_table("intel_registration", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_intel_registration_vehicle_kind"))

    op.drop_table("intel_registration")
    op.drop_table("intel_pool_dataset")
    with op.batch_alter_table("intel_ingest_batch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_intel_ingest_batch_received_at"))

    op.drop_table("intel_ingest_batch")
    with op.batch_alter_table("intel_camera", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_intel_camera_station_code"))
        batch_op.drop_index(batch_op.f("ix_intel_camera_kind"))
        batch_op.drop_index(batch_op.f("ix_intel_camera_grid_code"))
        batch_op.drop_index(batch_op.f("ix_intel_camera_district_code"))

    op.drop_table("intel_camera")
