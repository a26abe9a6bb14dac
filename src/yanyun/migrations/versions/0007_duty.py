"""duty: officers, leave, shifts and rosters, crews, duty levels, posts, clock-ins

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 22:43:55.567466
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import yanyun.core.tables

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "duty_level",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("area_kind", sa.String(length=12), nullable=False),
        sa.Column("area_code", sa.String(length=24), nullable=False),
        sa.Column("org_path", sa.String(length=255), nullable=False),
        sa.Column("level", sa.String(length=12), nullable=False),
        sa.Column("starts_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("raised_by", sa.String(length=26), nullable=True),
        sa.Column("raised_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duty_level")),
    )
    with op.batch_alter_table("duty_level", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_duty_level_area_code"), ["area_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_duty_level_ends_at"), ["ends_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_duty_level_org_path"), ["org_path"], unique=False)
        batch_op.create_index(batch_op.f("ix_duty_level_starts_at"), ["starts_at"], unique=False)

    op.create_table(
        "duty_officer",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("badge_no", sa.String(length=16), nullable=False),
        sa.Column("name_zh", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("station_code", sa.String(length=24), nullable=False),
        sa.Column("org_path", sa.String(length=255), nullable=False),
        sa.Column("rank", sa.String(length=32), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("certifications", sa.JSON(), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("team", sa.String(length=4), nullable=False),
        sa.Column("default_unit_id", sa.String(length=32), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duty_officer")),
        sa.UniqueConstraint("badge_no", name=op.f("uq_duty_officer_badge_no")),
    )
    with op.batch_alter_table("duty_officer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_duty_officer_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_duty_officer_org_path"), ["org_path"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_duty_officer_station_code"), ["station_code"], unique=False
        )

    op.create_table(
        "duty_post",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name_zh", sa.String(length=96), nullable=False),
        sa.Column("name_en", sa.String(length=128), nullable=False),
        sa.Column("station_code", sa.String(length=24), nullable=False),
        sa.Column("org_path", sa.String(length=255), nullable=False),
        sa.Column("unit_id", sa.String(length=32), nullable=True),
        sa.Column("lng", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("radius_m", sa.Float(), nullable=False),
        sa.Column("windows", sa.JSON(), nullable=False),
        sa.Column("weekdays", sa.JSON(), nullable=False),
        sa.Column("required_officers", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duty_post")),
    )
    with op.batch_alter_table("duty_post", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_duty_post_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_duty_post_org_path"), ["org_path"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_duty_post_station_code"), ["station_code"], unique=False
        )

    op.create_table(
        "duty_shift",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("station_code", sa.String(length=24), nullable=False),
        sa.Column("org_path", sa.String(length=255), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=8), nullable=False),
        sa.Column("team", sa.String(length=4), nullable=False),
        sa.Column("starts_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duty_shift")),
        sa.UniqueConstraint("station_code", "starts_at", name=op.f("uq_duty_shift_station_code")),
    )
    with op.batch_alter_table("duty_shift", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_duty_shift_day"), ["day"], unique=False)
        batch_op.create_index(batch_op.f("ix_duty_shift_ends_at"), ["ends_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_duty_shift_org_path"), ["org_path"], unique=False)
        batch_op.create_index(batch_op.f("ix_duty_shift_starts_at"), ["starts_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_duty_shift_station_code"), ["station_code"], unique=False
        )

    op.create_table(
        "duty_unit_crew",
        sa.Column("unit_id", sa.String(length=32), nullable=False),
        sa.Column("station_code", sa.String(length=24), nullable=False),
        sa.Column("org_path", sa.String(length=255), nullable=False),
        sa.Column("crew", sa.JSON(), nullable=False),
        sa.Column("shift_id", sa.String(length=26), nullable=True),
        sa.Column("changed_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("announced", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("unit_id", name=op.f("pk_duty_unit_crew")),
    )
    with op.batch_alter_table("duty_unit_crew", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_duty_unit_crew_org_path"), ["org_path"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_duty_unit_crew_station_code"), ["station_code"], unique=False
        )

    op.create_table(
        "duty_clock_in",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("post_id", sa.String(length=32), nullable=False),
        sa.Column("officer_id", sa.String(length=26), nullable=False),
        sa.Column("device_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("received_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("lng", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("accuracy_m", sa.Float(), nullable=False),
        sa.Column("distance_m", sa.Float(), nullable=False),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("window", sa.String(length=16), nullable=True),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["officer_id"],
            ["duty_officer.id"],
            name=op.f("fk_duty_clock_in_officer_id_duty_officer"),
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["duty_post.id"], name=op.f("fk_duty_clock_in_post_id_duty_post")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duty_clock_in")),
    )
    with op.batch_alter_table("duty_clock_in", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_duty_clock_in_day"), ["day"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_duty_clock_in_officer_id"), ["officer_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_duty_clock_in_post_id"), ["post_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_duty_clock_in_received_at"), ["received_at"], unique=False
        )

    op.create_table(
        "duty_leave",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("officer_id", sa.String(length=26), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("starts_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("cancelled_reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["duty_officer.id"], name=op.f("fk_duty_leave_officer_id_duty_officer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duty_leave")),
    )
    with op.batch_alter_table("duty_leave", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_duty_leave_ends_at"), ["ends_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_duty_leave_officer_id"), ["officer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_duty_leave_starts_at"), ["starts_at"], unique=False)

    op.create_table(
        "duty_roster_entry",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("shift_id", sa.String(length=26), nullable=False),
        sa.Column("officer_id", sa.String(length=26), nullable=False),
        sa.Column("unit_id", sa.String(length=32), nullable=True),
        sa.Column("attendance", sa.String(length=12), nullable=False),
        sa.Column("attendance_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["officer_id"],
            ["duty_officer.id"],
            name=op.f("fk_duty_roster_entry_officer_id_duty_officer"),
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"], ["duty_shift.id"], name=op.f("fk_duty_roster_entry_shift_id_duty_shift")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duty_roster_entry")),
        sa.UniqueConstraint("shift_id", "officer_id", name=op.f("uq_duty_roster_entry_shift_id")),
    )
    with op.batch_alter_table("duty_roster_entry", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_duty_roster_entry_officer_id"), ["officer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_duty_roster_entry_shift_id"), ["shift_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_duty_roster_entry_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "duty_swap",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("entry_id", sa.String(length=26), nullable=False),
        sa.Column("from_officer_id", sa.String(length=26), nullable=False),
        sa.Column("to_officer_id", sa.String(length=26), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("requested_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("requested_by", sa.String(length=26), nullable=True),
        sa.Column("decided_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=26), nullable=True),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["duty_roster_entry.id"],
            name=op.f("fk_duty_swap_entry_id_duty_roster_entry"),
        ),
        sa.ForeignKeyConstraint(
            ["to_officer_id"],
            ["duty_officer.id"],
            name=op.f("fk_duty_swap_to_officer_id_duty_officer"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duty_swap")),
    )
    with op.batch_alter_table("duty_swap", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_duty_swap_entry_id"), ["entry_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("duty_swap", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_duty_swap_entry_id"))

    op.drop_table("duty_swap")
    with op.batch_alter_table("duty_roster_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_duty_roster_entry_unit_id"))
        batch_op.drop_index(batch_op.f("ix_duty_roster_entry_shift_id"))
        batch_op.drop_index(batch_op.f("ix_duty_roster_entry_officer_id"))

    op.drop_table("duty_roster_entry")
    with op.batch_alter_table("duty_leave", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_duty_leave_starts_at"))
        batch_op.drop_index(batch_op.f("ix_duty_leave_officer_id"))
        batch_op.drop_index(batch_op.f("ix_duty_leave_ends_at"))

    op.drop_table("duty_leave")
    with op.batch_alter_table("duty_clock_in", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_duty_clock_in_received_at"))
        batch_op.drop_index(batch_op.f("ix_duty_clock_in_post_id"))
        batch_op.drop_index(batch_op.f("ix_duty_clock_in_officer_id"))
        batch_op.drop_index(batch_op.f("ix_duty_clock_in_day"))

    op.drop_table("duty_clock_in")
    with op.batch_alter_table("duty_unit_crew", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_duty_unit_crew_station_code"))
        batch_op.drop_index(batch_op.f("ix_duty_unit_crew_org_path"))

    op.drop_table("duty_unit_crew")
    with op.batch_alter_table("duty_shift", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_duty_shift_station_code"))
        batch_op.drop_index(batch_op.f("ix_duty_shift_starts_at"))
        batch_op.drop_index(batch_op.f("ix_duty_shift_org_path"))
        batch_op.drop_index(batch_op.f("ix_duty_shift_ends_at"))
        batch_op.drop_index(batch_op.f("ix_duty_shift_day"))

    op.drop_table("duty_shift")
    with op.batch_alter_table("duty_post", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_duty_post_station_code"))
        batch_op.drop_index(batch_op.f("ix_duty_post_org_path"))
        batch_op.drop_index(batch_op.f("ix_duty_post_kind"))

    op.drop_table("duty_post")
    with op.batch_alter_table("duty_officer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_duty_officer_station_code"))
        batch_op.drop_index(batch_op.f("ix_duty_officer_org_path"))
        batch_op.drop_index(batch_op.f("ix_duty_officer_kind"))

    op.drop_table("duty_officer")
    with op.batch_alter_table("duty_level", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_duty_level_starts_at"))
        batch_op.drop_index(batch_op.f("ix_duty_level_org_path"))
        batch_op.drop_index(batch_op.f("ix_duty_level_ends_at"))
        batch_op.drop_index(batch_op.f("ix_duty_level_area_code"))

    op.drop_table("duty_level")
