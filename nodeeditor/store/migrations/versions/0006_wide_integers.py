"""PostgreSQL: 64-bit integers where values outgrow 32 bits (priorities, batch indexes, bytes).

A priority is any signed 64-bit number, a lazy batch may count past 2**31 sessions, and a node
that holds a diffusion model peaks at several GB of RSS and VRAM: PostgreSQL's `integer` refused
all of these ("integer out of range"), so the enqueue or the session's result failed. SQLite's
INTEGER is 64-bit already: nothing changes there but the revision.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

WIDE = {
    "batches": ("count", "priority", "next_index", "stop_index", "end_index"),
    "queue_items": ("idx", "priority"),
    "artifacts": ("size",),
    "session_stats": ("peak_rss", "ram_delta", "vram_peak"),
    "node_stats": ("peak_rss", "ram_delta", "vram_peak"),
}


def _alter(kind: type) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, columns in WIDE.items():
        for column in columns:
            op.alter_column(table, column, type_=kind())


def upgrade() -> None:
    _alter(sa.BigInteger)


def downgrade() -> None:
    _alter(sa.Integer)
