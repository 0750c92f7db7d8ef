"""What a person asks of the queue: cancel, retry, clear. Each is one transaction.

Sessions never claimed have no row (see tables.py): canceling or retrying one by one inserts
its row; canceling or retrying many moves the batch cursors (and sends a "batches" notice on
PostgreSQL; item rows announce their own changes, see notify.py). Batch rows are locked before item
rows here as in claims, so the two never wait on each other in a circle (PostgreSQL).
"""

from __future__ import annotations

import threading
import time
from typing import Any, Iterable

from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from .db import writing
from .notify import notify
from .queue_rows import ItemRef, parse_key
from .status import FINISHED, RETRYABLE, SessionStatus
from .tables import batches as B
from .tables import queue_items as Q
from .transitions import transition

PENDING, IN_PROGRESS, CANCELED, CLEARED = (SessionStatus.PENDING, SessionStatus.IN_PROGRESS,
                                           SessionStatus.CANCELED, SessionStatus.CLEARED)
_NEXT_ATTEMPT = Q.c.attempt + 1
_AGAIN: dict[str, Any] = dict(started=None, finished=None, error=None, traceback=None, summary=None,
                              cancel_requested=False, session_id=None, worker_id=None, worker_host=None,
                              worker_pid=None, lease_until=None, progress_node=None, progress=None,
                              progress_at=None, lost=0)
"""A retried session starts afresh; its attempt goes up, so a result of the old one is refused."""


