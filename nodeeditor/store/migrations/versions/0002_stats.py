"""Per-session and per-node run figures, kept apart from the queue so clearing it keeps history.

Node rows point at their session row only (one narrow index), since a 10,000-node session
writes 10,000 of them.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "session_stats",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("queue_items.id", ondelete="SET NULL")),
        sa.Column("batch_id", sa.Integer),
        sa.Column("session_id", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("duration_s", sa.Float, nullable=False),
        sa.Column("nodes", sa.Integer, nullable=False),
        sa.Column("cache_hits", sa.Integer, nullable=False),
        sa.Column("peak_rss", sa.Integer, nullable=False),
        sa.Column("ram_delta", sa.Integer, nullable=False),
        sa.Column("vram_peak", sa.Integer),
        sa.Column("finished", sa.Float, nullable=False),
    )
    op.create_table(
        "node_stats",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("session_row", sa.Integer, sa.ForeignKey("session_stats.id", ondelete="CASCADE"), nullable=False),
        sa.Column("node_id", sa.String(200), nullable=False),
        sa.Column("instance_id", sa.String(200), nullable=False),
        sa.Column("node_type", sa.String(200), nullable=False),
        sa.Column("duration_s", sa.Float, nullable=False),
        sa.Column("ram_delta", sa.Integer, nullable=False),
        sa.Column("peak_rss", sa.Integer, nullable=False),
        sa.Column("vram_peak", sa.Integer),
        sa.Column("cached", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
    )
    for column in ("item_id", "batch_id", "session_id"):
        op.create_index(f"ix_session_stats_{column}", "session_stats", [column])
    op.create_index("ix_node_stats_session_row", "node_stats", ["session_row"])


def downgrade() -> None:
    op.drop_table("node_stats")
    op.drop_table("session_stats")
