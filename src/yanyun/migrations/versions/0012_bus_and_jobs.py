"""one event bus and one scheduler: typed payload versions, dead letters, job leases and runs

Rows already in the outbox keep version 0 (their untyped dicts, read as they
are). Supervision's own event cursor becomes the durable consumer
`oversight.tasks` at the same position.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import yanyun.core.tables

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

EventId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("outbox_event") as batch:
        batch.add_column(
            sa.Column("version", sa.SmallInteger(), nullable=False, server_default="0")
        )
    op.create_table(
        "event_dead_letter",
        sa.Column("consumer", sa.String(length=64), nullable=False),
        sa.Column("event_id", EventId, nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("parked", sa.Boolean(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("first_failed_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_failed_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("consumer", "event_id", name=op.f("pk_event_dead_letter")),
    )
    op.create_table(
        "job_lease",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=128), nullable=True),
        sa.Column("lease_until", yanyun.core.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_started_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_finished_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_ok", sa.Boolean(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("runs", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_job_lease")),
    )
    op.create_table(
        "job_run",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=128), nullable=False),
        sa.Column("started_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", yanyun.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("result", sa.String(length=255), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_run")),
    )
    with op.batch_alter_table("job_run") as batch:
        batch.create_index(batch.f("ix_job_run_name"), ["name"], unique=False)
        batch.create_index(batch.f("ix_job_run_started_at"), ["started_at"], unique=False)
    op.execute(
        "INSERT INTO event_cursor (name, last_id, updated_at) "
        "SELECT 'oversight.tasks', position, updated_at FROM oversight_cursor "
        "WHERE name = 'events'"
    )
    op.execute("DELETE FROM oversight_cursor WHERE name = 'events'")


def downgrade() -> None:
    op.execute(
        "INSERT INTO oversight_cursor (name, position, day, gaps, updated_at) "
        "SELECT 'events', last_id, NULL, '{}', updated_at FROM event_cursor "
        "WHERE name = 'oversight.tasks'"
    )
    op.execute("DELETE FROM event_cursor WHERE name = 'oversight.tasks'")
    with op.batch_alter_table("job_run") as batch:
        batch.drop_index(batch.f("ix_job_run_started_at"))
        batch.drop_index(batch.f("ix_job_run_name"))
    op.drop_table("job_run")
    op.drop_table("job_lease")
    op.drop_table("event_dead_letter")
    with op.batch_alter_table("outbox_event") as batch:
        batch.drop_column("version")
