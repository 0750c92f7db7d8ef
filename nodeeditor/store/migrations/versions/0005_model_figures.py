"""Session figures of the model cache: models loaded, models found loaded, seconds spent loading.

NULL for sessions that used no model (and for those recorded before this revision).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

COLUMNS = (("model_loads", sa.Integer), ("model_hits", sa.Integer), ("model_load_s", sa.Float))


def upgrade() -> None:
    with op.batch_alter_table("session_stats") as table:
        for name, kind in COLUMNS:
            table.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("session_stats") as table:
        for name, _kind in reversed(COLUMNS):
            table.drop_column(name)
