"""The queue: batches in, sessions claimed one at a time, every transition one transaction.

Enqueue writes one batch row whatever the session count. A session gets an item row when it is
claimed (or canceled or retried one by one); until then it is "virtual": listing and counting
compute it from the batch cursors (see tables.py). Claims take the write lock first (SQLite:
BEGIN IMMEDIATE; other databases: row locks), so two workers, threads or processes, never get
the same session. Order: priority (higher first), then batch, then index (FIFO).
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

import psutil
from sqlalchemy import Connection, Engine, bindparam, delete, func, insert, select, update

from nodeeditor.core.batch import Batch, validate_batch
from nodeeditor.core.errors import GraphValidationError
from nodeeditor.core.graph import validate_graph
from nodeeditor.core.registry import Registry, default_registry
from nodeeditor.core.workflow import Workflow

from .db import Prepared, named_values, reading, writing
from .stats import NodeFigures, record_session
from .tables import batches as B
from .tables import queue_items as Q

PENDING, IN_PROGRESS, COMPLETED, FAILED, CANCELED = "pending", "in_progress", "completed", "failed", "canceled"
STATUSES = (PENDING, IN_PROGRESS, COMPLETED, FAILED, CANCELED)
FINISHED = (COMPLETED, FAILED, CANCELED)
CLEARED = "cleared"
"""A finished row above its batch's claim cursor that was cleared: kept (hidden) so that the
session is not taken for a pending one again."""
INTERRUPTED = "interrupted"
HOST = socket.gethostname()
PARSED_BATCHES = 64
"""Parsed batches kept in memory (a batch with a million-item axis is large)."""
ItemRef = int | str
"""An item id, or the key "batch:index" that every listed row has (virtual ones included)."""


def item_key(batch_id: int, index: int) -> str:
    return f"{batch_id}:{index}"


def parse_key(key: str) -> tuple[int, int]:
    batch, _, index = key.partition(":")
    try:
        return int(batch), int(index)
    except ValueError:
        raise ValueError(f"queue key {key!r} must look like BATCH:INDEX") from None


@dataclass(frozen=True)
class EnqueueResult:
    batch_id: int
    count: int


@dataclass
class ClaimedSession:
    item_id: int
    batch_id: int
    index: int
    workflow: Workflow
    overrides: dict[tuple[str, str], Any]
    field_values: dict[str, Any]
    session_id: str


@dataclass
class QueueRow:
    key: str
    item_id: int | None
    """None while the session is virtual (pending or canceled before it was ever claimed)."""
    batch_id: int
    index: int
    status: str
    priority: int
    field_values: dict[str, Any]
    created: float
    started: float | None = None
    finished: float | None = None
    duration_s: float | None = None
    error: str | None = None
    traceback: str | None = None
    session_id: str | None = None
    summary: dict[str, Any] | None = None


@dataclass
class BatchSummary:
    batch_id: int
    name: str
    count: int
    priority: int
    created: float
    counts: dict[str, int] = field(default_factory=dict)


# The statements every session runs, compiled once and run on the driver (see db.Prepared).
_TAKEN_PAGE = 64
_CLAIM_COLUMNS = ("status", "session_id", "worker_id", "worker_host", "worker_pid", "started", "cancel_requested")
_NEXT_ITEM = Prepared(select(Q.c.id, Q.c.priority, Q.c.batch_id, Q.c.idx).where(Q.c.status == PENDING)
                      .order_by(Q.c.priority.desc(), Q.c.batch_id, Q.c.idx).limit(1).with_for_update(skip_locked=True))
_NEXT_BATCH = Prepared(select(B.c.id, B.c.priority, B.c.next_index, B.c.stop_index).where(B.c.open.is_(True))
                       .order_by(B.c.priority.desc(), B.c.id).limit(1).with_for_update())
_TAKEN = Prepared(select(Q.c.idx).where(Q.c.batch_id == bindparam("batch"), Q.c.idx >= bindparam("lo"),
                                        Q.c.idx < bindparam("hi")).order_by(Q.c.idx).limit(_TAKEN_PAGE))
_MOVE_CURSOR = Prepared(update(B).where(B.c.id == bindparam("batch"))
                        .values(next_index=bindparam("cursor"), open=bindparam("still_open")))
_INSERT_ITEM = Prepared(insert(Q).values(named_values(("batch_id", "idx", "priority", "created") + _CLAIM_COLUMNS))
                        .returning(Q.c.id))
_CLAIM_ITEM = Prepared(update(Q).where(Q.c.id == bindparam("item")).values(
    finished=None, error=None, traceback=None, summary=None, **named_values(_CLAIM_COLUMNS)))
_FINISH_ITEM = Prepared(update(Q).where(Q.c.id == bindparam("item"), Q.c.status == IN_PROGRESS)
                        .values(named_values(("status", "finished", "error", "traceback", "summary")))
                        .returning(Q.c.batch_id, Q.c.session_id, Q.c.started))


def _process_alive(pid: int | None, started: float | None) -> bool:
    """Whether the process that claimed an item still runs (a reused pid started later does not count)."""
    if pid is None:
        return False
    if pid == os.getpid():
        return True
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return False
        return started is None or process.create_time() <= started + 1.0
    except psutil.Error:
        return False


def _empty_counts() -> dict[str, int]:
    return {status: 0 for status in STATUSES}


class QueueRepo:
    def __init__(self, engine: Engine, registry: Registry | None = None) -> None:
        self.engine = engine
        self._registry = registry
        self._parsed: dict[int, tuple[Workflow, Batch]] = {}
        self._parsed_lock = threading.Lock()

    # -- batches --------------------------------------------------------------------------------

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
            )).inserted_primary_key[0]
        return EnqueueResult(batch_id, count)

    def _top_priority(self, conn: Connection) -> int:
        waiting = conn.execute(select(func.max(B.c.priority)).where(B.c.open.is_(True))).scalar()
        pending = conn.execute(select(func.max(Q.c.priority)).where(Q.c.status == PENDING)).scalar()
        return max((p for p in (waiting, pending) if p is not None), default=0)

    # -- claim and finish -----------------------------------------------------------------------

    def claim_next(self, worker_id: str | None = None) -> ClaimedSession | None:
        """Take the next session (priority, then FIFO) for this worker, or None if none waits."""
        with writing(self.engine) as conn:
            return self._claim(conn, worker_id)

    def _claim(self, conn: Connection, worker_id: str | None) -> ClaimedSession | None:
        now = time.time()
        session_id = uuid.uuid4().hex
        claim = dict(v_status=IN_PROGRESS, v_session_id=session_id, v_worker_id=worker_id, v_worker_host=HOST,
                     v_worker_pid=os.getpid(), v_started=now, v_cancel_requested=False)
        while True:
            item = _NEXT_ITEM.run(conn).fetchone()
            batch = _NEXT_BATCH.run(conn).fetchone()
            if item is None and batch is None:
                return None
            if batch is not None and (item is None or (-batch[1], batch[0], batch[2]) < (-item[1], item[2], item[3])):
                batch_id, priority, next_index, stop_index = batch
                index = self._advance_cursor(conn, batch_id, next_index, stop_index)
                if index is None:
                    continue
                item_id = _INSERT_ITEM.run(conn, v_batch_id=batch_id, v_idx=index, v_priority=priority,
                                           v_created=now, **claim).fetchone()[0]
            else:
                item_id, _priority, batch_id, index = item
                _CLAIM_ITEM.run(conn, item=item_id, **claim)
            break
        workflow, parsed = self._batch(conn, batch_id)
        overrides = parsed.values_at(index)
        return ClaimedSession(item_id, batch_id, index, workflow, overrides,
                              {f"{n}.{f}": v for (n, f), v in overrides.items()}, session_id)

    @staticmethod
    def _advance_cursor(conn: Connection, batch_id: int, index: int, stop: int) -> int | None:
        """The first index at the batch cursor without a row; moves the cursor past it."""
        while index < stop:
            taken = [row[0] for row in _TAKEN.run(conn, batch=batch_id, lo=index, hi=stop).fetchall()]
            for idx in taken:
                if idx != index:
                    break
                index += 1
            else:
                if len(taken) == _TAKEN_PAGE:
                    continue
            break
        found = index if index < stop else None
        after = stop if found is None else index + 1
        _MOVE_CURSOR.run(conn, batch=batch_id, cursor=after, still_open=after < stop)
        return found

    def _finish_in(self, conn: Connection, item_id: int, status: str, *, summary: dict[str, Any] | None = None,
                   error: str | None = None, traceback: str | None = None,
                   stats: Sequence[NodeFigures] | None = None, duration_s: float | None = None) -> bool:
        now = time.time()
        row = _FINISH_ITEM.run(conn, item=item_id, v_status=status, v_finished=now, v_error=error,
                               v_traceback=traceback,
                               v_summary=json.dumps(summary, default=str) if summary is not None else None).fetchone()
        if row is None:
            return False
        batch_id, session_id, started = row
        if stats is not None:
            record_session(conn, item_id=item_id, batch_id=batch_id, session_id=session_id, status=status,
                           stats=stats, duration_s=duration_s if duration_s is not None else now - (started or now))
        return True

    def _finish(self, item_id: int, status: str, **details: Any) -> bool:
        with writing(self.engine) as conn:
            return self._finish_in(conn, item_id, status, **details)

    def finish_and_claim(self, item_id: int, status: str, worker_id: str | None, *, claim: bool = True,
                         **details: Any) -> ClaimedSession | None:
        """Finish a session (as complete/fail/mark_canceled do) and, with `claim`, take the next
        in the same transaction: a busy worker pays for one commit per session instead of two."""
        if status not in FINISHED:
            raise ValueError(f"{status!r} is not a finished status")
        with writing(self.engine) as conn:
            self._finish_in(conn, item_id, status, **details)
            return self._claim(conn, worker_id) if claim else None

    def complete(self, item_id: int, summary: dict[str, Any], *, stats: Sequence[NodeFigures] | None = None,
                 duration_s: float | None = None) -> bool:
        return self._finish(item_id, COMPLETED, summary=summary, stats=stats, duration_s=duration_s)

    def fail(self, item_id: int, error: str, traceback: str = "", *,
             stats: Sequence[NodeFigures] | None = None, duration_s: float | None = None) -> bool:
        return self._finish(item_id, FAILED, error=error, traceback=traceback, stats=stats,
                            duration_s=duration_s)

    def mark_canceled(self, item_id: int, *, stats: Sequence[NodeFigures] | None = None,
                      duration_s: float | None = None) -> bool:
        return self._finish(item_id, CANCELED, error="canceled", stats=stats, duration_s=duration_s)

    def release(self, item_id: int) -> bool:
        """Give a claimed item back (its worker stopped before running it to the end)."""
        with writing(self.engine) as conn:
            return conn.execute(update(Q).where(Q.c.id == item_id, Q.c.status == IN_PROGRESS).values(
                status=PENDING, started=None, session_id=None, worker_id=None, worker_host=None,
                worker_pid=None, cancel_requested=False)).rowcount > 0

    def is_cancel_requested(self, item_id: int) -> bool:
        with self.engine.connect() as conn:
            return bool(conn.execute(select(Q.c.cancel_requested).where(Q.c.id == item_id)).scalar())

    def recover_interrupted(self) -> int:
        """Items left in progress by a process that is gone become failed, "interrupted" (retryable)."""
        with writing(self.engine) as conn:
            rows = conn.execute(select(Q.c.id, Q.c.worker_host, Q.c.worker_pid, Q.c.started)
                                .where(Q.c.status == IN_PROGRESS)).all()
            dead = [r.id for r in rows if r.worker_host in (None, HOST)
                    and not _process_alive(r.worker_pid, r.started)]
            if dead:
                conn.execute(update(Q).where(Q.c.id.in_(dead), Q.c.status == IN_PROGRESS).values(
                    status=FAILED, error=INTERRUPTED, finished=time.time(),
                    traceback="the process running this session stopped before it finished"))
        return len(dead)

    # -- cancel, retry, clear -------------------------------------------------------------------

    def _resolve(self, conn: Connection, ref: ItemRef) -> tuple[Any | None, int, int]:
        """(row or None, batch id, index) of an item id or a "batch:index" key."""
        if isinstance(ref, str):
            batch_id, index = parse_key(ref)
            row = conn.execute(select(Q).where(Q.c.batch_id == batch_id, Q.c.idx == index)).first()
            return row, batch_id, index
        row = conn.execute(select(Q).where(Q.c.id == ref)).first()
        return row, (row.batch_id if row else -1), (row.idx if row else -1)

    def cancel_item(self, ref: ItemRef) -> bool:
        """Cancel a pending session, or ask the worker running it to stop."""
        now = time.time()
        with writing(self.engine) as conn:
            row, batch_id, index = self._resolve(conn, ref)
            if row is not None:
                if row.status == PENDING:
                    conn.execute(update(Q).where(Q.c.id == row.id).values(status=CANCELED, finished=now,
                                                                          error="canceled"))
                    return True
                if row.status == IN_PROGRESS:
                    conn.execute(update(Q).where(Q.c.id == row.id).values(cancel_requested=True))
                    return True
                return False
            batch = conn.execute(select(B).where(B.c.id == batch_id)).first()
            if batch is None or not batch.next_index <= index < batch.stop_index:
                return False
            conn.execute(insert(Q).values(batch_id=batch_id, idx=index, status=CANCELED, priority=batch.priority,
                                          created=batch.created, finished=now, error="canceled",
                                          cancel_requested=False))
            return True

    def _cancel_where(self, batch_id: int | None) -> int:
        now = time.time()
        with writing(self.engine) as conn:
            items = [Q.c.status == PENDING] + ([Q.c.batch_id == batch_id] if batch_id is not None else [])
            canceled = conn.execute(update(Q).where(*items).values(status=CANCELED, finished=now,
                                                                   error="canceled")).rowcount
            open_ = [B.c.open.is_(True)] + ([B.c.id == batch_id] if batch_id is not None else [])
            for b in conn.execute(select(B.c.id, B.c.next_index, B.c.stop_index).where(*open_)).all():
                above = conn.execute(select(func.count()).where(
                    Q.c.batch_id == b.id, Q.c.idx >= b.next_index, Q.c.idx < b.stop_index)).scalar()
                canceled += b.stop_index - b.next_index - above
            conn.execute(update(B).where(*open_).values(stop_index=B.c.next_index, open=False))
            if batch_id is not None:
                conn.execute(update(Q).where(Q.c.batch_id == batch_id, Q.c.status == IN_PROGRESS)
                             .values(cancel_requested=True))
        return canceled

    def cancel_batch(self, batch_id: int) -> int:
        """Cancel every pending session of a batch and ask its running one to stop."""
        return self._cancel_where(batch_id)

    def cancel_pending(self) -> int:
        """Cancel every pending session of every batch (running ones go on)."""
        return self._cancel_where(None)

    def retry(self, item_ids: Iterable[ItemRef] | None = None, batch_id: int | None = None) -> int:
        """Failed and canceled sessions become pending again: the given ones, a batch's, or all."""
        again = dict(status=PENDING, started=None, finished=None, error=None, traceback=None,
                     summary=None, cancel_requested=False)
        retried = 0
        with writing(self.engine) as conn:
            if item_ids is not None:
                for ref in item_ids:
                    row, bid, index = self._resolve(conn, ref)
                    if row is not None:
                        if row.status in (FAILED, CANCELED):
                            conn.execute(update(Q).where(Q.c.id == row.id).values(**again))
                            retried += 1
                        continue
                    batch = conn.execute(select(B).where(B.c.id == bid)).first()
                    if batch is not None and batch.stop_index <= index < batch.end_index:
                        conn.execute(insert(Q).values(batch_id=bid, idx=index, priority=batch.priority,
                                                      created=batch.created, **again))
                        retried += 1
                return retried
            where = [Q.c.status.in_((FAILED, CANCELED))] + ([Q.c.batch_id == batch_id] if batch_id is not None else [])
            retried = conn.execute(update(Q).where(*where).values(**again)).rowcount
            scope = [B.c.stop_index < B.c.end_index] + ([B.c.id == batch_id] if batch_id is not None else [])
            for b in conn.execute(select(B.c.id, B.c.stop_index, B.c.end_index).where(*scope)).all():
                above = conn.execute(select(func.count()).where(
                    Q.c.batch_id == b.id, Q.c.idx >= b.stop_index, Q.c.idx < b.end_index)).scalar()
                retried += b.end_index - b.stop_index - above
            conn.execute(update(B).where(*scope).values(stop_index=B.c.end_index,
                                                       open=B.c.next_index < B.c.end_index))
        return retried

    def clear_finished(self) -> int:
        """Remove completed, failed and canceled sessions from the queue (their stats stay)."""
        with writing(self.engine) as conn:
            cursor = select(B.c.next_index).where(B.c.id == Q.c.batch_id).scalar_subquery()
            finished = Q.c.status.in_(FINISHED)
            cleared = conn.execute(delete(Q).where(finished, Q.c.idx < cursor)).rowcount
            cleared += conn.execute(update(Q).where(finished, Q.c.idx >= cursor).values(status=CLEARED)).rowcount
            for b in conn.execute(select(B.c.id, B.c.stop_index, B.c.end_index)
                                  .where(B.c.stop_index < B.c.end_index)).all():
                above = conn.execute(select(func.count()).where(
                    Q.c.batch_id == b.id, Q.c.idx >= b.stop_index, Q.c.idx < b.end_index)).scalar()
                cleared += b.end_index - b.stop_index - above
            conn.execute(update(B).values(end_index=B.c.stop_index))
            live = select(Q.c.id).where(Q.c.batch_id == B.c.id, Q.c.status != CLEARED).exists()
            conn.execute(delete(B).where(B.c.open.is_(False), ~live))
        with self._parsed_lock:
            self._parsed.clear()
        return cleared

    # -- listing and counting -------------------------------------------------------------------

    @staticmethod
    def _rows_above_cursor(conn: Connection, batch_id: int | None = None) -> dict[int, list[tuple[int, str]]]:
        """(index, status) of the few rows at or past their batch's claim cursor, per batch."""
        query = (select(Q.c.batch_id, Q.c.idx, Q.c.status).join(B, B.c.id == Q.c.batch_id)
                 .where(Q.c.idx >= B.c.next_index))
        if batch_id is not None:
            query = query.where(Q.c.batch_id == batch_id)
        found: dict[int, list[tuple[int, str]]] = {}
        for row in conn.execute(query):
            found.setdefault(row.batch_id, []).append((row.idx, row.status))
        return found

    def _counts_by_batch(self, conn: Connection, batch_id: int | None = None) -> dict[int, dict[str, int]]:
        scope = [B.c.id == batch_id] if batch_id is not None else []
        counts: dict[int, dict[str, int]] = {}
        for b in conn.execute(select(B.c.id, B.c.next_index, B.c.stop_index, B.c.end_index).where(*scope)):
            counts[b.id] = c = _empty_counts()
            c[PENDING] += b.stop_index - b.next_index
            c[CANCELED] += b.end_index - b.stop_index
        for bid, rows in self._rows_above_cursor(conn, batch_id).items():
            b = conn.execute(select(B.c.stop_index, B.c.end_index).where(B.c.id == bid)).one()
            for index, _status in rows:
                if index < b.stop_index:
                    counts[bid][PENDING] -= 1
                elif index < b.end_index:
                    counts[bid][CANCELED] -= 1
        where = [Q.c.status != CLEARED] + ([Q.c.batch_id == batch_id] if batch_id is not None else [])
        for bid, status, n in conn.execute(select(Q.c.batch_id, Q.c.status, func.count())
                                           .where(*where).group_by(Q.c.batch_id, Q.c.status)):
            counts.setdefault(bid, _empty_counts())[status] += n
        return counts

    def counts(self, batch_id: int | None = None) -> dict[str, int]:
        """Sessions per status, for the whole queue or one batch."""
        total = Counter(_empty_counts())
        with reading(self.engine) as conn:
            for per_batch in self._counts_by_batch(conn, batch_id).values():
                total.update(per_batch)
        return {status: total[status] for status in STATUSES}

    def count_items(self, status: str | None = None, batch_id: int | None = None) -> int:
        counts = self.counts(batch_id)
        return counts.get(status, 0) if status is not None else sum(counts.values())

    def batches(self) -> list[BatchSummary]:
        with reading(self.engine) as conn:
            counts = self._counts_by_batch(conn)
            return [BatchSummary(b.id, b.name, b.count, b.priority, b.created, counts.get(b.id, _empty_counts()))
                    for b in conn.execute(select(B.c.id, B.c.name, B.c.count, B.c.priority, B.c.created)
                                          .order_by(B.c.id))]

    def list_items(self, status: str | None = None, batch_id: int | None = None, after: str | None = None,
                   limit: int = 200) -> list[QueueRow]:
        """A page of sessions in (batch, index) order; pass the last row's key as `after` for the next."""
        after_batch, after_index = parse_key(after) if after else (0, -1)
        scope = [B.c.id >= after_batch] + ([B.c.id == batch_id] if batch_id is not None else [])
        rows: list[QueueRow] = []
        with reading(self.engine) as conn:
            for b in conn.execute(select(B).where(*scope).order_by(B.c.id)).all():
                start = after_index + 1 if b.id == after_batch else 0
                rows.extend(self._page_of_batch(conn, b, start, status, limit - len(rows)))
                if len(rows) >= limit:
                    break
        return rows

    def _page_of_batch(self, conn: Connection, b: Any, start: int, status: str | None, need: int) -> list[QueueRow]:
        query = select(Q).where(Q.c.batch_id == b.id, Q.c.idx >= start, Q.c.status != CLEARED)
        if status is not None:
            query = query.where(Q.c.status == status)
        stored = conn.execute(query.order_by(Q.c.idx).limit(need)).all()
        virtual: list[tuple[int, str]] = []
        ranges = [(b.next_index, b.stop_index, PENDING), (b.stop_index, b.end_index, CANCELED)]
        ranges = [(max(lo, start), hi, st) for lo, hi, st in ranges if status in (None, st) and max(lo, start) < hi]
        if ranges:
            taken = set(conn.execute(select(Q.c.idx).where(
                Q.c.batch_id == b.id, Q.c.idx >= max(start, b.next_index))).scalars())
            for lo, hi, st in ranges:
                index = lo
                while index < hi and len(virtual) < need:
                    if index not in taken:
                        virtual.append((index, st))
                    index += 1
        _, parsed = self._batch(conn, b.id)
        merged: list[QueueRow] = [self._stored_row(r, parsed) for r in stored]
        merged += [QueueRow(item_key(b.id, i), None, b.id, i, st, b.priority, parsed.field_values_at(i), b.created)
                   for i, st in virtual]
        merged.sort(key=lambda r: r.index)
        return merged[:need]

    @staticmethod
    def _stored_row(r: Any, parsed: Batch) -> QueueRow:
        duration = r.finished - r.started if r.finished is not None and r.started is not None else None
        return QueueRow(item_key(r.batch_id, r.idx), r.id, r.batch_id, r.idx, r.status, r.priority,
                        parsed.field_values_at(r.idx), r.created, r.started, r.finished, duration, r.error,
                        r.traceback, r.session_id, json.loads(r.summary) if r.summary else None)

    def get(self, ref: ItemRef) -> QueueRow | None:
        """One session by item id or key, virtual ones included."""
        if isinstance(ref, str):
            batch_id, index = parse_key(ref)
            rows = self.list_items(batch_id=batch_id, after=item_key(batch_id, index - 1), limit=1)
            return rows[0] if rows and rows[0].index == index else None
        with reading(self.engine) as conn:
            row = conn.execute(select(Q).where(Q.c.id == ref, Q.c.status != CLEARED)).first()
            return self._stored_row(row, self._batch(conn, row.batch_id)[1]) if row else None
