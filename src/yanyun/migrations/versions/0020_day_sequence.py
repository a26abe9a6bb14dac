"""numbers handed out per day and kind (cases, fraud warnings) from one locked row

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 17:40:00.000000
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "day_sequence",
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "day", name=op.f("pk_day_sequence")),
    )
    # Days already numbered continue where their rows stopped.
    bind = op.get_bind()
    for kind, table, prefix in (("case", "case_file", "AJ"),
                                ("fraud_warning", "antifraud_warning", "FZ")):
        rows = bind.execute(sa.text(f"SELECT number FROM {table}")).scalars().all()
        last: dict[str, int] = {}
        for number in rows:
            stamp, _, seq = number[len(prefix):].partition("-")
            if stamp.isdigit() and seq.isdigit():
                last[stamp] = max(last.get(stamp, 0), int(seq))
        for stamp, n in last.items():
            bind.execute(sa.text("INSERT INTO day_sequence (kind, day, last) VALUES (:k, :d, :n)"),
                         {"k": kind, "d": date(int(stamp[:4]), int(stamp[4:6]), int(stamp[6:])),
                          "n": n})


def downgrade() -> None:
    op.drop_table("day_sequence")
