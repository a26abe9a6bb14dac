"""community

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 22:45:58.961790
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import yanyun.core.tables

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "community_incident_ref",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("category_code", sa.String(length=8), nullable=False),
        sa.Column("sub_code", sa.String(length=8), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("lng", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("station_code", sa.String(length=24), nullable=False),
        sa.Column("org_path", sa.String(length=255), nullable=False),
        sa.Column("received_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_incident_ref")),
    )
    with op.batch_alter_table("community_incident_ref", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_community_incident_ref_org_path"), ["org_path"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_community_incident_ref_status"), ["status"], unique=False
        )

    op.create_table(
        "dispute",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("summary", sa.String(length=500), nullable=False),
        sa.Column("parties", sa.Integer(), nullable=False),
        sa.Column("grid_code", sa.String(length=32), nullable=False),
        sa.Column("station_code", sa.String(length=24), nullable=False),
        sa.Column("org_path", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("registered_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("mediator_name", sa.String(length=32), nullable=True),
        sa.Column("room_station_code", sa.String(length=24), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("outcome_note", sa.String(length=500), nullable=True),
        sa.Column("closed_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispute")),
    )
    with op.batch_alter_table("dispute", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dispute_grid_code"), ["grid_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_dispute_org_path"), ["org_path"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_dispute_registered_at"), ["registered_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_dispute_station_code"), ["station_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_dispute_status"), ["status"], unique=False)

    op.create_table(
        "enterprise",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("name_zh", sa.String(length=96), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("park", sa.String(length=64), nullable=True),
        sa.Column("station_code", sa.String(length=24), nullable=False),
        sa.Column("org_path", sa.String(length=255), nullable=False),
        sa.Column("officer_name", sa.String(length=32), nullable=False),
        sa.Column("lng", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("plan_items", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprise")),
    )
    with op.batch_alter_table("enterprise", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enterprise_officer_name"), ["officer_name"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_enterprise_org_path"), ["org_path"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_enterprise_station_code"), ["station_code"], unique=False
        )

    op.create_table(
        "enterprise_service_day",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("station_code", sa.String(length=24), nullable=False),
        sa.Column("org_path", sa.String(length=255), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("planned_enterprises", sa.JSON(), nullable=False),
        sa.Column("report", sa.Text(), nullable=True),
        sa.Column("reported_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprise_service_day")),
        sa.UniqueConstraint(
            "station_code", "day", name=op.f("uq_enterprise_service_day_station_code")
        ),
    )
    with op.batch_alter_table("enterprise_service_day", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enterprise_service_day_day"), ["day"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_enterprise_service_day_org_path"), ["org_path"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_enterprise_service_day_station_code"), ["station_code"], unique=False
        )

    op.create_table(
        "grid_report",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("hazard_type", sa.String(length=16), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("grid_code", sa.String(length=32), nullable=False),
        sa.Column("station_code", sa.String(length=24), nullable=False),
        sa.Column("org_path", sa.String(length=255), nullable=False),
        sa.Column("lng", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("photos", sa.JSON(), nullable=False),
        sa.Column("reported_by", sa.String(length=64), nullable=True),
        sa.Column("found_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deadline", yanyun.core.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("assignee", sa.String(length=64), nullable=True),
        sa.Column("assigned_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("removed_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("verified_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("overdue_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grid_report")),
    )
    with op.batch_alter_table("grid_report", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grid_report_deadline"), ["deadline"], unique=False)
        batch_op.create_index(batch_op.f("ix_grid_report_found_at"), ["found_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_grid_report_grid_code"), ["grid_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_grid_report_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_grid_report_org_path"), ["org_path"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_grid_report_station_code"), ["station_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_grid_report_status"), ["status"], unique=False)

    op.create_table(
        "grid_team",
        sa.Column("grid_code", sa.String(length=32), nullable=False),
        sa.Column("station_code", sa.String(length=24), nullable=False),
        sa.Column("org_path", sa.String(length=255), nullable=False),
        sa.Column("officer_name", sa.String(length=32), nullable=False),
        sa.Column("auxiliary_name", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("grid_code", name=op.f("pk_grid_team")),
    )
    with op.batch_alter_table("grid_team", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grid_team_org_path"), ["org_path"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_grid_team_station_code"), ["station_code"], unique=False
        )

    op.create_table(
        "mobilisation",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("source_type", sa.String(length=16), nullable=False),
        sa.Column("source_id", sa.String(length=26), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("category_code", sa.String(length=8), nullable=True),
        sa.Column("sub_code", sa.String(length=8), nullable=True),
        sa.Column("lng", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("grid_code", sa.String(length=32), nullable=False),
        sa.Column("station_code", sa.String(length=24), nullable=False),
        sa.Column("org_path", sa.String(length=255), nullable=False),
        sa.Column("skills_mask", sa.Integer(), nullable=False),
        sa.Column("headcount", sa.Integer(), nullable=False),
        sa.Column("radius_m", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=26), nullable=True),
        sa.Column("stood_down_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("stand_down_reason", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mobilisation")),
    )
    with op.batch_alter_table("mobilisation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mobilisation_org_path"), ["org_path"], unique=False)
        batch_op.create_index(batch_op.f("ix_mobilisation_source_id"), ["source_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_mobilisation_station_code"), ["station_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_mobilisation_status"), ["status"], unique=False)

    op.create_table(
        "village",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name_zh", sa.String(length=64), nullable=False),
        sa.Column("grid_code", sa.String(length=32), nullable=False),
        sa.Column("station_code", sa.String(length=24), nullable=False),
        sa.Column("org_path", sa.String(length=255), nullable=False),
        sa.Column("auxiliary_name", sa.String(length=32), nullable=False),
        sa.Column("patrol_team_size", sa.Integer(), nullable=False),
        sa.Column("mediators", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_village")),
    )
    with op.batch_alter_table("village", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_village_grid_code"), ["grid_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_village_org_path"), ["org_path"], unique=False)
        batch_op.create_index(batch_op.f("ix_village_station_code"), ["station_code"], unique=False)

    op.create_table(
        "volunteer_unit",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("level", sa.String(length=12), nullable=False),
        sa.Column("parent_id", sa.String(length=40), nullable=True),
        sa.Column("name_zh", sa.String(length=96), nullable=False),
        sa.Column("name_en", sa.String(length=128), nullable=False),
        sa.Column("district_code", sa.String(length=12), nullable=True),
        sa.Column("station_code", sa.String(length=24), nullable=True),
        sa.Column("org_path", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["volunteer_unit.id"],
            name=op.f("fk_volunteer_unit_parent_id_volunteer_unit"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volunteer_unit")),
    )
    with op.batch_alter_table("volunteer_unit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_volunteer_unit_level"), ["level"], unique=False)
        batch_op.create_index(batch_op.f("ix_volunteer_unit_org_path"), ["org_path"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_volunteer_unit_parent_id"), ["parent_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_volunteer_unit_station_code"), ["station_code"], unique=False
        )

    op.create_table(
        "courtyard_meeting",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("village_code", sa.String(length=40), nullable=False),
        sa.Column("org_path", sa.String(length=255), nullable=False),
        sa.Column("held_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("attendance", sa.Integer(), nullable=False),
        sa.Column("issues", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["village_code"],
            ["village.code"],
            name=op.f("fk_courtyard_meeting_village_code_village"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_courtyard_meeting")),
    )
    with op.batch_alter_table("courtyard_meeting", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_courtyard_meeting_org_path"), ["org_path"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_courtyard_meeting_village_code"), ["village_code"], unique=False
        )

    op.create_table(
        "enterprise_case",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("enterprise_id", sa.String(length=26), nullable=False),
        sa.Column("org_path", sa.String(length=255), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("amount_recovered_yuan", sa.Float(), nullable=False),
        sa.Column("opened_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_enterprise_case_enterprise_id_enterprise"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprise_case")),
    )
    with op.batch_alter_table("enterprise_case", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enterprise_case_enterprise_id"), ["enterprise_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_enterprise_case_org_path"), ["org_path"], unique=False)

    op.create_table(
        "enterprise_visit",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("enterprise_id", sa.String(length=26), nullable=False),
        sa.Column("service_day_id", sa.String(length=26), nullable=True),
        sa.Column("visited_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("issues", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_enterprise_visit_enterprise_id_enterprise"),
        ),
        sa.ForeignKeyConstraint(
            ["service_day_id"],
            ["enterprise_service_day.id"],
            name=op.f("fk_enterprise_visit_service_day_id_enterprise_service_day"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprise_visit")),
    )
    with op.batch_alter_table("enterprise_visit", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enterprise_visit_enterprise_id"), ["enterprise_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_enterprise_visit_service_day_id"), ["service_day_id"], unique=False
        )

    op.create_table(
        "mediation_session",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("dispute_id", sa.String(length=26), nullable=False),
        sa.Column("held_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["dispute_id"], ["dispute.id"], name=op.f("fk_mediation_session_dispute_id_dispute")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mediation_session")),
    )
    with op.batch_alter_table("mediation_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mediation_session_dispute_id"), ["dispute_id"], unique=False
        )

    op.create_table(
        "volunteer",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("name_zh", sa.String(length=32), nullable=False),
        sa.Column("squad_id", sa.String(length=40), nullable=True),
        sa.Column("home_grid_code", sa.String(length=32), nullable=False),
        sa.Column("station_code", sa.String(length=24), nullable=False),
        sa.Column("org_path", sa.String(length=255), nullable=False),
        sa.Column("skills_mask", sa.Integer(), nullable=False),
        sa.Column("available", sa.Boolean(), nullable=False),
        sa.Column("grid_patroller", sa.Boolean(), nullable=False),
        sa.Column("lng", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("hours_total", sa.Float(), nullable=False),
        sa.Column("registered_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["squad_id"], ["volunteer_unit.id"], name=op.f("fk_volunteer_squad_id_volunteer_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volunteer")),
    )
    with op.batch_alter_table("volunteer", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_volunteer_home_grid_code"), ["home_grid_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_volunteer_org_path"), ["org_path"], unique=False)
        batch_op.create_index(batch_op.f("ix_volunteer_squad_id"), ["squad_id"], unique=False)

    op.create_table(
        "volunteer_rally_point",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("unit_id", sa.String(length=40), nullable=False),
        sa.Column("name_zh", sa.String(length=96), nullable=False),
        sa.Column("grid_code", sa.String(length=32), nullable=False),
        sa.Column("org_path", sa.String(length=255), nullable=False),
        sa.Column("lng", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["volunteer_unit.id"],
            name=op.f("fk_volunteer_rally_point_unit_id_volunteer_unit"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volunteer_rally_point")),
    )
    with op.batch_alter_table("volunteer_rally_point", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_volunteer_rally_point_org_path"), ["org_path"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_volunteer_rally_point_unit_id"), ["unit_id"], unique=False
        )

    op.create_table(
        "mobilisation_response",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("mobilisation_id", sa.String(length=26), nullable=False),
        sa.Column("volunteer_id", sa.String(length=26), nullable=False),
        sa.Column("distance_m", sa.Float(), nullable=False),
        sa.Column("eta_s", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("called_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("responded_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("arrived_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("stood_down_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["mobilisation_id"],
            ["mobilisation.id"],
            name=op.f("fk_mobilisation_response_mobilisation_id_mobilisation"),
        ),
        sa.ForeignKeyConstraint(
            ["volunteer_id"],
            ["volunteer.id"],
            name=op.f("fk_mobilisation_response_volunteer_id_volunteer"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mobilisation_response")),
        sa.UniqueConstraint(
            "mobilisation_id", "volunteer_id", name=op.f("uq_mobilisation_response_mobilisation_id")
        ),
    )
    with op.batch_alter_table("mobilisation_response", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mobilisation_response_mobilisation_id"),
            ["mobilisation_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_mobilisation_response_status"), ["status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_mobilisation_response_volunteer_id"), ["volunteer_id"], unique=False
        )

    op.create_table(
        "volunteer_activity",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("volunteer_id", sa.String(length=26), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("started_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.Column("grid_code", sa.String(length=32), nullable=False),
        sa.Column("org_path", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["volunteer_id"],
            ["volunteer.id"],
            name=op.f("fk_volunteer_activity_volunteer_id_volunteer"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volunteer_activity")),
    )
    with op.batch_alter_table("volunteer_activity", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_volunteer_activity_org_path"), ["org_path"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_volunteer_activity_volunteer_id"), ["volunteer_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("volunteer_activity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_volunteer_activity_volunteer_id"))
        batch_op.drop_index(batch_op.f("ix_volunteer_activity_org_path"))

    op.drop_table("volunteer_activity")
    with op.batch_alter_table("mobilisation_response", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mobilisation_response_volunteer_id"))
        batch_op.drop_index(batch_op.f("ix_mobilisation_response_status"))
        batch_op.drop_index(batch_op.f("ix_mobilisation_response_mobilisation_id"))

    op.drop_table("mobilisation_response")
    with op.batch_alter_table("volunteer_rally_point", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_volunteer_rally_point_unit_id"))
        batch_op.drop_index(batch_op.f("ix_volunteer_rally_point_org_path"))

    op.drop_table("volunteer_rally_point")
    with op.batch_alter_table("volunteer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_volunteer_squad_id"))
        batch_op.drop_index(batch_op.f("ix_volunteer_org_path"))
        batch_op.drop_index(batch_op.f("ix_volunteer_home_grid_code"))

    op.drop_table("volunteer")
    with op.batch_alter_table("mediation_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mediation_session_dispute_id"))

    op.drop_table("mediation_session")
    with op.batch_alter_table("enterprise_visit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enterprise_visit_service_day_id"))
        batch_op.drop_index(batch_op.f("ix_enterprise_visit_enterprise_id"))

    op.drop_table("enterprise_visit")
    with op.batch_alter_table("enterprise_case", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enterprise_case_org_path"))
        batch_op.drop_index(batch_op.f("ix_enterprise_case_enterprise_id"))

    op.drop_table("enterprise_case")
    with op.batch_alter_table("courtyard_meeting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_courtyard_meeting_village_code"))
        batch_op.drop_index(batch_op.f("ix_courtyard_meeting_org_path"))

    op.drop_table("courtyard_meeting")
    with op.batch_alter_table("volunteer_unit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_volunteer_unit_station_code"))
        batch_op.drop_index(batch_op.f("ix_volunteer_unit_parent_id"))
        batch_op.drop_index(batch_op.f("ix_volunteer_unit_org_path"))
        batch_op.drop_index(batch_op.f("ix_volunteer_unit_level"))

    op.drop_table("volunteer_unit")
    with op.batch_alter_table("village", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_village_station_code"))
        batch_op.drop_index(batch_op.f("ix_village_org_path"))
        batch_op.drop_index(batch_op.f("ix_village_grid_code"))

    op.drop_table("village")
    with op.batch_alter_table("mobilisation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mobilisation_status"))
        batch_op.drop_index(batch_op.f("ix_mobilisation_station_code"))
        batch_op.drop_index(batch_op.f("ix_mobilisation_source_id"))
        batch_op.drop_index(batch_op.f("ix_mobilisation_org_path"))

    op.drop_table("mobilisation")
    with op.batch_alter_table("grid_team", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grid_team_station_code"))
        batch_op.drop_index(batch_op.f("ix_grid_team_org_path"))

    op.drop_table("grid_team")
    with op.batch_alter_table("grid_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grid_report_status"))
        batch_op.drop_index(batch_op.f("ix_grid_report_station_code"))
        batch_op.drop_index(batch_op.f("ix_grid_report_org_path"))
        batch_op.drop_index(batch_op.f("ix_grid_report_kind"))
        batch_op.drop_index(batch_op.f("ix_grid_report_grid_code"))
        batch_op.drop_index(batch_op.f("ix_grid_report_found_at"))
        batch_op.drop_index(batch_op.f("ix_grid_report_deadline"))

    op.drop_table("grid_report")
    with op.batch_alter_table("enterprise_service_day", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enterprise_service_day_station_code"))
        batch_op.drop_index(batch_op.f("ix_enterprise_service_day_org_path"))
        batch_op.drop_index(batch_op.f("ix_enterprise_service_day_day"))

    op.drop_table("enterprise_service_day")
    with op.batch_alter_table("enterprise", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enterprise_station_code"))
        batch_op.drop_index(batch_op.f("ix_enterprise_org_path"))
        batch_op.drop_index(batch_op.f("ix_enterprise_officer_name"))

    op.drop_table("enterprise")
    with op.batch_alter_table("dispute", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dispute_status"))
        batch_op.drop_index(batch_op.f("ix_dispute_station_code"))
        batch_op.drop_index(batch_op.f("ix_dispute_registered_at"))
        batch_op.drop_index(batch_op.f("ix_dispute_org_path"))
        batch_op.drop_index(batch_op.f("ix_dispute_grid_code"))

    op.drop_table("dispute")
    with op.batch_alter_table("community_incident_ref", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_community_incident_ref_status"))
        batch_op.drop_index(batch_op.f("ix_community_incident_ref_org_path"))

    op.drop_table("community_incident_ref")
