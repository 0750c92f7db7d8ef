"""The queue: batches in, sessions claimed one at a time, every transition one transaction.

Enqueue writes one batch row whatever the session count. A session gets an item row when it is
claimed (or canceled or retried one by one); until then it is "virtual": listing and counting
compute it from the batch cursors (see tables.py). Order: priority (higher first), then batch,
then index (FIFO).

QueueRepo gathers the verbs, each family in its own module:
- claims.py: claim, renew (leases), progress, hand_back, take_back (lost workers' sessions);
- outcomes.py: complete, fail, mark_canceled (fenced by attempt);
- requests.py: cancel, retry, clear (what a person asks);
- listing.py: counts, batches, list_items, get.
Every status change goes through transitions.transition, guarded by the statuses it may start
from. Delivery is at least once (a lost worker's session runs again); completion is exactly once.
"""

from __future__ import annotations

import threading
import time

from sqlalchemy import Connection, Engine, func, insert, select

from nodeeditor.core.batch import Batch, validate_batch
from nodeeditor.core.errors import GraphValidationError
from nodeeditor.core.validation import validate_graph
from nodeeditor.core.registry import Registry, default_registry
from nodeeditor.core.workflow import Workflow

from .claims import DEFAULT_LEASE_S, DEFAULT_MAX_ATTEMPTS, LOST_ERROR, Claims
from .db import writing
from .listing import Listing
from .notify import notify
from .outcomes import Outcomes
from .queue_rows import (BatchSummary, ClaimedSession, EnqueueResult, ItemRef, Lease, QueueRow, Written, item_key,
                         parse_key)
from .requests import Requests
from .status import SessionStatus
from .tables import batches as B
from .tables import queue_items as Q

__all__ = ["QueueRepo", "SessionStatus", "ClaimedSession", "QueueRow", "BatchSummary", "EnqueueResult", "ItemRef",
           "Lease", "Written", "item_key", "parse_key", "DEFAULT_LEASE_S", "DEFAULT_MAX_ATTEMPTS", "LOST_ERROR"]

PARSED_BATCHES = 64
"""Parsed batches kept in memory (a batch with a million-item axis is large)."""


class QueueRepo(Claims, Outcomes, Requests, Listing):
    def __init__(self, engine: Engine, registry: Registry | None = None) -> None:
        self.engine = engine
        self._registry = registry
        self._parsed: dict[int, tuple[Workflow, Batch]] = {}
        self._batch_only: dict[int, Batch] = {}
        self._parsed_lock = threading.Lock()
        self._last_pid_check = self._last_expiry_check = 0.0  # monotonic times (see claims.py)

    def _batch(self, conn: Connection, batch_id: int) -> tuple[Workflow, Batch]:
        """Workflow and batch of a batch row, parsed from the row once (they never change) and
        never the caller's objects, which an editor may go on changing after enqueueing."""
        with self._parsed_lock:
            found = self._parsed.get(batch_id)
        if found is None:
            row = conn.execute(select(B.c.workflow, B.c.data).where(B.c.id == batch_id)).one()
            found = (Workflow.model_validate_json(row.workflow), Batch.model_validate_json(row.data))
            with self._parsed_lock:
                self._parsed[batch_id] = found
                while len(self._parsed) > PARSED_BATCHES:
                    del self._parsed[next(iter(self._parsed))]
        return found

    def _batch_data(self, conn: Connection, batch_id: int) -> Batch:
        """Only the batch of a batch row: listing shows field values and never needs the graph,
        which may hold hundreds of thousands of nodes."""
        with self._parsed_lock:
            found = self._parsed.get(batch_id)
            data = found[1] if found is not None else self._batch_only.get(batch_id)
        if data is None:
            data = Batch.model_validate_json(conn.execute(select(B.c.data).where(B.c.id == batch_id)).scalar_one())
            with self._parsed_lock:
                self._batch_only[batch_id] = data
                while len(self._batch_only) > PARSED_BATCHES:
                    del self._batch_only[next(iter(self._batch_only))]
        return data

    def enqueue(self, workflow: Workflow, batch: Batch | None = None, *, priority: int = 0,
                front: bool = False, name: str | None = None,
                registry: Registry | None = None) -> EnqueueResult:
        """Queue every session of `batch`; raises GraphValidationError listing every issue."""
        registry = registry or self._registry or default_registry()
        batch = batch or Batch()
        issues = validate_batch(batch, workflow, registry)
        if not issues:
            issues = validate_graph(workflow, registry, batch.values_at(0))
        if issues:
            raise GraphValidationError(issues)
        count = batch.count()
        with writing(self.engine) as conn:
            if front:
                priority = max(priority, self._top_priority(conn) + 1)
            batch_id = conn.execute(insert(B).values(
                name=name or workflow.name, workflow=workflow.model_dump_json(), data=batch.model_dump_json(),
                count=count, priority=priority, created=time.time(), next_index=0, stop_index=count,
                end_index=count, open=count > 0,
            ).returning(B.c.id)).scalar_one()
            notify(conn, "enqueued", batch=batch_id, count=count)
        return EnqueueResult(batch_id, count)

    def _top_priority(self, conn: Connection) -> int:
        waiting = conn.execute(select(func.max(B.c.priority)).where(B.c.open.is_(True))).scalar()
        pending = conn.execute(select(func.max(Q.c.priority)).where(Q.c.status == SessionStatus.PENDING.value)).scalar()
        return max((p for p in (waiting, pending) if p is not None), default=0)
