"""PostgreSQL: the usual claim — the next index of the first open batch — in one statement.

A claim on SQLite is a transaction of four statements costing microseconds. Over a connection
each is a round trip, with BEGIN and COMMIT two more: six a session. Nearly every claim takes the
cursor of the first open batch, so that case runs as one autocommit statement of data-modifying
CTEs: lock the batch row (`FOR UPDATE`, as the full claim does), look for a pending row that
would come first (`SKIP LOCKED`), insert the claimed row unless its index is taken, move the
cursor. Anything else (a retried row first, a taken index, an empty queue, leases to take back)
returns no row, and the full claim of claims.py runs as before.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, text

from .db import Prepared
from .status import SessionStatus

_CURSOR_CLAIM = Prepared(text(f"""
WITH next_batch AS (
    SELECT id, priority, next_index, stop_index FROM batches WHERE open
    ORDER BY priority DESC, id LIMIT 1 FOR UPDATE),
next_item AS (
    SELECT priority, batch_id, idx FROM queue_items WHERE status = '{SessionStatus.PENDING.value}'
    ORDER BY priority DESC, batch_id, idx LIMIT 1 FOR UPDATE SKIP LOCKED),
picked AS (
    SELECT next_batch.* FROM next_batch LEFT JOIN next_item ON TRUE
    WHERE next_item.idx IS NULL
       OR (-next_batch.priority, next_batch.id, next_batch.next_index)
          < (-next_item.priority, next_item.batch_id, next_item.idx)),
claimed AS (
    INSERT INTO queue_items (batch_id, idx, status, priority, session_id, worker_id, worker_host, worker_pid,
                             cancel_requested, created, started, attempt, lost, lease_until)
    SELECT id, next_index, '{SessionStatus.IN_PROGRESS.value}', priority, :session_id, :worker_id, :host, :pid,
           FALSE, :now, :now, 1, 0, CAST(EXTRACT(EPOCH FROM clock_timestamp()) AS DOUBLE PRECISION) + :lease_s
    FROM picked
    ON CONFLICT (batch_id, idx) DO NOTHING
    RETURNING id, attempt, lease_until, batch_id, idx),
moved AS (
    UPDATE batches SET next_index = claimed.idx + 1, open = claimed.idx + 1 < picked.stop_index
    FROM claimed, picked WHERE batches.id = claimed.batch_id)
SELECT id, attempt, lease_until, batch_id, idx FROM claimed
"""))


def claim_cursor(conn: Connection, claim: dict[str, Any], lease_s: float) -> tuple[int, int, float, int, int] | None:
    """(item id, attempt, lease end, batch id, index) of the claimed session, or None: run the
    full claim. `conn` must be in autocommit: the statement is its own transaction."""
    row = _CURSOR_CLAIM.run(conn, session_id=claim["session_id"], worker_id=claim["worker_id"],
                            host=claim["worker_host"], pid=claim["worker_pid"], now=claim["started"],
                            lease_s=lease_s).fetchone()
    return tuple(row) if row is not None else None  # type: ignore[return-value]
