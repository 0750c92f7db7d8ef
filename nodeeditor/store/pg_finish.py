"""PostgreSQL: a session's outcome and its figures in one statement, in one round trip.

On SQLite a finish is a transaction of three statements (the guarded UPDATE, the session row,
the node rows) that costs microseconds. Over a connection each statement is a round trip, and
BEGIN and COMMIT two more: five a session, half of what a short session costs the worker. A
statement with data-modifying CTEs is atomic on its own, so the same guarded transition and
both inserts run as one autocommit statement. The guard is transition()'s (id, attempt and the
status it may start from); the node rows arrive as one array per column (`unnest`), so the
statement's text, prepared once per connection, does not depend on how many nodes ran.
"""

from __future__ import annotations

import time
from typing import Any, Mapping, Sequence

from sqlalchemy import Engine, text

from .claims import fence_result
from .db import Prepared
from .queue_rows import Written
from .stats import NodeFigures, session_totals
from .status import SessionStatus

_FINISH = Prepared(text(f"""
WITH done AS (
    UPDATE queue_items SET status = :status, finished = :finished, error = :error, traceback = :traceback,
           summary = :summary, lease_until = NULL
    WHERE id = :item AND attempt = :attempt AND status IN ('{SessionStatus.IN_PROGRESS.value}')
    RETURNING id, batch_id, session_id, started),
session_row AS (
    INSERT INTO session_stats (item_id, batch_id, session_id, status, duration_s, nodes, cache_hits, peak_rss,
                               ram_delta, vram_peak, finished, model_loads, model_hits, model_load_s)
    SELECT id, batch_id, session_id, :status,
           COALESCE(CAST(:duration_s AS DOUBLE PRECISION), :finished - COALESCE(started, :finished)),
           :nodes, :cache_hits, :peak_rss, :ram_delta, :vram_peak, :finished, :model_loads, :model_hits,
           :model_load_s
    FROM done
    RETURNING id),
node_rows AS (
    INSERT INTO node_stats (session_row, node_id, instance_id, node_type, duration_s, ram_delta, peak_rss,
                            vram_peak, cached, status)
    SELECT session_row.id, n.* FROM session_row,
           unnest(CAST(:node_ids AS VARCHAR[]), CAST(:instance_ids AS VARCHAR[]), CAST(:node_types AS VARCHAR[]),
                  CAST(:durations AS DOUBLE PRECISION[]), CAST(:ram_deltas AS BIGINT[]),
                  CAST(:peak_rsss AS BIGINT[]), CAST(:vram_peaks AS BIGINT[]), CAST(:cacheds AS BOOLEAN[]),
                  CAST(:statuses AS VARCHAR[])) AS n)
SELECT id FROM done
"""))


def finish_in_one(engine: Engine, item_id: int, attempt: int, status: SessionStatus, *, summary: str | None,
                  error: str | None, traceback: str | None, stats: Sequence[NodeFigures], duration_s: float | None,
                  models: Mapping[str, Any] | None) -> Written:
    """Outcomes.finish for a worker (attempt and figures given) on PostgreSQL."""
    params: dict[str, Any] = dict(
        item=item_id, attempt=attempt, status=status.value, finished=time.time(), error=error, traceback=traceback,
        summary=summary, duration_s=duration_s, **session_totals(stats, models),
        node_ids=[s.node_id for s in stats], instance_ids=[s.instance_id for s in stats],
        node_types=[s.node_type for s in stats], durations=[s.duration_s for s in stats],
        ram_deltas=[s.ram_delta for s in stats], peak_rsss=[s.peak_rss for s in stats],
        vram_peaks=[s.vram_peak for s in stats], cacheds=[bool(s.cached) for s in stats],
        statuses=[s.status for s in stats])
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        if _FINISH.run(conn, **params).fetchone() is None:
            return fence_result(conn, item_id, attempt)
    return Written.WRITTEN
