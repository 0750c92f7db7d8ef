"""Batches, queue items and artifacts.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "batches",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("workflow", sa.Text, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("priority", sa.Integer, nullable=False),
        sa.Column("created", sa.Float, nullable=False),
        sa.Column("next_index", sa.Integer, nullable=False),
        sa.Column("stop_index", sa.Integer, nullable=False),
        sa.Column("end_index", sa.Integer, nullable=False),
        sa.Column("open", sa.Boolean, nullable=False),
    )
    op.create_index("ix_batches_claim", "batches", ["open", sa.text("priority DESC"), "id"])
    op.create_table(
        "queue_items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("batches.id", ondelete="CASCADE"), nullable=False),
        sa.Column("idx", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("priority", sa.Integer, nullable=False),
        sa.Column("session_id", sa.String(32)),
        sa.Column("worker_id", sa.String(200)),
        sa.Column("worker_host", sa.String(200)),
        sa.Column("worker_pid", sa.Integer),
        sa.Column("cancel_requested", sa.Boolean, nullable=False),
        sa.Column("created", sa.Float, nullable=False),
        sa.Column("started", sa.Float),
        sa.Column("finished", sa.Float),
        sa.Column("error", sa.Text),
        sa.Column("traceback", sa.Text),
        sa.Column("summary", sa.Text),
        sa.UniqueConstraint("batch_id", "idx", name="uq_queue_items_batch_idx"),
    )
    op.create_index("ix_queue_items_claim", "queue_items",
                    ["status", sa.text("priority DESC"), "batch_id", "idx"])
    op.create_index("ix_queue_items_batch_status", "queue_items", ["batch_id", "status", "idx"])
    op.create_table(
        "artifacts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("dims", sa.Text, nullable=False),
        sa.Column("session_id", sa.String(32)),
        sa.Column("node_id", sa.String(200)),
        sa.Column("gallery", sa.Boolean, nullable=False),
        sa.Column("created", sa.Float, nullable=False),
    )
    op.create_index("ix_artifacts_session_id", "artifacts", ["session_id"])


def downgrade() -> None:
    op.drop_table("artifacts")
    op.drop_table("queue_items")
    op.drop_table("batches")
