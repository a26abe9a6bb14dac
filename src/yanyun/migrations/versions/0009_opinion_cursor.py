"""opinion: follow incidents through the shared durable consumer cursor

Opinion kept its own cursor and read past ids that might still be
committing; it now reads through core.consumers. Its position carries over.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24 01:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

OLD = sa.table(
    "opinion_consumer_cursor",
    sa.column("name", sa.String),
    sa.column("last_event_id", sa.BigInteger),
)
NEW = sa.table(
    "event_cursor",
    sa.column("name", sa.String),
    sa.column("last_id", sa.BigInteger),
    sa.column("updated_at", sa.DateTime),
)


def upgrade() -> None:
    bind = op.get_bind()
    position = bind.execute(
        sa.select(OLD.c.last_event_id).where(OLD.c.name == "incidents")
    ).scalar()
    if position:
        bind.execute(sa.insert(NEW).values(name="opinion.incidents", last_id=position))
    op.drop_table("opinion_consumer_cursor")


def downgrade() -> None:
    op.create_table(
        "opinion_consumer_cursor",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("last_event_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_opinion_consumer_cursor")),
    )
    bind = op.get_bind()
    position = bind.execute(
        sa.select(NEW.c.last_id).where(NEW.c.name == "opinion.incidents")
    ).scalar()
    if position:
        bind.execute(sa.insert(OLD).values(name="incidents", last_event_id=position))
    bind.execute(sa.delete(NEW).where(NEW.c.name == "opinion.incidents"))
