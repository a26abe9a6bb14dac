"""initial schema: outbox, audit, org and users, geography

Revision ID: 0001
Revises:
Create Date: 2026-11-23 19:42:47.212542
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import yanyun.core.tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_entry",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=True),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.Column("role", sa.String(length=32), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("resource_type", sa.String(length=64), nullable=False),
        sa.Column("resource_id", sa.String(length=64), nullable=True),
        sa.Column("purpose", sa.String(length=500), nullable=True),
        sa.Column("case_number", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entry_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_entry_at"), ["at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_entry_case_number"), ["case_number"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_audit_entry_resource_type"), ["resource_type"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_audit_entry_user_id"), ["user_id"], unique=False)

    op.create_table(
        "geo_district",
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("name_zh", sa.String(length=64), nullable=False),
        sa.Column("name_en", sa.String(length=64), nullable=False),
        sa.Column("is_urban", sa.Boolean(), nullable=False),
        sa.Column("area_km2", sa.Float(), nullable=False),
        sa.Column("geometry_wkb", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_geo_district")),
    )
    op.create_table(
        "login_attempt",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempt")),
    )
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_attempt_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_login_attempt_username"), ["username"], unique=False)

    op.create_table(
        "org_unit",
        sa.Column("code", sa.String(length=48), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name_zh", sa.String(length=128), nullable=False),
        sa.Column("name_en", sa.String(length=128), nullable=False),
        sa.Column("parent_code", sa.String(length=48), nullable=True),
        sa.Column("path", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_code"], ["org_unit.code"], name=op.f("fk_org_unit_parent_code_org_unit")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_org_unit")),
        sa.UniqueConstraint("path", name=op.f("uq_org_unit_path")),
    )
    with op.batch_alter_table("org_unit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_org_unit_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_org_unit_parent_code"), ["parent_code"], unique=False)

    op.create_table(
        "outbox_event",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("resource_type", sa.String(length=64), nullable=False),
        sa.Column("resource_id", sa.String(length=64), nullable=False),
        sa.Column("org_path", sa.String(length=255), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_event")),
    )
    with op.batch_alter_table("outbox_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_event_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_event_org_path"), ["org_path"], unique=False)

    op.create_table(
        "app_user",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("org_code", sa.String(length=48), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_code"], ["org_unit.code"], name=op.f("fk_app_user_org_code_org_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("username", name=op.f("uq_app_user_username")),
    )
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_app_user_org_code"), ["org_code"], unique=False)

    op.create_table(
        "geo_station",
        sa.Column("code", sa.String(length=24), nullable=False),
        sa.Column("district_code", sa.String(length=12), nullable=False),
        sa.Column("name_zh", sa.String(length=64), nullable=False),
        sa.Column("name_en", sa.String(length=96), nullable=False),
        sa.Column("grade", sa.Integer(), nullable=False),
        sa.Column("has_command_room", sa.Boolean(), nullable=False),
        sa.Column("has_mediation_room", sa.Boolean(), nullable=False),
        sa.Column("lng", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("geometry_wkb", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["district_code"],
            ["geo_district.code"],
            name=op.f("fk_geo_station_district_code_geo_district"),
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_geo_station")),
    )
    with op.batch_alter_table("geo_station", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_geo_station_district_code"), ["district_code"], unique=False
        )

    op.create_table(
        "auth_token",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("issued_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_auth_token_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_auth_token")),
    )
    with op.batch_alter_table("auth_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auth_token_user_id"), ["user_id"], unique=False)

    op.create_table(
        "geo_grid",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("station_code", sa.String(length=24), nullable=False),
        sa.Column("district_code", sa.String(length=12), nullable=False),
        sa.Column("name_zh", sa.String(length=96), nullable=False),
        sa.Column("name_en", sa.String(length=128), nullable=False),
        sa.Column("is_urban", sa.Boolean(), nullable=False),
        sa.Column("area_km2", sa.Float(), nullable=False),
        sa.Column("lng", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("min_lng", sa.Float(), nullable=False),
        sa.Column("min_lat", sa.Float(), nullable=False),
        sa.Column("max_lng", sa.Float(), nullable=False),
        sa.Column("max_lat", sa.Float(), nullable=False),
        sa.Column("geometry_wkb", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["district_code"],
            ["geo_district.code"],
            name=op.f("fk_geo_grid_district_code_geo_district"),
        ),
        sa.ForeignKeyConstraint(
            ["station_code"],
            ["geo_station.code"],
            name=op.f("fk_geo_grid_station_code_geo_station"),
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_geo_grid")),
    )
    with op.batch_alter_table("geo_grid", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_geo_grid_district_code"), ["district_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_geo_grid_station_code"), ["station_code"], unique=False
        )

    _make_audit_append_only()


def downgrade() -> None:
    _drop_audit_append_only()
    with op.batch_alter_table("geo_grid", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_geo_grid_station_code"))
        batch_op.drop_index(batch_op.f("ix_geo_grid_district_code"))

    op.drop_table("geo_grid")
    with op.batch_alter_table("auth_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auth_token_user_id"))

    op.drop_table("auth_token")
    with op.batch_alter_table("geo_station", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_geo_station_district_code"))

    op.drop_table("geo_station")
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_app_user_org_code"))

    op.drop_table("app_user")
    with op.batch_alter_table("outbox_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_event_org_path"))
        batch_op.drop_index(batch_op.f("ix_outbox_event_kind"))

    op.drop_table("outbox_event")
    with op.batch_alter_table("org_unit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_org_unit_parent_code"))
        batch_op.drop_index(batch_op.f("ix_org_unit_kind"))

    op.drop_table("org_unit")
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_attempt_username"))
        batch_op.drop_index(batch_op.f("ix_login_attempt_at"))

    op.drop_table("login_attempt")
    op.drop_table("geo_district")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entry_user_id"))
        batch_op.drop_index(batch_op.f("ix_audit_entry_resource_type"))
        batch_op.drop_index(batch_op.f("ix_audit_entry_case_number"))
        batch_op.drop_index(batch_op.f("ix_audit_entry_at"))
        batch_op.drop_index(batch_op.f("ix_audit_entry_action"))

    op.drop_table("audit_entry")


def _make_audit_append_only() -> None:
    """The database itself refuses to change or remove an audit entry."""
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_entry_no_{verb.lower()} BEFORE {verb} ON audit_entry "
                "BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END"
            )
        return
    op.execute(
        "CREATE FUNCTION yanyun_audit_append_only() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'audit_entry is append-only'; END $$ LANGUAGE plpgsql"
    )
    op.execute(
        "CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry "
        "FOR EACH ROW EXECUTE FUNCTION yanyun_audit_append_only()"
    )
    op.execute(
        "CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry "
        "FOR EACH STATEMENT EXECUTE FUNCTION yanyun_audit_append_only()"
    )


def _drop_audit_append_only() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_delete")
        return
    op.execute("DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_entry")
    op.execute("DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_entry")
    op.execute("DROP FUNCTION IF EXISTS yanyun_audit_append_only()")
