"""The schema as SQLAlchemy Core tables; migrations/ create it, the repositories query it.

A batch row holds the graph once, the batch data and three cursors over its sessions:
indices below `next_index` were claimed (they have item rows unless cleared), indices in
[next_index, stop_index) are pending, [stop_index, end_index) canceled before they were
claimed, and [end_index, count) cleared. Item rows exist only for sessions that were claimed,
canceled or retried one by one, so enqueue never writes a row per session.
"""

from __future__ import annotations

from sqlalchemy import (BigInteger, Boolean, Column, Float, ForeignKey, Index, Integer, MetaData, String, Table,
                        Text, UniqueConstraint, text)

metadata = MetaData()

batches = Table(
    "batches", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, default=""),
    Column("workflow", Text, nullable=False),
    Column("data", Text, nullable=False),
    Column("count", BigInteger, nullable=False),
    Column("priority", BigInteger, nullable=False, default=0),
    Column("created", Float, nullable=False),
    Column("next_index", BigInteger, nullable=False, default=0),
    Column("stop_index", BigInteger, nullable=False),
    Column("end_index", BigInteger, nullable=False),
    Column("open", Boolean, nullable=False, default=True),
    Index("ix_batches_claim", "open", text("priority DESC"), "id"),
)

queue_items = Table(
    "queue_items", metadata,
    Column("id", Integer, primary_key=True),
    Column("batch_id", Integer, ForeignKey("batches.id", ondelete="CASCADE"), nullable=False),
    Column("idx", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),
    Column("priority", BigInteger, nullable=False, default=0),
    Column("session_id", String(32)),
    Column("worker_id", String(200)),
    Column("worker_host", String(200)),
    Column("worker_pid", Integer),
    Column("cancel_requested", Boolean, nullable=False, default=False),
    Column("created", Float, nullable=False),
    Column("started", Float),
    Column("finished", Float),
    Column("error", Text),
    Column("traceback", Text),
    Column("summary", Text),
    Column("attempt", Integer, nullable=False, default=1, server_default="1"),
    Column("lost", Integer, nullable=False, default=0, server_default="0"),
    Column("lease_until", Float),
    Column("progress_node", String(200)),
    Column("progress", Float),
    Column("progress_at", Float),
    UniqueConstraint("batch_id", "idx", name="uq_queue_items_batch_idx"),
    Index("ix_queue_items_claim", "status", text("priority DESC"), "batch_id", "idx"),
    Index("ix_queue_items_batch_status", "batch_id", "status", "idx"),
    Index("ix_queue_items_lease", "status", "lease_until"),
)

artifacts = Table(
    "artifacts", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("kind", String(32), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("dims", Text, nullable=False),
    Column("session_id", String(32), index=True),
    Column("node_id", String(200)),
    Column("gallery", Boolean, nullable=False, default=False),
    Column("created", Float, nullable=False),
    Column("host", String(200)),
)

workers = Table(
    "workers", metadata,
    Column("id", String(200), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("host", String(200), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("started", Float, nullable=False),
    Column("heartbeat", Float, nullable=False),
    Column("lease_s", Float, nullable=False),
    Column("state", String(16), nullable=False),
    Column("current_item", Integer),
    Column("sessions_done", Integer, nullable=False, default=0),
    Column("capabilities", Text, nullable=False, default="{}"),
)

session_stats = Table(
    "session_stats", metadata,
    Column("id", Integer, primary_key=True),
    Column("item_id", Integer, ForeignKey("queue_items.id", ondelete="SET NULL"), index=True),
    Column("batch_id", Integer, index=True),
    Column("session_id", String(32), nullable=False, index=True),
    Column("status", String(16), nullable=False),
    Column("duration_s", Float, nullable=False),
    Column("nodes", Integer, nullable=False),
    Column("cache_hits", Integer, nullable=False),
    Column("peak_rss", BigInteger, nullable=False),
    Column("ram_delta", BigInteger, nullable=False),
    Column("vram_peak", BigInteger),
    Column("finished", Float, nullable=False),
    Column("model_loads", Integer),
    Column("model_hits", Integer),
    Column("model_load_s", Float),
)

node_stats = Table(
    "node_stats", metadata,
    Column("id", Integer, primary_key=True),
    Column("session_row", Integer, ForeignKey("session_stats.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("node_id", String(200), nullable=False),
    Column("instance_id", String(200), nullable=False),
    Column("node_type", String(200), nullable=False),
    Column("duration_s", Float, nullable=False),
    Column("ram_delta", BigInteger, nullable=False),
    Column("peak_rss", BigInteger, nullable=False),
    Column("vram_peak", BigInteger),
    Column("cached", Boolean, nullable=False),
    Column("status", String(16), nullable=False),
)
