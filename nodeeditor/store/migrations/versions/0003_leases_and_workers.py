"""Leases, attempts and progress on item rows; the workers registry; the host of artifacts.

Item rows left in progress by an older version have no lease: they are taken back only when
their process is gone on this host, as before.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("queue_items") as table:
        table.add_column(sa.Column("attempt", sa.Integer, nullable=False, server_default="1"))
        table.add_column(sa.Column("lost", sa.Integer, nullable=False, server_default="0"))
        table.add_column(sa.Column("lease_until", sa.Float))
        table.add_column(sa.Column("progress_node", sa.String(200)))
        table.add_column(sa.Column("progress", sa.Float))
        table.add_column(sa.Column("progress_at", sa.Float))
    # Every claim looks for expired leases: without this index it reads every running row.
    op.create_index("ix_queue_items_lease", "queue_items", ["status", "lease_until"])
    with op.batch_alter_table("artifacts") as table:
        table.add_column(sa.Column("host", sa.String(200)))
    op.create_table(
        "workers",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("host", sa.String(200), nullable=False),
        sa.Column("pid", sa.Integer, nullable=False),
        sa.Column("started", sa.Float, nullable=False),
        sa.Column("heartbeat", sa.Float, nullable=False),
        sa.Column("lease_s", sa.Float, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("current_item", sa.Integer),
        sa.Column("sessions_done", sa.Integer, nullable=False),
        sa.Column("capabilities", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("workers")
    op.drop_index("ix_queue_items_lease", "queue_items")
    with op.batch_alter_table("artifacts") as table:
        table.drop_column("host")
    with op.batch_alter_table("queue_items") as table:
        for column in ("progress_at", "progress", "progress_node", "lease_until", "lost", "attempt"):
            table.drop_column(column)