class Requests:
    """cancel / retry / clear verbs of QueueRepo (see queue.py)."""

    engine: Engine
    _parsed: dict
    _parsed_lock: threading.Lock

    @staticmethod
    def _resolve(conn: Connection, ref: ItemRef) -> tuple[Any | None, int, int]:
        """(row or None, batch id, index) of an item id or a "batch:index" key."""
        if isinstance(ref, str):
            batch_id, index = parse_key(ref)
            row = conn.execute(select(Q).where(Q.c.batch_id == batch_id, Q.c.idx == index)).first()
            return row, batch_id, index
        row = conn.execute(select(Q).where(Q.c.id == ref)).first()
        return row, (row.batch_id if row else -1), (row.idx if row else -1)

    @staticmethod
    def _lock_batch(conn: Connection, batch_id: int) -> Any | None:
        return conn.execute(select(B).where(B.c.id == batch_id).with_for_update()).first()

    def cancel_item(self, ref: ItemRef) -> bool:
        """Cancel a pending session, or ask the worker running it to stop."""
        now = time.time()
        with writing(self.engine) as conn:
            if isinstance(ref, str):
                self._lock_batch(conn, parse_key(ref)[0])
            row, batch_id, index = self._resolve(conn, ref)
            if row is not None:
                if transition(conn, {"id": row.id}, (PENDING,), CANCELED, finished=now, error="canceled"):
                    return True
                asked = conn.execute(update(Q).where(Q.c.id == row.id, Q.c.status == IN_PROGRESS)
                                     .values(cancel_requested=True)).rowcount > 0
                return asked
            batch = self._lock_batch(conn, batch_id)
            if batch is None or not batch.next_index <= index < batch.stop_index:
                return False
            conn.execute(insert(Q).values(
                batch_id=batch_id, idx=index, status=CANCELED.value, priority=batch.priority, created=batch.created,
                finished=now, error="canceled", cancel_requested=False))
            return True

    def _cancel_where(self, batch_id: int | None) -> int:
        now = time.time()
        with writing(self.engine) as conn:
            open_ = [B.c.open.is_(True)] + ([B.c.id == batch_id] if batch_id is not None else [])
            open_batches = conn.execute(select(B.c.id, B.c.next_index, B.c.stop_index).where(*open_)
                                        .order_by(B.c.id).with_for_update()).all()
            scope = Q.c.batch_id == batch_id if batch_id is not None else Q.c.id.isnot(None)
            canceled = len(transition(conn, scope, (PENDING,), CANCELED, finished=now, error="canceled"))
            for b in open_batches:
                above = conn.execute(select(func.count()).where(
                    Q.c.batch_id == b.id, Q.c.idx >= b.next_index, Q.c.idx < b.stop_index)).scalar()
                canceled += b.stop_index - b.next_index - above
            conn.execute(update(B).where(*open_).values(stop_index=B.c.next_index, open=False))
            if batch_id is not None:
                conn.execute(update(Q).where(Q.c.batch_id == batch_id, Q.c.status == IN_PROGRESS)
                             .values(cancel_requested=True))
            notify(conn, "batches", canceled=canceled, batch=batch_id)
        return canceled

    def cancel_batch(self, batch_id: int) -> int:
        """Cancel every pending session of a batch and ask its running one to stop."""
        return self._cancel_where(batch_id)

    def cancel_pending(self) -> int:
        """Cancel every pending session of every batch (running ones go on)."""
        return self._cancel_where(None)

    def retry(self, item_ids: Iterable[ItemRef] | None = None, batch_id: int | None = None) -> int:
        """Failed and canceled sessions become pending again: the given ones, a batch's, or all."""
        retried = 0
        with writing(self.engine) as conn:
            if item_ids is not None:
                for ref in item_ids:
                    if isinstance(ref, str):
                        self._lock_batch(conn, parse_key(ref)[0])
                    row, bid, index = self._resolve(conn, ref)
                    if row is not None:
                        retried += len(transition(conn, {"id": row.id}, RETRYABLE, PENDING, attempt=_NEXT_ATTEMPT,
                                                  **_AGAIN))
                        continue
                    batch = self._lock_batch(conn, bid)
                    if batch is not None and batch.stop_index <= index < batch.end_index:
                        conn.execute(insert(Q).values(
                            batch_id=bid, idx=index, priority=batch.priority, created=batch.created,
                            status=PENDING.value, attempt=1, **_AGAIN))
                        retried += 1
                return retried
            scope = [B.c.stop_index < B.c.end_index] + ([B.c.id == batch_id] if batch_id is not None else [])
            ranges = conn.execute(select(B.c.id, B.c.stop_index, B.c.end_index).where(*scope).order_by(B.c.id)
                                  .with_for_update()).all()
            where = Q.c.batch_id == batch_id if batch_id is not None else Q.c.id.isnot(None)
            retried = len(transition(conn, where, RETRYABLE, PENDING, attempt=_NEXT_ATTEMPT, **_AGAIN))
            for b in ranges:
                above = conn.execute(select(func.count()).where(
                    Q.c.batch_id == b.id, Q.c.idx >= b.stop_index, Q.c.idx < b.end_index)).scalar()
                retried += b.end_index - b.stop_index - above
            conn.execute(update(B).where(*scope).values(stop_index=B.c.end_index,
                                                       open=B.c.next_index < B.c.end_index))
            notify(conn, "batches", retried=retried, batch=batch_id)
        return retried

    def clear_finished(self) -> int:
        """Remove completed, failed and canceled sessions from the queue (their stats stay)."""
        with writing(self.engine) as conn:
            conn.execute(select(B.c.id).order_by(B.c.id).with_for_update()).all()
            cursor = select(B.c.next_index).where(B.c.id == Q.c.batch_id).scalar_subquery()
            cleared = conn.execute(delete(Q).where(Q.c.status.in_([s.value for s in FINISHED]),
                                                   Q.c.idx < cursor)).rowcount
            cleared += len(transition(conn, Q.c.idx >= cursor, FINISHED, CLEARED))
            for b in conn.execute(select(B.c.id, B.c.stop_index, B.c.end_index)
                                  .where(B.c.stop_index < B.c.end_index)).all():
                above = conn.execute(select(func.count()).where(
                    Q.c.batch_id == b.id, Q.c.idx >= b.stop_index, Q.c.idx < b.end_index)).scalar()
                cleared += b.end_index - b.stop_index - above
            conn.execute(update(B).values(end_index=B.c.stop_index))
            live = select(Q.c.id).where(Q.c.batch_id == B.c.id, Q.c.status != CLEARED.value).exists()
            conn.execute(delete(B).where(B.c.open.is_(False), ~live))
            notify(conn, "batches", cleared=cleared)
        with self._parsed_lock:
            self._parsed.clear()
        return cleared
